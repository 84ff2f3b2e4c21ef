const formatter = new Intl.NumberFormat('en-GB');

/** {{formatNumber n}}: 12,345. */
export function formatNumber(value: unknown): string {
  return typeof value === 'number' ? formatter.format(value) : '0';
}
