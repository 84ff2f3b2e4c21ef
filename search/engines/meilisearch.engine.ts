import { Meilisearch, type SearchParams, type Task } from 'meilisearch';
import { SEARCH_FACETS, type HighlightPart, type SearchDocument, type SearchEngine, type SearchFacet, type SearchQuery, type SearchResult, type SearchViewer } from '../search.types.js';
import { queryWords } from '../query-text.js';

/** Marks around matches in Meilisearch's formatted text; control characters never appear in our text. */
const PRE = '\u0001';
const POST = '\u0002';
const VALUES_PER_FACET = 30;
const TASK_TIMEOUT_MS = 60_000;

/** The document as Meilisearch stores it: ids may not contain ":", and times are numbers so they can be compared. */
interface MeiliDocument {
  key: string;
  id: string;
  kind: string;
  entityId: string;
  title: string;
  description: string;
  tags: string[];
  managedTags: string[];
  managedTagLabels: string[];
  body: string;
  category: string;
  format: string;
  language: string;
  visiblePartnerTypes: string[];
  visibleTierIds: string[];
  visibleRegions: string[];
  published: boolean;
  expiresAtMs: number | null;
  createdAtMs: number;
  popularity: number;
}

const keyOf = (id: string) => id.replace(':', '-');

function toMeili({ expiresAt, createdAt, ...d }: SearchDocument): MeiliDocument {
  return {
    ...d,
    key: keyOf(d.id),
    managedTagLabels: d.managedTags.map((t) => t.slice(t.indexOf(':') + 1)),
    expiresAtMs: expiresAt ? Date.parse(expiresAt) : null,
    createdAtMs: Date.parse(createdAt),
  };
}

/**
 * A filter value as a double-quoted Meilisearch string: backslashes and quotes escaped, so a value such as
 * `EMEA" OR id EXISTS` stays one literal and can never add a condition.
 */
export function quoteFilterValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Fixed attribute names only; values always go through quoteFilterValue. */
function visibilityFilter(viewer: SearchViewer, now: Date): string[] {
  const live = ['published = true', `(expiresAtMs IS NULL OR expiresAtMs > ${Math.trunc(now.getTime())})`];
  if (viewer.kind === 'vendor') return viewer.liveOnly ? live : [];
  const list = (attribute: string, value: string | null) =>
    value === null ? `${attribute} IS EMPTY` : `(${attribute} IS EMPTY OR ${attribute} = ${quoteFilterValue(value)})`;
  return [
    ...live,
    list('visiblePartnerTypes', viewer.partnerType),
    list('visibleTierIds', viewer.tierId),
    list('visibleRegions', viewer.region),
  ];
}

function facetFilters(filters: Partial<Record<SearchFacet, string[]>>, except?: SearchFacet): string[] {
  return Object.entries(filters)
    .filter(([facet, values]) => facet !== except && (SEARCH_FACETS as readonly string[]).includes(facet) && values && values.length > 0)
    .map(([facet, values]) => `${facet} IN [${values!.map(quoteFilterValue).join(', ')}]`);
}

const andAll = (parts: string[]) => (parts.length === 0 ? undefined : parts.join(' AND '));

function parseFormatted(text: string | undefined): HighlightPart[] {
  if (!text) return [];
  const parts: HighlightPart[] = [];
  for (const [i, piece] of text.split(new RegExp(`[${PRE}${POST}]`)).entries()) {
    if (piece) parts.push({ text: piece, match: i % 2 === 1 });
  }
  return parts;
}

async function settled(task: Promise<Task>): Promise<void> {
  const done = await task;
  if (done.status !== 'succeeded') throw new Error(`Meilisearch task ${done.type} ${done.status}: ${done.error?.message ?? 'no detail'}`);
}

