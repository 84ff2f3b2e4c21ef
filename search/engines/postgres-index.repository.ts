import { inArray, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../server/db/database.js';
import { searchDocuments, searchWords } from './postgres-index.table.js';
import type { SearchDocument, SearchFacet, SearchViewer } from '../search.types.js';

/*
 * Queries of the embedded engine. Every value from a user (words, filter values) and from the viewer is a bound
 * parameter; the only text pasted into SQL is column names and tsquery operators this module writes itself.
 */

/** Relevance weights for D (body), C (description), B (tags), A (title). */
const RANK_WEIGHTS = sql.raw(`'{0.1, 0.2, 0.4, 1.0}'::float4[]`);

/** Rows of a raw query; both drivers (node-postgres and PGlite) answer with `{ rows }`. */
async function rowsOf<T>(db: Executor, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

const arrayOf = (values: readonly string[]): SQL => (values.length === 0 ? sql`'{}'::text[]` : sql`array[${sql.join(values.map((v) => sql`${v}`), sql`, `)}]::text[]`);

/** Postgres text cannot hold NUL; extracted text sometimes does. */
const clean = (s: string) => s.replace(/\u0000/g, '');

function documentVector(d: Omit<SearchDocument, 'expiresAt' | 'createdAt'>): SQL {
  const tagText = [...d.tags, ...d.managedTags.map((t) => t.slice(t.indexOf(':') + 1))].join(' ');
  return sql`setweight(to_tsvector('simple', ${clean(d.title)}), 'A') || setweight(to_tsvector('simple', ${tagText}), 'B')
    || setweight(to_tsvector('simple', ${clean(d.description)}), 'C') || setweight(to_tsvector('simple', ${clean(d.body)}), 'D')`;
}

export async function upsertDocuments(db: Executor, docs: readonly SearchDocument[]): Promise<void> {
  if (docs.length === 0) return;
  const rows = docs.map(({ expiresAt, createdAt, ...d }) => ({
    ...d,
    title: clean(d.title),
    description: clean(d.description),
    body: clean(d.body),
    expiresAt: expiresAt ? new Date(expiresAt) : null,
    createdAt: new Date(createdAt),
    document: documentVector(d) as unknown as string,
  }));
  const columns = Object.keys(rows[0]!).filter((k) => k !== 'id') as (keyof typeof searchDocuments.$inferInsert)[];
  const set = Object.fromEntries(columns.map((c) => [c, sql.raw(`excluded.${searchDocuments[c as 'title'].name}`)]));
  await db.insert(searchDocuments).values(rows).onConflictDoUpdate({ target: searchDocuments.id, set });
  await addWordsOf(db, docs.map((d) => d.id));
}

/** Feeds the typo dictionary with the words of these documents. Words are only ever compared, never shown. */
async function addWordsOf(db: Executor, ids: readonly string[]): Promise<void> {
  await db.execute(sql`
    insert into search_words (word)
    select distinct w from search_documents d, unnest(tsvector_to_array(d.document)) as w
    where d.id in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)}) and length(w) between 3 and 40 and w !~ '^[0-9]+$'
    on conflict do nothing`);
}

export async function deleteDocuments(db: Executor, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.execute(sql`delete from search_documents where id in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`);
}

export async function deleteAllDocuments(db: Executor): Promise<void> {
  await db.delete(searchDocuments);
  await db.delete(searchWords);
}

/**
 * Up to `perWord` dictionary words close to each typed word: whole-word trigram similarity above pg_trgm's
 * threshold (0.3), and for the word still being typed also words it is close to the start of ("onbord" ->
 * "onboarding", word similarity above 0.5). Both operators use the trigram index on search_words.
 */
export async function findCorrections(db: Executor, words: readonly string[], typing: string | null, perWord: number): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>();
  if (words.length === 0) return result;
  const rows = await db.transaction(async (tx) => {
    // Local to this transaction: the threshold of the <% operator below.
    await tx.execute(sql`select set_config('pg_trgm.word_similarity_threshold', '0.5', true)`);
    return rowsOf<{ token: string; word: string }>(tx, sql`
      select t.token, c.word
      from unnest(${arrayOf(words)}) as t(token)
      cross join lateral (
        select word from search_words
        where word % t.token or (t.token = ${typing ?? ''} and t.token <% word)
        order by greatest(similarity(word, t.token), word_similarity(t.token, word)) desc, word
        limit ${perWord}
      ) as c`);
  });
  for (const row of rows) result.set(row.token, [...(result.get(row.token) ?? []), row.word]);
  return result;
}

/** What a partner may see: published, not expired, and each non-empty visibility list names their value. */
export function visibilityCondition(viewer: SearchViewer, now: Date): SQL {
  const live = sql`published and (expires_at is null or expires_at > ${now.toISOString()}::timestamptz)`;
  if (viewer.kind === 'vendor') return viewer.liveOnly ? sql`(${live})` : sql`true`;
  return sql`(${live}
    and (cardinality(visible_partner_types) = 0 or ${viewer.partnerType}::text = any(visible_partner_types))
    and (cardinality(visible_tier_ids) = 0 or ${viewer.tierId}::text = any(visible_tier_ids))
    and (cardinality(visible_regions) = 0 or ${viewer.region}::text = any(visible_regions)))`;
}

const SCALAR_FACET_COLUMNS = { kind: 'kind::text', category: 'category', format: 'format', language: 'language' } as const;
const ARRAY_FACET_COLUMNS = { tags: 'tags', managedTags: 'managed_tags' } as const;

/** Values within a facet are OR-ed, facets AND-ed; `except` leaves one facet out (for that facet's own counts). */
export function filterCondition(filters: Partial<Record<SearchFacet, string[]>>, except?: SearchFacet): SQL {
  const parts: SQL[] = [sql`true`];
  for (const [facet, values] of Object.entries(filters) as [SearchFacet, string[] | undefined][]) {
    if (facet === except || !values || values.length === 0) continue;
    if (facet in SCALAR_FACET_COLUMNS) {
      parts.push(sql`${sql.raw(SCALAR_FACET_COLUMNS[facet as keyof typeof SCALAR_FACET_COLUMNS])} = any(${arrayOf(values)})`);
    } else if (facet in ARRAY_FACET_COLUMNS) {
      parts.push(sql`${sql.raw(ARRAY_FACET_COLUMNS[facet as keyof typeof ARRAY_FACET_COLUMNS])} && ${arrayOf(values)}`);
    }
  }
  return sql.join(parts, sql` and `);
}

/** Text condition: `tsquery` is written by the engine from letters and digits only, and still passed as a parameter. */
export const textMatches = (tsquery: string | null): SQL => (tsquery === null ? sql`true` : sql`document @@ to_tsquery('simple', ${tsquery})`);

export interface RankInput {
  /** Words as typed (prefixes), for ranking exact matches above corrected ones. */
  exactQuery: string;
  expandedQuery: string;
}

/** Two ts_rank calls, nothing costlier: ranking runs over every matching row. */
function rankExpression(rank: RankInput | null): SQL {
  if (rank === null) return sql`0`;
  return sql`(2 * ts_rank(${RANK_WEIGHTS}, document, to_tsquery('simple', ${rank.exactQuery}))
    + ts_rank(${RANK_WEIGHTS}, document, to_tsquery('simple', ${rank.expandedQuery})))`;
}

export interface SearchPlan {
  /** Visibility and text: the rows every count starts from. */
  base: SQL;
  filters: Partial<Record<SearchFacet, string[]>>;
  rank: RankInput | null;
  sort: 'relevance' | 'newest' | 'popular';
  limit: number;
  offset: number;
  perFacet: number;
}

export interface SearchPage {
  total: number;
  hitIds: string[];
  facets: { facet: SearchFacet; value: string; count: number }[];
}

/**
 * One statement, one scan: the matching visible rows are materialised once (with their rank), then the page of
 * hits, the total and every facet's counts are read from them. Facets without a selection are counted under all
 * filters; a facet with a selection is counted without its own (so its other values stay choosable).
 */
export async function runSearch(db: Executor, plan: SearchPlan): Promise<SearchPage> {
  const order =
    plan.sort === 'popular'
      ? sql`popularity desc, created_at desc, id`
      : plan.sort === 'newest' || plan.rank === null
        ? sql`created_at desc, id`
        : sql`rank desc, created_at desc, id`;
  const selected = (Object.keys(plan.filters) as SearchFacet[]).filter((f) => (plan.filters[f]?.length ?? 0) > 0);
  const scalarFree = (Object.keys(SCALAR_FACET_COLUMNS) as SearchFacet[]).filter((f) => !selected.includes(f));
  const branches: SQL[] = [
    sql`(select '#total'::text as facet, null::text as value, count(*) as n, 0 as position from filtered)`,
    sql`(select '#hit'::text, id, 0, (row_number() over (order by ${order}))::int from (select id, rank, created_at, popularity from filtered order by ${order} limit ${plan.limit} offset ${plan.offset}) as page)`,
  ];
  if (scalarFree.length > 0) {
    const col = (f: SearchFacet) => sql.raw(SCALAR_FACET_COLUMNS[f as keyof typeof SCALAR_FACET_COLUMNS]);
    const which = sql.join(scalarFree.map((f) => sql`when grouping(${col(f)}) = 0 then ${f}::text`), sql` `);
    const value = sql.join(scalarFree.map((f) => col(f)), sql`, `);
    const sets = sql.join(scalarFree.map((f) => sql`(${col(f)})`), sql`, `);
    branches.push(sql`(select case ${which} end, coalesce(${value}), count(*), 0 from filtered group by grouping sets (${sets}))`);
  }
  for (const facet of (Object.keys(ARRAY_FACET_COLUMNS) as SearchFacet[]).filter((f) => !selected.includes(f))) {
    const col = sql.raw(ARRAY_FACET_COLUMNS[facet as keyof typeof ARRAY_FACET_COLUMNS]);
    branches.push(sql`(select ${facet}::text, v, count(*), 0 from filtered, unnest(${col}) as v group by v order by count(*) desc, v limit ${plan.perFacet})`);
  }
  for (const facet of selected) {
    const valueExpr =
      facet in ARRAY_FACET_COLUMNS
        ? sql.raw(`unnest(${ARRAY_FACET_COLUMNS[facet as keyof typeof ARRAY_FACET_COLUMNS]})`)
        : sql.raw(SCALAR_FACET_COLUMNS[facet as keyof typeof SCALAR_FACET_COLUMNS]);
    branches.push(sql`(select ${facet}::text, value, count(*), 0 from (select ${valueExpr} as value from matched where ${filterCondition(plan.filters, facet)}) as v
      group by value order by count(*) desc, value limit ${plan.perFacet})`);
  }
  const rows = await rowsOf<{ facet: string; value: string | null; n: string | number; position: number }>(
    db,
    sql`with matched as materialized (
        select id, kind, category, format, language, tags, managed_tags, created_at, popularity, ${rankExpression(plan.rank)} as rank
        from search_documents where ${plan.base}
      ), filtered as (select * from matched where ${filterCondition(plan.filters)})
      ${sql.join(branches, sql` union all `)}`,
  );
  const page: SearchPage = { total: 0, hitIds: [], facets: [] };
  const hits: { id: string; position: number }[] = [];
  for (const row of rows) {
    if (row.facet === '#total') page.total = Number(row.n);
    else if (row.facet === '#hit') hits.push({ id: row.value!, position: row.position });
    else if (row.value !== null) page.facets.push({ facet: row.facet as SearchFacet, value: row.value, count: Number(row.n) });
  }
  page.hitIds = hits.sort((a, b) => a.position - b.position).map((h) => h.id);
  page.facets.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return page;
}

export interface HitText {
  id: string;
  kind: 'asset' | 'course';
  entityId: string;
  title: string;
  description: string;
  body: string;
}

/** The texts of one page of hits, for titles and snippets. */
export async function loadHitTexts(db: Executor, ids: readonly string[]): Promise<Map<string, HitText>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: searchDocuments.id, kind: searchDocuments.kind, entityId: searchDocuments.entityId, title: searchDocuments.title, description: searchDocuments.description, body: searchDocuments.body })
    .from(searchDocuments)
    .where(inArray(searchDocuments.id, [...ids]));
  return new Map(rows.map((r) => [r.id, r]));
}

/** Distinct titles of visible items whose title matches, best first (title rank, then shorter titles). */
export async function findSuggestions(db: Executor, visibility: SQL, titleQuery: string, limit: number): Promise<string[]> {
  const result = await rowsOf<{ title: string }>(db, sql`
    select title from search_documents
    where ${visibility} and document @@ to_tsquery('simple', ${titleQuery})
    group by title
    order by max(ts_rank(${RANK_WEIGHTS}, document, to_tsquery('simple', ${titleQuery}))) desc, length(title), title
    limit ${limit}`);
  return result.map((r) => r.title);
}

export async function countDocuments(db: Executor): Promise<number> {
  const result = await rowsOf<{ n: string | number }>(db, sql`select count(*) as n from search_documents`);
  return Number(result[0]?.n ?? 0);
}
