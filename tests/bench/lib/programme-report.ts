/** The programme suite (`npm run bench -- --suite programme`) owns the text of BENCHMARKS.md between these markers. */
export const PROGRAMME_SECTION_START = '<!-- programme-bench:start (written by `npm run bench -- --suite programme`; replaced on each run of that suite) -->';
export const PROGRAMME_SECTION_END = '<!-- programme-bench:end -->';
const START_PREFIX = '<!-- programme-bench:start';

/** The programme section of an existing BENCHMARKS.md, for the dashboard bench to keep as it is. */
export function existingProgrammeSection(previous: string | null): string | null {
  if (!previous) return null;
  const start = previous.indexOf(START_PREFIX);
  const end = previous.indexOf(PROGRAMME_SECTION_END);
  return start !== -1 && end > start ? previous.slice(start, end + PROGRAMME_SECTION_END.length) : null;
}

/** Replaces the programme section, or adds it before the hand-written notes (or at the end). */
export function spliceProgrammeSection(previous: string | null, section: string): string {
  if (!previous) return `# Benchmarks\n\n${section}\n`;
  const existing = existingProgrammeSection(previous);
  if (existing) return previous.replace(existing, () => section);
  const notes = previous.indexOf('\n## Notes');
  if (notes !== -1) return `${previous.slice(0, notes)}\n${section}\n${previous.slice(notes)}`;
  return `${previous.trimEnd()}\n\n${section}\n`;
}
