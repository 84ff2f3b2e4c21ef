import type { PartnerType } from '../server/organisations/organisations.table.js';
import type { SearchDocumentKind } from './sync/outbox.table.js';

/**
 * The one search interface. Two engines implement it (search/engines/postgres.engine.ts, the embedded default,
 * and search/engines/meilisearch.engine.ts when MEILI_URL is set); tests/contract/search.contract.ts holds both
 * to the same behaviour.
 */

/** One searchable item (an asset or a course) as the sync worker builds it from the database. */
export interface SearchDocument {
  /** `${kind}:${entityId}`: unique across kinds. */
  id: string;
  kind: SearchDocumentKind;
  entityId: string;
  title: string;
  description: string;
  /** Free tags. */
  tags: string[];
  /** Managed tags as "groupKey:label" (e.g. "product_line:Firewall"); each group is a facet. */
  managedTags: string[];
  /** Text inside the file: a PDF's text layer, a SCORM package's HTML text. Capped by the builder. */
  body: string;
  /** Asset category (presentation, brochure...) or "course". */
  category: string;
  /** File format from the bytes (pdf, png, pptx...) or "scorm" for courses. */
  format: string;
  language: string;
  /** Empty list = no restriction on that dimension. */
  visiblePartnerTypes: PartnerType[];
  visibleTierIds: string[];
  visibleRegions: string[];
  /** Partners never see an item that is not published (draft/archived course, asset without a version, archived asset). */
  published: boolean;
  /** ISO time; partners stop seeing the item from then on. */
  expiresAt: string | null;
  /** ISO time, for "newest". */
  createdAt: string;
  /** For "most downloaded" (courses: completions or 0). */
  popularity: number;
}

/**
 * Who is searching, as typed values only: engines turn it into filters with parameters (SQL) or escaped
 * filter values (Meilisearch), so no input can widen what a partner sees.
 */
export type SearchViewer =
  /** Vendor staff; `liveOnly` for those who do not manage content (they see what partners can, whatever the lists say). */
  | { kind: 'vendor'; liveOnly?: boolean }
  | { kind: 'partner'; partnerType: PartnerType | null; tierId: string | null; region: string | null };

export type SearchSort = 'relevance' | 'newest' | 'popular';

/** Facets every engine counts. `managedTag` values are "groupKey:label". */
export const SEARCH_FACETS = ['kind', 'category', 'format', 'language', 'tags', 'managedTags'] as const;
export type SearchFacet = (typeof SEARCH_FACETS)[number];

export interface SearchQuery {
  /** What was typed; may be empty (browse). */
  text: string;
  viewer: SearchViewer;
  /** "Now" for expiry, injected so tests can move time. */
  now: Date;
  /** Values within a facet are OR-ed; facets are AND-ed. */
  filters: Partial<Record<SearchFacet, string[]>>;
  sort: SearchSort;
  /** 1-based. */
  page: number;
  pageSize: number;
}

/** Highlighted text as parts, so views escape everything and wrap only `match` parts in <mark>. */
export type HighlightPart = { text: string; match: boolean };

export interface SearchHit {
  id: string;
  kind: SearchDocumentKind;
  entityId: string;
  title: string;
  titleHighlight: HighlightPart[];
  /** A short excerpt of description or body around the first match (or the description's start). */
  snippet: HighlightPart[];
}

export interface SearchResult {
  total: number;
  hits: SearchHit[];
  /** Counts over everything matching the query and the viewer's visibility, per facet value. */
  facets: Record<SearchFacet, { value: string; count: number }[]>;
}

export interface SearchEngine {
  readonly name: 'postgres' | 'meilisearch';
  /** Creates or updates the index settings (searchable, filterable, sortable attributes, ranking). Idempotent. */
  setup(): Promise<void>;
  upsert(documents: readonly SearchDocument[]): Promise<void>;
  remove(ids: readonly string[]): Promise<void>;
  /** Empties the index (reindex from scratch). */
  clear(): Promise<void>;
  /** How many documents the index holds (a fresh start with items but an empty index triggers a rebuild). */
  count(): Promise<number>;
  search(query: SearchQuery): Promise<SearchResult>;
  /** Titles of items the viewer may see that match what was typed so far (typo tolerant, prefix), best first. */
  suggest(text: string, viewer: SearchViewer, now: Date, limit: number): Promise<string[]>;
  close(): Promise<void>;
}
