import type { z } from 'zod';
import { httpErrors } from './http.errors.js';
import { isAppError } from './app-error.js';

export type FieldErrors = Record<string, string>;

export type ParseResult<T> = { ok: true; data: T } | { ok: false; fields: FieldErrors };

/** Validates input against a zod schema and keeps one message per field, for re-rendering a form. */
export function parseFields<S extends z.ZodType>(schema: S, input: unknown): ParseResult<z.output<S>> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return { ok: true, data: result.data };
  const fields: FieldErrors = {};
  for (const issue of result.error.issues) {
    const key = issue.path.length ? issue.path.join('.') : 'form';
    fields[key] ??= issue.message;
  }
  return { ok: false, fields };
}

/** Like parseFields, but throws http.invalid_input (400) naming each field; for inputs that are not forms (query, params). */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = parseFields(schema, input);
  if (!result.ok) throw httpErrors.invalidInput(result.fields);
  return result.data;
}

/** The field errors an expected service failure carries (e.g. "email already has an account"), if any. */
export function fieldErrorsOf(err: unknown): { status: number; message: string; fields: FieldErrors } | null {
  if (!isAppError(err) || err.status >= 500) return null;
  const fields = (err.details?.fields ?? {}) as FieldErrors;
  return { status: err.status, message: err.message, fields };
}
