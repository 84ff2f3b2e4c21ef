import mime from 'mime-types';

/**
 * The Content-Type a package file is stored and served with, from its extension (mime-types' database).
 * Text types get an explicit charset; unknown files are plain bytes, never sniffed (the content origin sends nosniff).
 */
export function contentTypeFor(fileName: string): string {
  const type = mime.lookup(fileName);
  if (!type) return 'application/octet-stream';
  return mime.contentType(type) || type;
}
