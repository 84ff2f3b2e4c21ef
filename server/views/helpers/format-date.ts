const formatter = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });

/** {{formatDate date}}: "25 Nov 2026", or an em dash when there is no date. */
export function formatDate(value: unknown): string {
  if (!(value instanceof Date) && typeof value !== 'string') return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? '—' : formatter.format(date);
}