/** Meilisearch through the official client; the project sets the index's attributes and ranking in setup(). */
export function createMeilisearchEngine(options: { url: string; apiKey: string | undefined; indexName: string }): SearchEngine {
  const client = new Meilisearch({ host: options.url, apiKey: options.apiKey });
  const index = client.index<MeiliDocument>(options.indexName);
  const wait = { timeout: TASK_TIMEOUT_MS };

  function facetsFrom(distribution: Record<string, Record<string, number>> | undefined, only?: SearchFacet) {
    const facets = {} as SearchResult['facets'];
    for (const facet of only ? [only] : SEARCH_FACETS) {
      facets[facet] = Object.entries(distribution?.[facet] ?? {})
        .map(([value, count]) => ({ value, count }))
        .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
        .slice(0, VALUES_PER_FACET);
    }
    return facets;
  }

  return {
    name: 'meilisearch',
    async setup() {
      await client.health();
      const created = await client.createIndex(options.indexName, { primaryKey: 'key' }).waitTask(wait);
      if (created.status === 'failed' && created.error?.code !== 'index_already_exists') throw new Error(`Meilisearch could not create the index: ${created.error?.message}`);
      await settled(
        index
          .updateSettings({
            searchableAttributes: ['title', 'tags', 'managedTagLabels', 'description', 'body'],
            filterableAttributes: ['kind', 'category', 'format', 'language', 'tags', 'managedTags', 'visiblePartnerTypes', 'visibleTierIds', 'visibleRegions', 'published', 'expiresAtMs'],
            sortableAttributes: ['createdAtMs', 'popularity'],
            rankingRules: ['words', 'typo', 'proximity', 'attribute', 'sort', 'exactness'],
            typoTolerance: { enabled: true, minWordSizeForTypos: { oneTypo: 4, twoTypos: 8 } },
            faceting: { maxValuesPerFacet: 100 },
            pagination: { maxTotalHits: 10_000 },
          })
          .waitTask(wait),
      );
    },
    async upsert(documents) {
      if (documents.length === 0) return;
      await settled(index.addDocuments(documents.map(toMeili), { primaryKey: 'key' }).waitTask(wait));
    },
    async remove(ids) {
      if (ids.length === 0) return;
      await settled(index.deleteDocuments(ids.map(keyOf)).waitTask(wait));
    },
    async clear() {
      await settled(index.deleteAllDocuments().waitTask(wait));
    },
    async count() {
      return (await index.getStats()).numberOfDocuments;
    },
    async search(query: SearchQuery): Promise<SearchResult> {
      const visibility = visibilityFilter(query.viewer, query.now);
      const q = queryWords(query.text).join(' ');
      const pageSize = Math.max(1, Math.min(100, Math.floor(query.pageSize)));
      const page = Math.max(1, Math.floor(query.page));
      const sort = query.sort === 'newest' || (query.sort === 'relevance' && !q) ? ['createdAtMs:desc'] : query.sort === 'popular' ? ['popularity:desc', 'createdAtMs:desc'] : undefined;
      const main: SearchParams & { indexUid: string } = {
        indexUid: options.indexName,
        q,
        filter: andAll([...visibility, ...facetFilters(query.filters)]),
        facets: [...SEARCH_FACETS],
        sort,
        page,
        hitsPerPage: pageSize,
        matchingStrategy: 'all',
        attributesToHighlight: ['title'],
        attributesToCrop: ['description', 'body'],
        cropLength: 30,
        highlightPreTag: PRE,
        highlightPostTag: POST,
        showMatchesPosition: true,
      };
      // Each selected facet is counted without its own selection, so its other values stay choosable.
      const selected = SEARCH_FACETS.filter((f) => (query.filters[f]?.length ?? 0) > 0);
      const perFacet = selected.map((facet) => ({
        indexUid: options.indexName,
        q,
        filter: andAll([...visibility, ...facetFilters(query.filters, facet)]),
        facets: [facet],
        limit: 0,
        matchingStrategy: 'all' as const,
      }));
      const { results } = await client.multiSearch({ queries: [main, ...perFacet] });
      const [first, ...rest] = results;
      const facets = facetsFrom(first!.facetDistribution);
      selected.forEach((facet, i) => Object.assign(facets, facetsFrom(rest[i]!.facetDistribution, facet)));
      return {
        total: first!.totalHits ?? first!.estimatedTotalHits ?? 0,
        hits: first!.hits.map((raw) => {
          const hit = raw as unknown as MeiliDocument & { _formatted?: Partial<Record<keyof MeiliDocument, string>>; _matchesPosition?: Record<string, unknown> };
          const matched = hit._matchesPosition ?? {};
          const snippetSource = 'description' in matched || !('body' in matched) ? hit._formatted?.description : hit._formatted?.body;
          return {
            id: hit.id,
            kind: hit.kind as SearchDocument['kind'],
            entityId: hit.entityId,
            title: hit.title,
            titleHighlight: parseFormatted(hit._formatted?.title ?? hit.title),
            snippet: parseFormatted(snippetSource),
          };
        }),
        facets,
      };
    },
    async suggest(text: string, viewer: SearchViewer, now: Date, limit: number) {
      const q = queryWords(text).join(' ');
      if (!q) return [];
      const result = await index.search(q, {
        filter: andAll(visibilityFilter(viewer, now)),
        attributesToSearchOn: ['title'],
        attributesToRetrieve: ['title'],
        matchingStrategy: 'all',
        limit: Math.max(1, Math.min(20, limit)) * 2,
      });
      return [...new Set(result.hits.map((h) => h.title))].slice(0, Math.max(1, Math.min(20, limit)));
    },
    async close() {
      // The client holds no connection open between requests.
    },
  };
}
