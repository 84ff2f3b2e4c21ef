/** {{fieldErrorId "email"}}: the id linking an input to its error message through aria-describedby. */
export function fieldErrorId(name: unknown): string {
  return `${String(name)}-error`;
}
