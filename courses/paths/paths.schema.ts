import { z } from 'zod';
import { optionalText, requiredText } from '../../server/http/common.schema.js';
import { PARTNER_TYPES } from '../../server/organisations/organisations.table.js';
import { REGIONS } from '../../server/organisations/organisations.schema.js';
import { USER_ROLES } from '../../server/users/users.table.js';
import { checkbox, checkboxList, isUuid, oneOf } from '../catalogue/catalogue.schema.js';
import { learningPathStatus, type LearningPathStatus } from './paths.table.js';

export const PATH_STATUSES = learningPathStatus.enumValues;
export const PATH_STATUS_LABELS: Readonly<Record<LearningPathStatus, string>> = { draft: 'Draft', published: 'Published', archived: 'Archived' };
export const MAX_DUE_DAYS = 3650;

export const pathForm = z.object({
  title: requiredText('Title', 200),
  description: optionalText(5000).transform((v) => v ?? ''),
  status: z.enum(PATH_STATUSES, { message: 'choose a status' }),
  dueDays: z
    .preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      z.coerce
        .number({ message: 'enter a number of days' })
        .int('enter whole days')
        .min(1, 'enter at least 1 day')
        .max(MAX_DUE_DAYS, `enter at most ${MAX_DUE_DAYS} days`)
        .optional(),
    )
    .transform((v) => v ?? null),
});
export type PathInput = z.output<typeof pathForm>;

/** "course:<uuid>" or "asset:<uuid>", from one select listing both. */
export const stepForm = z.object({
  target: z
    .string({ message: 'choose a course or an asset' })
    .regex(/^(course|asset):[0-9a-f-]{36}$/i, 'choose a course or an asset from the list')
    .transform((v) => {
      const [kind, id] = v.split(':') as ['course' | 'asset', string];
      return { kind, id: id.toLowerCase() };
    })
    .pipe(z.object({ kind: z.enum(['course', 'asset']), id: z.uuid('choose a course or an asset from the list') })),
  requiresPrevious: checkbox,
});
export type StepInput = z.output<typeof stepForm>;

export const moveForm = z.object({ direction: z.enum(['up', 'down'], { message: 'choose up or down' }) });
export const prerequisiteForm = z.object({ requiresPrevious: checkbox });

export const ruleForm = z
  .object({
    partnerTypes: checkboxList(oneOf(PARTNER_TYPES), 'choose listed partner types only'),
    tierIds: checkboxList(isUuid, 'choose listed tiers only'),
    regions: checkboxList(oneOf(REGIONS), 'choose listed regions only'),
    organisationIds: checkboxList(isUuid, 'choose listed organisations only'),
    roles: checkboxList(oneOf(USER_ROLES), 'choose listed roles only'),
  })
  // A rule with nothing ticked would assign the path to every account, vendor staff included: almost never meant.
  .refine((r) => r.partnerTypes.length + r.tierIds.length + r.regions.length + r.organisationIds.length + r.roles.length > 0, {
    message: 'tick at least one partner type, tier, region, organisation or role',
    path: ['rule'],
  });
export type RuleInput = z.output<typeof ruleForm>;

export const stepParams = z.object({ id: z.uuid(), stepId: z.uuid() });
export const ruleParams = z.object({ id: z.uuid(), ruleId: z.uuid() });
export const reportQuery = z.object({ organisationId: z.uuid().optional().catch(undefined) });
