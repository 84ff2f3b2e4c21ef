import { z } from 'zod';
import { pageQuery } from '../server/http/common.schema.js';
import { SEARCH_FACETS, type SearchFacet } from './search.types.js';

export const SEARCH_SORTS = ['relevance', 'newest', 'popular'] as const;
export const SEARCH_PAGE_SIZE = 20;
const MAX_VALUES_PER_FACET = 20;

/** One facet's chosen values: a repeated query parameter (or one), trimmed, bounded; odd input is dropped, not refused. */
const facetValues = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .catch(undefined)
  .transform((v) =>
    [...new Set((v === undefined ? [] : Array.isArray(v) ? v : [v]).map((s) => s.trim().slice(0, 120)).filter(Boolean))].slice(0, MAX_VALUES_PER_FACET),
  );

export const searchQuery = z.object({
  q: z.string().optional().catch(undefined).transform((v) => (v ?? '').trim().slice(0, 200)),
  sort: z.enum(SEARCH_SORTS).catch('relevance'),
  page: pageQuery,
  ...(Object.fromEntries(SEARCH_FACETS.map((f) => [f, facetValues])) as Record<SearchFacet, typeof facetValues>),
});
export type SearchPageQuery = z.infer<typeof searchQuery>;

export const suggestQuery = z.object({
  q: z.string().optional().catch(undefined).transform((v) => (v ?? '').trim().slice(0, 100)),
});
