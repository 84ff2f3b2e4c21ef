import { z } from 'zod';
import { optionalText, pageQuery, requiredText } from '../../server/http/common.schema.js';
import { PARTNER_TYPES } from '../../server/organisations/organisations.table.js';
import { REGIONS } from '../../server/organisations/organisations.schema.js';
import { LANGUAGES, MAX_TAGS, MAX_TAG_LENGTH, splitTags } from '../../courses/catalogue/catalogue.schema.js';
import { ASSET_CATEGORIES, type AssetCategory } from './library.table.js';

export const CATEGORY_LABELS: Readonly<Record<AssetCategory, string>> = {
  presentation: 'Presentation',
  brochure: 'Brochure',
  datasheet: 'Datasheet',
  case_study: 'Case study',
  whitepaper: 'Whitepaper',
  banner: 'Banner',
  logo: 'Logo',
  video: 'Video',
  template: 'Template',
  other: 'Other',
};

const LANGUAGE_CODES = Object.keys(LANGUAGES) as [keyof typeof LANGUAGES, ...(keyof typeof LANGUAGES)[]];

/** Repeated form fields arrive as nothing, one string or an array; one message sits on the whole group. */
const repeated = <T extends string>(item: z.ZodType<T>, message: string) =>
  z
    .preprocess((v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v.filter((x) => x !== '') : [v]), z.array(item, { message }).max(100, message))
    .transform((values) => [...new Set(values)]);

/** "a, B ,, b" → ["a", "B"] (splitTags), then each tag and the count checked like course tags. */
const tagsField = z.preprocess(
  (v) => splitTags(typeof v === 'string' ? v.slice(0, 2000) : ''),
  z.array(z.string().max(MAX_TAG_LENGTH, `keep each tag to ${MAX_TAG_LENGTH} characters`)).max(MAX_TAGS, `use at most ${MAX_TAGS} tags`),
);

/** yyyy-mm-dd of a real calendar day (2026-02-30 is refused), as the end of that day in UTC; empty = never expires. */
const expiryDate = z
  .string()
  .trim()
  .optional()
  .transform((v, ctx) => {
    if (!v) return null;
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
    const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 23, 59, 59)) : null;
    if (!date || date.getUTCDate() !== Number(match![3]) || date.getUTCMonth() !== Number(match![2]) - 1 || date.getUTCFullYear() < 2000 || date.getUTCFullYear() > 2200) {
      ctx.addIssue({ code: 'custom', message: 'enter a date as yyyy-mm-dd, such as 2027-03-31' });
      return z.NEVER;
    }
    return date;
  });

/** The metadata of an asset, as the upload form, the bulk page and the edit form send it. */
export const assetFields = z.object({
  title: requiredText('Title', 200),
  description: optionalText(5000).transform((v) => v ?? ''),
  category: z.enum(ASSET_CATEGORIES, { message: `choose a category: ${ASSET_CATEGORIES.join(', ')}` }),
  language: z.enum(LANGUAGE_CODES, { message: 'choose a language' }).default('en'),
  tags: tagsField,
  managedTagIds: repeated(z.uuid(), 'choose listed tags only'),
  visiblePartnerTypes: repeated(z.enum(PARTNER_TYPES), 'choose listed partner types only'),
  visibleTierIds: repeated(z.uuid(), 'choose listed tiers only'),
  visibleRegions: repeated(z.enum(REGIONS), 'choose listed regions only'),
  expiresAt: expiryDate,
  ownerId: z.preprocess((v) => (v === '' ? undefined : v), z.uuid({ message: 'choose one of the listed owners' }).optional()),
});
export type AssetFieldsInput = z.output<typeof assetFields>;

/**
 * The upload form checked before its file is written: the same rules, except the title, which the service
 * takes from the file name when it is left empty (bulk uploads).
 */
export const uploadFields = assetFields.extend({ title: optionalText(200) });
export type UploadFieldsInput = z.output<typeof uploadFields>;

export const versionParams = z.object({ id: z.uuid(), versionId: z.uuid() });

export const LIBRARY_SORTS = ['relevance', 'newest', 'popular'] as const;

const listParam = z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.string().max(100)).max(20)).catch([]);

/** The grid's GET form: what was typed, ticked facet values, sort and page. Bad values fall back rather than fail. */
export const libraryQuery = z.object({
  q: optionalText(100).catch(undefined),
  category: listParam,
  format: listParam,
  language: listParam,
  tags: listParam,
  managedTags: listParam,
  /** Absent: relevance when something was typed, newest otherwise. */
  sort: z.enum(LIBRARY_SORTS).optional().catch(undefined),
  page: pageQuery,
});
export type LibraryQuery = z.output<typeof libraryQuery>;

export const tagGroupForm = z.object({ name: requiredText('Group name', 80) });
export const tagValueForm = z.object({ label: requiredText('Tag', MAX_TAG_LENGTH) });
export const tagParams = z.object({ id: z.uuid(), tagId: z.uuid() });
