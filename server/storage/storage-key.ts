import type { ByteRange } from './storage.js';
import { storageErrors } from './storage.errors.js';

/** S3's limit on key length; the local driver shares it so both accept the same keys. */
const MAX_KEY_BYTES = 1024;
/** Most filesystems limit one path component to 255 bytes. */
const MAX_SEGMENT_BYTES = 255;

// Control characters (NUL included) break file paths and S3's XML listings.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** Throws storage.invalid_key unless key is a relative, slash-separated path that cannot escape a driver's root. */
export function assertValidKey(key: string): void {
  if (key === '') throw storageErrors.invalidKey(key, 'it is empty');
  checkPath(key, key.split('/'));
}

/**
 * Like assertValidKey, for the start of a key: '' means every key, and a trailing '/' is allowed
 * ("scorm/course-1/"), as is a partial last segment ("scorm/course-").
 */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return;
  const segments = prefix.split('/');
  if (prefix.endsWith('/')) segments.pop();
  checkPath(prefix, segments);
}

/** Like assertValidPrefix, for the prefix of a batch: a whole folder, so not empty and ending with "/". */
export function assertValidBatchPrefix(prefix: string): void {
  assertValidPrefix(prefix);
  if (!prefix.endsWith('/')) throw storageErrors.invalidKey(prefix, 'a batch prefix must be a folder, ending with "/"');
}

/** Throws unless range has whole, non-negative bounds with end (when given) not before start. */
export function assertValidRange(range: ByteRange): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0 || (end !== undefined && (!Number.isSafeInteger(end) || end < start))) {
    throw new RangeError(`Invalid byte range ${start}-${end ?? ''}`);
  }
}

/**
 * The inclusive bounds a range selects in an object of the given size, as HTTP defines them:
 * an end past the last byte is clamped; a start at or past the end (or any range of an empty
 * object) is not satisfiable. Without a range, the whole object (end is -1 when it is empty).
 */
export function resolveRange(range: ByteRange | undefined, size: number): { start: number; end: number } {
  if (!range) return { start: 0, end: size - 1 };
  assertValidRange(range);
  if (range.start >= size) throw storageErrors.rangeNotSatisfiable(size);
  return { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) };
}

function checkPath(value: string, segments: string[]): void {
  if (Buffer.byteLength(value) > MAX_KEY_BYTES) throw storageErrors.invalidKey(value, `it is longer than ${MAX_KEY_BYTES} bytes`);
  if (value.startsWith('/')) throw storageErrors.invalidKey(value, 'it starts with "/"');
  if (value.includes('\\')) throw storageErrors.invalidKey(value, 'it contains a backslash');
  if (CONTROL_CHARS.test(value)) throw storageErrors.invalidKey(value, 'it contains a control character');
  if (/^[a-zA-Z]:/.test(value)) throw storageErrors.invalidKey(value, 'it starts with a drive letter');
  for (const segment of segments) {
    if (segment === '') throw storageErrors.invalidKey(value, 'it contains an empty segment');
    // "." would make two different S3 keys the same local file.
    if (segment === '.' || segment === '..') throw storageErrors.invalidKey(value, `it contains a "${segment}" segment`);
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) throw storageErrors.invalidKey(value, `a segment is longer than ${MAX_SEGMENT_BYTES} bytes`);
  }
}
