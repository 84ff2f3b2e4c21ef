import { sql } from 'drizzle-orm';
import type { Database } from '../../server/db/database.js';
import { SEARCH_FACETS, type SearchEngine, type SearchQuery, type SearchResult, type SearchViewer } from '../search.types.js';
import { highlightText, queryWords, snippetOf } from '../query-text.js';
import {
  countDocuments,
  deleteAllDocuments,
  deleteDocuments,
  findCorrections,
  loadHitTexts,
  runSearch,
  findSuggestions,
  textMatches,
  upsertDocuments,
  visibilityCondition,
} from './postgres-index.repository.js';

/** Dictionary words tried per typed word; a few keep recall high without drowning exact matches. */
const CORRECTIONS_PER_WORD = 3;
/** Words shorter than this are only matched as prefixes: trigram similarity is noise on two letters. */
const MIN_CORRECTABLE_LENGTH = 4;
const VALUES_PER_FACET = 30;
/** Corrections of recently typed words: the same queries come back all the time, the dictionary changes slowly. */
const CORRECTION_CACHE_SIZE = 5000;
const CORRECTION_CACHE_MS = 60_000;

interface ParsedQuery {
  /** Typed words as prefixes, AND-ed: ranks items matching what was typed above corrected ones. */
  exact: string;
  /** Each word OR its corrections, AND-ed. */
  expanded: string;
  /** Same as expanded, restricted to titles (weight A), for suggestions. */
  titleOnly: string;
  /** Lower-case prefixes whose words get highlighted. */
  terms: string[];
}

/**
 * The embedded engine: PostgreSQL full-text search plus pg_trgm in the app's own database (PGlite or a server).
 * Typo tolerance: each typed word is widened to the closest words of a dictionary of indexed words (trigram
 * similarity), so "secuirty" also searches "security"; every word also matches as a prefix, for search as you type.
 */
export function createPostgresSearchEngine(db: Database): SearchEngine {
  // Cleared whenever this process changes the index; another instance's new words show up within a minute.
  const correctionCache = new Map<string, { at: number; corrections: Map<string, string[]> }>();

  async function correctionsOf(words: string[], typing: string | null): Promise<Map<string, string[]>> {
    const key = `${typing ?? ''}|${words.join(' ')}`;
    const cached = correctionCache.get(key);
    if (cached && Date.now() - cached.at < CORRECTION_CACHE_MS) return cached.corrections;
    const corrections = await findCorrections(db, words, typing, CORRECTIONS_PER_WORD);
    if (correctionCache.size >= CORRECTION_CACHE_SIZE) correctionCache.delete(correctionCache.keys().next().value!);
    correctionCache.set(key, { at: Date.now(), corrections });
    return corrections;
  }

  async function parse(text: string): Promise<ParsedQuery | null> {
    const words = queryWords(text);
    if (words.length === 0) return null;
    const correctable = words.filter((w) => w.length >= MIN_CORRECTABLE_LENGTH);
    // The last word may be unfinished unless the text ends with a separator.
    const typing = /[\p{L}\p{N}]$/u.test(text) ? (words[words.length - 1] ?? null) : null;
    const corrections = await correctionsOf(correctable, typing);
    const alternatives = words.map((w) => [w, ...(corrections.get(w) ?? []).filter((c) => !c.startsWith(w))]);
    const group = (alts: string[], weight: string) => `(${alts.map((a, i) => (i === 0 ? `${a}:*${weight}` : `${a}${weight ? `:${weight}` : ''}`)).join(' | ')})`;
    return {
      exact: words.map((w) => `${w}:*`).join(' & '),
      expanded: alternatives.map((alts) => group(alts, '')).join(' & '),
      titleOnly: alternatives.map((alts) => group(alts, 'A')).join(' & '),
      terms: alternatives.flat(),
    };
  }

  return {
    name: 'postgres',
    async setup() {
      // Tables, pg_trgm and the trigram index come from the migrations (0003, 0004): nothing to configure at start.
    },
    async upsert(documents) {
      correctionCache.clear();
      await upsertDocuments(db, documents);
    },
    async remove(ids) {
      correctionCache.clear();
      await deleteDocuments(db, ids);
    },
    async clear() {
      correctionCache.clear();
      await deleteAllDocuments(db);
    },
    count() {
      return countDocuments(db);
    },
    async search(query: SearchQuery): Promise<SearchResult> {
      const parsed = await parse(query.text);
      const pageSize = Math.max(1, Math.min(100, Math.floor(query.pageSize)));
      const page = Math.max(1, Math.floor(query.page));
      const result = await runSearch(db, {
        base: sql`${visibilityCondition(query.viewer, query.now)} and ${textMatches(parsed?.expanded ?? null)}`,
        filters: query.filters,
        rank: parsed && { exactQuery: parsed.exact, expandedQuery: parsed.expanded },
        sort: query.sort,
        limit: pageSize,
        offset: (page - 1) * pageSize,
        perFacet: VALUES_PER_FACET,
      });
      const texts = await loadHitTexts(db, result.hitIds);
      const facets = Object.fromEntries(SEARCH_FACETS.map((f) => [f, [] as { value: string; count: number }[]])) as SearchResult['facets'];
      for (const c of result.facets) if (facets[c.facet].length < VALUES_PER_FACET) facets[c.facet].push({ value: c.value, count: c.count });
      const terms = parsed?.terms ?? [];
      return {
        total: result.total,
        hits: result.hitIds.flatMap((id) => {
          const r = texts.get(id);
          if (!r) return [];
          return [{ id: r.id, kind: r.kind, entityId: r.entityId, title: r.title, titleHighlight: highlightText(r.title, terms), snippet: snippetOf([r.description, r.body], terms) }];
        }),
        facets,
      };
    },
    async suggest(text: string, viewer: SearchViewer, now: Date, limit: number) {
      const parsed = await parse(text);
      if (!parsed) return [];
      return findSuggestions(db, visibilityCondition(viewer, now), parsed.titleOnly, Math.max(1, Math.min(20, limit)));
    },
    async close() {
      // The database belongs to the app; nothing of the engine's own to release.
    },
  };
}

