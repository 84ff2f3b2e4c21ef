/** The search suite (`npm run bench -- --suite search`) owns the text of BENCHMARKS.md between these markers. */
export const SEARCH_SECTION_START = '<!-- search-bench:start (written by `npm run bench -- --suite search`; replaced on each run of that suite) -->';
export const SEARCH_SECTION_END = '<!-- search-bench:end -->';
const START_PREFIX = '<!-- search-bench:start';

/** The search section of an existing BENCHMARKS.md, for the dashboard bench to keep as it is. */
export function existingSearchSection(previous: string | null): string | null {
  if (!previous) return null;
  const start = previous.indexOf(START_PREFIX);
  const end = previous.indexOf(SEARCH_SECTION_END);
  return start !== -1 && end > start ? previous.slice(start, end + SEARCH_SECTION_END.length) : null;
}

/** Replaces the search section, or adds it before the hand-written notes (or at the end). */
export function spliceSearchSection(previous: string | null, section: string): string {
  if (!previous) return `# Benchmarks\n\n${section}\n`;
  const existing = existingSearchSection(previous);
  if (existing) return previous.replace(existing, () => section);
  const notes = previous.indexOf('\n## Notes');
  if (notes !== -1) return `${previous.slice(0, notes)}\n${section}\n${previous.slice(notes)}`;
  return `${previous.trimEnd()}\n\n${section}\n`;
}
