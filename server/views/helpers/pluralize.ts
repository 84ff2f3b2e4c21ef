/** {{pluralize count "user" "users"}}: "1 user", "3 users". */
export function pluralize(count: unknown, singular: unknown, plural: unknown): string {
  const n = typeof count === 'number' ? count : 0;
  return `${n.toLocaleString('en-GB')} ${n === 1 ? String(singular) : String(plural)}`;
}
