import { z } from 'zod';
import { requiredText, optionalText } from '../../server/http/common.schema.js';
import { PARTNER_TYPES } from '../../server/organisations/organisations.table.js';
import { REGIONS } from '../../server/organisations/organisations.schema.js';
import { BADGE_CRITERIA, OUTCOME_KINDS, type BadgeCriterion, type OutcomeKind } from './gamification.table.js';

export const OUTCOME_LABELS: Readonly<Record<OutcomeKind, string>> = {
  course_completed: 'Course completed',
  exam_passed: 'Exam passed',
  certification_earned: 'Certification earned',
  path_completed: 'Learning path finished',
  cobrand_used: 'Co-branded asset used',
};

export const CRITERION_LABELS: Readonly<Record<BadgeCriterion, string>> = { points: 'Points (all time)', ...OUTCOME_LABELS };

/** Points a kind scores until the enablement team sets its rule. */
export const DEFAULT_POINTS: Readonly<Record<OutcomeKind, number>> = {
  course_completed: 100,
  exam_passed: 150,
  certification_earned: 300,
  path_completed: 200,
  cobrand_used: 25,
};

export const MAX_POINTS = 100_000;

const blankToNull = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** The board a viewer asks for: people or organisations, a period ('month', 'quarter', 'all' or 'season:<id>'), filters. */
export const boardQuery = z.object({
  board: z.enum(['people', 'organisations']).catch('people'),
  period: z
    .string()
    .regex(/^(month|quarter|all|season:[0-9a-f-]{36})$/i)
    .catch('month'),
  region: z.preprocess(blankToNull, z.enum(REGIONS).optional()).catch(undefined),
  partnerType: z.preprocess(blankToNull, z.enum(PARTNER_TYPES).optional()).catch(undefined),
  tierId: z.preprocess(blankToNull, z.uuid().optional()).catch(undefined),
});
export type BoardQuery = z.output<typeof boardQuery>;

const whole = (label: string, min: number) =>
  z.coerce.number({ message: `enter ${label}` }).int('enter a whole number').min(min, `enter at least ${min}`).max(MAX_POINTS, `enter at most ${MAX_POINTS}`);

/** Every rule in one form: one points field per outcome kind. */
export const rulesForm = z.object(Object.fromEntries(OUTCOME_KINDS.map((k) => [k, whole('points', 0)])) as Record<OutcomeKind, ReturnType<typeof whole>>);
export type RulesInput = z.output<typeof rulesForm>;

const isoDay = (label: string) => z.string({ message: `enter the ${label}` }).regex(/^\d{4}-\d{2}-\d{2}$/, `enter the ${label} as YYYY-MM-DD`);

export const seasonForm = z
  .object({ name: requiredText('Name', 120), startsOn: isoDay('first day'), endsOn: isoDay('last day') })
  .refine((s) => s.endsOn >= s.startsOn, { message: 'the last day cannot be before the first', path: ['endsOn'] });
export type SeasonInput = z.output<typeof seasonForm>;

export const badgeForm = z.object({
  name: requiredText('Name', 120),
  description: optionalText(500).transform((v) => v ?? ''),
  criterion: z.enum(BADGE_CRITERIA, { message: 'choose what the badge counts' }),
  threshold: whole('a threshold', 1),
});
export type BadgeInput = z.output<typeof badgeForm>;

/** The privacy toggle: a checkbox, present or absent. */
export const privacyForm = z.object({ hidden: z.preprocess((v) => v === 'yes' || v === 'on' || v === 'true', z.boolean()) });

/** A delete form's confirmation checkbox: the row goes only when it is ticked. */
export const deleteForm = z.object({
  confirm: z.literal('yes', { message: 'tick the box to confirm the deletion' }),
});
