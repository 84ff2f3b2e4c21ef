/** {{lookupError errors "email"}}: the message for one field, if any (errors may be undefined). */
export function lookupError(errors: unknown, name: unknown): string | undefined {
  if (!errors || typeof errors !== 'object') return undefined;
  return (errors as Record<string, string>)[String(name)];
}
