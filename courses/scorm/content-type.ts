import path from 'node:path';
import mime from 'mime-types';

/** Content-Type by extension only (never by sniffing, never what an upload claimed). */
export function contentTypeFor(filePath: string): string {
  const ext = path.posix.extname(filePath).toLowerCase();
  const type = TYPE_OVERRIDES[ext] ?? mime.lookup(filePath);
  if (!type) return 'application/octet-stream';
  // HTML declares its own encoding (<meta charset>, BOM); a charset here would override it and garble older
  // packages saved as windows-1252. Other text (JS, CSS, JSON, VTT, plain text) is served as UTF-8.
  if (type === 'text/html' || type === 'application/xhtml+xml') return type;
  return mime.contentType(type) || type;
}

/** Where mime-db's answer has changed between versions, or is not what browsers need for a package. */
const TYPE_OVERRIDES: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.cjs': 'text/javascript',
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.xml': 'application/xml',
  '.xsd': 'application/xml',
  '.wav': 'audio/wav',
  '.ico': 'image/x-icon',
  '.cur': 'image/x-icon',
};
