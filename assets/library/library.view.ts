import { formatBytes } from '../../courses/scorm/scorm.errors.js';
import { LANGUAGES, type LanguageCode } from '../../courses/catalogue/catalogue.schema.js';
import { PARTNER_TYPES } from '../../server/organisations/organisations.table.js';
import { PARTNER_TYPE_LABELS, REGIONS } from '../../server/organisations/organisations.schema.js';
import { ASSET_CATEGORIES, type AssetRow, type AssetVersionRow } from './library.table.js';
import { CATEGORY_LABELS } from './library.schema.js';

/** View-models shared by the library pages: cards, badges, labels and the asset form's options. */

export const FORMAT_LABELS: Readonly<Record<string, string>> = {
  pdf: 'PDF',
  png: 'PNG image',
  jpeg: 'JPEG image',
  webp: 'WebP image',
  svg: 'SVG drawing',
  pptx: 'PowerPoint',
  docx: 'Word',
  xlsx: 'Excel',
  mp4: 'MP4 video',
  zip: 'Zip archive',
  other: 'Other file',
};

export const languageLabel = (code: string) => LANGUAGES[code as LanguageCode] ?? code;
export const categoryLabel = (category: string) => CATEGORY_LABELS[category as keyof typeof CATEGORY_LABELS] ?? category;
export const formatLabel = (format: string) => FORMAT_LABELS[format] ?? format.toUpperCase();

/** The card's picture: the stored WebP preview, or a generic tile naming the format. */
export function previewModel(asset: Pick<AssetRow, 'id'>, version: Pick<AssetVersionRow, 'id' | 'previewKey' | 'format'>) {
  return {
    imageUrl: version.previewKey ? `/library/assets/${asset.id}/versions/${version.id}/preview.webp` : null,
    format: version.format,
    formatShort: version.format === 'other' ? 'FILE' : version.format.toUpperCase(),
  };
}

/** Archived, expired (the enablement team still sees both) or expiring. */
export function statusBadges(asset: Pick<AssetRow, 'archivedAt' | 'expiresAt'>, now: Date) {
  const badges: { label: string; kind: string }[] = [];
  if (asset.archivedAt) badges.push({ label: 'Archived', kind: 'badge--muted' });
  if (asset.expiresAt && asset.expiresAt <= now) badges.push({ label: 'Expired', kind: 'badge--danger' });
  return badges;
}

export function cardModel({ asset, version }: { asset: AssetRow; version: AssetVersionRow }, now: Date) {
  return {
    id: asset.id,
    title: asset.title,
    language: asset.language,
    categoryLabel: categoryLabel(asset.category),
    formatLabel: formatLabel(version.format),
    size: formatBytes(version.byteSize),
    preview: previewModel(asset, version),
    badges: statusBadges(asset, now),
    downloadCount: asset.downloadCount,
  };
}

/** yyyy-mm-dd for the date input; the stored expiry is the end of that day in UTC. */
export const dateInputValue = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : '');

/** The posted form as it is shown again after a refusal: text fields and lists of ticked boxes, nothing else. */
export function submittedValues(body: unknown): Record<string, string | string[]> {
  const entries = Object.entries((body ?? {}) as Record<string, unknown>).flatMap(([name, value]): [string, string | string[]][] =>
    typeof value === 'string' ? [[name, value]] : Array.isArray(value) ? [[name, value.filter((item) => typeof item === 'string')]] : [],
  );
  return Object.fromEntries(entries);
}

const asList = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export interface FormOptions {
  tagGroups: { id: string; name: string; tags: { id: string; label: string }[] }[];
  tiers: { id: string; name: string }[];
  staff: { id: string; name: string }[];
}

/** The option lists of the asset form (upload, bulk upload, edit) with the given values ticked or selected. */
export function assetFormModel(options: FormOptions, values: Record<string, string | string[]>) {
  const ticked = (name: string) => new Set(asList(values[name]));
  return {
    categories: ASSET_CATEGORIES.map((c) => ({ value: c, label: CATEGORY_LABELS[c], selected: c === values.category })),
    languages: Object.entries(LANGUAGES).map(([value, label]) => ({ value, label, selected: value === (values.language ?? 'en') })),
    owners: options.staff.map((u) => ({ value: u.id, label: u.name, selected: u.id === values.ownerId })),
    tagGroups: options.tagGroups
      .filter((g) => g.tags.length > 0)
      .map((g) => ({ name: g.name, options: g.tags.map((t) => ({ value: t.id, label: t.label, checked: ticked('managedTagIds').has(t.id) })) })),
    partnerTypes: PARTNER_TYPES.map((t) => ({ value: t, label: PARTNER_TYPE_LABELS[t], checked: ticked('visiblePartnerTypes').has(t) })),
    tiers: options.tiers.map((t) => ({ value: t.id, label: t.name, checked: ticked('visibleTierIds').has(t.id) })),
    regions: REGIONS.map((r) => ({ value: r, label: r, checked: ticked('visibleRegions').has(r) })),
  };
}

export const SORT_LABELS = { relevance: 'Relevance', newest: 'Newest', popular: 'Most downloaded' } as const;

/** The grid's URL for a query: repeated facet values stay repeated (?format=pdf&format=png). */
export function libraryHref(query: Record<string, string | readonly string[] | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === '' || (key === 'page' && value === 1)) continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  const qs = params.toString();
  return qs ? `/library?${qs}` : '/library';
}

/** Previous/next links and "showing x–y of n", only when there is more than one page. */
export function libraryPager(query: Record<string, string | readonly string[] | number | undefined>, total: number, page: number, pageSize: number) {
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  if (pageCount <= 1) return null;
  return {
    total,
    from: (page - 1) * pageSize + 1,
    to: Math.min(total, page * pageSize),
    previousHref: page > 1 ? libraryHref({ ...query, page: page - 1 }) : null,
    nextHref: page < pageCount ? libraryHref({ ...query, page: page + 1 }) : null,
  };
}

interface FacetCount {
  value: string;
  count: number;
}

/** One facet's checkboxes: every counted value plus any ticked value the counts no longer hold (so it can be unticked). */
export function facetModel(name: string, legend: string, counts: readonly FacetCount[], ticked: readonly string[], label: (value: string) => string) {
  const values = [...counts];
  for (const value of ticked) if (!values.some((v) => v.value === value)) values.push({ value, count: 0 });
  return {
    name,
    legend,
    options: values.map((v, i) => ({ id: `facet-${name}-${i}`, value: v.value, label: label(v.value), count: v.count, checked: ticked.includes(v.value) })),
  };
}
