import { z } from 'zod';
import { optionalText, pageQuery, requiredText } from '../../server/http/common.schema.js';
import { PARTNER_TYPES } from '../../server/organisations/organisations.table.js';
import { REGIONS } from '../../server/organisations/organisations.schema.js';
import { USER_ROLES } from '../../server/users/users.table.js';
import { courseStatus } from './courses.table.js';

export const COURSE_STATUSES = courseStatus.enumValues;
export type CourseStatus = (typeof COURSE_STATUSES)[number];

export const COURSE_STATUS_LABELS: Readonly<Record<CourseStatus, string>> = { draft: 'Draft', published: 'Published', archived: 'Archived' };

/** Languages a course can be in (ISO 639-1), with their names in English for the settings form and the catalogue. */
export const LANGUAGES = {
  en: 'English',
  de: 'German',
  fr: 'French',
  es: 'Spanish',
  it: 'Italian',
  nl: 'Dutch',
  pt: 'Portuguese',
  pl: 'Polish',
  sv: 'Swedish',
  ja: 'Japanese',
  ko: 'Korean',
  zh: 'Chinese',
} as const;
export type LanguageCode = keyof typeof LANGUAGES;
const LANGUAGE_CODES = Object.keys(LANGUAGES) as [LanguageCode, ...LanguageCode[]];

export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 40;

/** "Sales, onboarding ,, sales" → ["Sales", "onboarding"]: trimmed, inner spaces collapsed, duplicates (any case) dropped. */
export function splitTags(input: string): string[] {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const raw of input.split(',')) {
    const tag = raw.trim().replace(/\s+/g, ' ');
    if (!tag || seen.has(tag.toLowerCase())) continue;
    seen.add(tag.toLowerCase());
    tags.push(tag);
  }
  return tags;
}

/**
 * Checkbox groups arrive as nothing, one string, or an array of strings. Checked as a whole, so one message
 * sits on the group (not on "visibleRegions.2").
 */
export const checkboxList = <T extends string>(isAllowed: (v: string) => v is T, message: string) =>
  z
    .preprocess((v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(z.string(), { message }).max(100, message))
    .refine((values): values is T[] => values.every(isAllowed), { message })
    .transform((values) => [...new Set(values)] as T[]);

export const oneOf =
  <T extends string>(allowed: readonly T[]) =>
  (v: string): v is T =>
    (allowed as readonly string[]).includes(v);
export const isUuid = (v: string): v is string => z.uuid().safeParse(v).success;

/** A checkbox: present (any of the values browsers send) or absent. */
export const checkbox = z.preprocess((v) => v === 'yes' || v === 'on' || v === 'true' || v === true, z.boolean());

export const settingsForm = z.object({
  title: requiredText('Title', 200),
  description: optionalText(5000).transform((v) => v ?? ''),
  durationMinutes: z
    .preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      z.coerce.number({ message: 'enter a number of minutes' }).int('enter whole minutes').min(1, 'enter at least 1 minute').max(10_000, 'enter at most 10,000 minutes').optional(),
    )
    .transform((v) => v ?? null),
  tags: z
    .string()
    .max(2000, 'the tags are too long')
    .optional()
    .transform((v, ctx) => {
      const tags = splitTags(v ?? '');
      if (tags.some((t) => t.length > MAX_TAG_LENGTH)) ctx.addIssue({ code: 'custom', message: `keep each tag to ${MAX_TAG_LENGTH} characters` });
      else if (tags.length > MAX_TAGS) ctx.addIssue({ code: 'custom', message: `use at most ${MAX_TAGS} tags` });
      else return tags;
      return z.NEVER;
    }),
  language: z.enum(LANGUAGE_CODES, { message: 'choose a language' }),
  status: z.enum(COURSE_STATUSES, { message: 'choose a status' }),
  allowNewAttemptAfterCompletion: checkbox,
  visiblePartnerTypes: checkboxList(oneOf(PARTNER_TYPES), 'choose listed partner types only'),
  visibleTierIds: checkboxList(isUuid, 'choose listed tiers only'),
  visibleRegions: checkboxList(oneOf(REGIONS), 'choose listed regions only'),
});
export type SettingsInput = z.output<typeof settingsForm>;

const emptyToNull = (v: unknown) => (v === undefined || v === '' ? null : v);

export const assignmentForm = z
  .object({
    organisationId: z.preprocess(emptyToNull, z.uuid({ message: 'choose one of the listed organisations' }).nullable()),
    role: z.preprocess(emptyToNull, z.enum(USER_ROLES, { message: 'choose one of the listed roles' }).nullable()),
  })
  .refine((v) => v.organisationId !== null || v.role !== null, { message: 'choose an organisation, a role, or both', path: ['organisationId'] });
export type AssignmentInput = z.output<typeof assignmentForm>;

export const assignmentParams = z.object({ id: z.uuid(), assignmentId: z.uuid() });

export const catalogueQuery = z.object({
  q: optionalText(100).catch(undefined),
  page: pageQuery,
});

export const reportQuery = z.object({
  organisationId: z.uuid().optional().catch(undefined),
  page: pageQuery,
});

/** A cover's URL: the course and the SHA-256 (hex) of the image, which changes whenever the image does. */
export const coverParams = z.object({ id: z.uuid(), hash: z.string().regex(/^[0-9a-f]{64}$/) });
