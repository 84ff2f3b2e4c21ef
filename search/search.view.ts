import { CATEGORY_LABELS } from '../assets/library/library.schema.js';
import { LANGUAGES } from '../courses/catalogue/catalogue.schema.js';
import { SEARCH_FACETS, type SearchFacet, type SearchResult } from './search.types.js';
import { SEARCH_SORTS, type SearchPageQuery } from './search.schema.js';

const FACET_LABELS: Record<Exclude<SearchFacet, 'managedTags'>, string> = { kind: 'Type', category: 'Category', format: 'Format', language: 'Language', tags: 'Tags' };
const KIND_LABELS: Record<string, string> = { asset: 'Asset', course: 'Course' };
const SORT_LABELS: Record<(typeof SEARCH_SORTS)[number], string> = { relevance: 'Best match', newest: 'Newest', popular: 'Most popular' };

function valueLabel(facet: SearchFacet, value: string): string {
  if (facet === 'kind') return KIND_LABELS[value] ?? value;
  if (facet === 'category') return value === 'course' ? 'Course' : (CATEGORY_LABELS[value as keyof typeof CATEGORY_LABELS] ?? value);
  if (facet === 'language') return LANGUAGES[value as keyof typeof LANGUAGES] ?? value;
  if (facet === 'format') return value === 'scorm' ? 'SCORM course' : value.toUpperCase();
  if (facet === 'managedTags') return value.slice(value.indexOf(':') + 1);
  return value;
}

/** "product_line" -> "Product line": managed tag groups are facets of their own. */
const groupLabel = (key: string) => (key.charAt(0).toUpperCase() + key.slice(1)).replace(/[_-]+/g, ' ');

/** The query string of a search page, repeated keys for facet values. */
export function searchHref(query: SearchPageQuery, page: number): string {
  const params = new URLSearchParams();
  if (query.q) params.set('q', query.q);
  for (const facet of SEARCH_FACETS) for (const v of query[facet]) params.append(facet, v);
  if (query.sort !== 'relevance') params.set('sort', query.sort);
  if (page > 1) params.set('page', String(page));
  const qs = params.toString();
  return qs ? `/search?${qs}` : '/search';
}

/** Checkbox groups: one per facet, and one per managed tag group; chosen values stay listed even at zero. */
function facetGroups(query: SearchPageQuery, result: SearchResult) {
  type Group = { id: string; legend: string; name: SearchFacet; options: { value: string; label: string; count: number; checked: boolean; id: string }[] };
  const group = (id: string, legend: string, facet: SearchFacet, counts: { value: string; count: number }[], chosen: string[]): Group => {
    const seen = new Set(counts.map((c) => c.value));
    const all = [...counts, ...chosen.filter((v) => !seen.has(v)).map((value) => ({ value, count: 0 }))];
    const options = all.map((c, i) => ({ value: c.value, label: valueLabel(facet, c.value), count: c.count, checked: chosen.includes(c.value), id: `${id}-${i}` }));
    return { id, legend, name: facet, options };
  };
  const groups: Group[] = [];
  for (const facet of SEARCH_FACETS) {
    if (facet !== 'managedTags') groups.push(group(`facet-${facet}`, FACET_LABELS[facet], facet, result.facets[facet], query[facet]));
  }
  const groupKey = (value: string) => value.slice(0, Math.max(0, value.indexOf(':')));
  const keys = [...new Set([...result.facets.managedTags.map((c) => groupKey(c.value)), ...query.managedTags.map(groupKey)])];
  keys.forEach((key, i) => {
    const inGroup = (v: string) => groupKey(v) === key;
    groups.push(group(`facet-tag-${i}`, groupLabel(key || 'tag'), 'managedTags', result.facets.managedTags.filter((c) => inGroup(c.value)), query.managedTags.filter(inGroup)));
  });
  return groups.filter((g) => g.options.length > 0);
}

export function searchPageModel(query: SearchPageQuery, result: SearchResult, pageSize: number) {
  const pageCount = Math.max(1, Math.ceil(result.total / pageSize));
  const filtered = SEARCH_FACETS.some((f) => query[f].length > 0);
  return {
    title: query.q ? `Search: ${query.q}` : 'Search',
    query,
    filtered,
    clearFiltersHref: searchHref({ ...query, ...Object.fromEntries(SEARCH_FACETS.map((f) => [f, []])) }, 1),
    sorts: SEARCH_SORTS.map((s) => ({ value: s, label: SORT_LABELS[s], selected: s === query.sort })),
    facetGroups: facetGroups(query, result),
    total: result.total,
    hits: result.hits.map((h) => ({
      kindLabel: KIND_LABELS[h.kind] ?? h.kind,
      href: h.kind === 'asset' ? `/library/assets/${h.entityId}` : `/courses/${h.entityId}`,
      titleHighlight: h.titleHighlight,
      snippet: h.snippet,
    })),
    pagination: {
      page: query.page,
      pageCount,
      from: result.total === 0 ? 0 : Math.min(result.total, (query.page - 1) * pageSize + 1),
      to: Math.min(result.total, query.page * pageSize),
      total: result.total,
      previousHref: query.page > 1 ? searchHref(query, Math.min(query.page - 1, pageCount)) : null,
      nextHref: query.page < pageCount ? searchHref(query, query.page + 1) : null,
    },
  };
}
