/** Markers of the co-branding section of BENCHMARKS.md (tests/bench/cobrand.bench.ts writes it, the dashboard report keeps it). */
export const COBRAND_SECTION_START = '<!-- cobrand-bench:start -->';
export const COBRAND_SECTION_END = '<!-- cobrand-bench:end -->';

/** The section as it stands in a file, or null. */
export function existingCobrandSection(previous: string | null): string | null {
  if (!previous) return null;
  const start = previous.indexOf(COBRAND_SECTION_START);
  const end = previous.indexOf(COBRAND_SECTION_END);
  return start !== -1 && end > start ? previous.slice(start, end + COBRAND_SECTION_END.length) : null;
}
