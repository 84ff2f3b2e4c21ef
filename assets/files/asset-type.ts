import { readRange } from '../../server/fs/read-range.js';
import { fileTypeFromBuffer } from 'file-type';

export type AssetKind = 'pdf' | 'png' | 'jpeg' | 'webp' | 'svg' | 'pptx' | 'docx' | 'xlsx' | 'mp4' | 'zip' | 'other';

export interface DetectedType {
  kind: AssetKind;
  /** Canonical MIME type of the kind; for `other`, what file-type recognised, else application/octet-stream. */
  mime: string;
  /** Canonical extension without the dot; for `other`, what file-type recognised, else "bin". */
  extension: string;
}

type KnownKind = Exclude<AssetKind, 'other'>;

export const KNOWN_TYPES: Readonly<Record<KnownKind, { mime: string; extension: string }>> = {
  pdf: { mime: 'application/pdf', extension: 'pdf' },
  png: { mime: 'image/png', extension: 'png' },
  jpeg: { mime: 'image/jpeg', extension: 'jpg' },
  webp: { mime: 'image/webp', extension: 'webp' },
  svg: { mime: 'image/svg+xml', extension: 'svg' },
  pptx: { mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', extension: 'pptx' },
  docx: { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extension: 'docx' },
  xlsx: { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extension: 'xlsx' },
  mp4: { mime: 'video/mp4', extension: 'mp4' },
  zip: { mime: 'application/zip', extension: 'zip' },
};

/** file-type's MIME answers that map to our kinds; anything else is `other`. */
const KIND_BY_FILE_TYPE_MIME: ReadonlyMap<string, KnownKind> = new Map(
  (Object.entries(KNOWN_TYPES) as [KnownKind, { mime: string }][]).filter(([kind]) => kind !== 'svg').map(([kind, { mime }]) => [mime, kind]),
);

/**
 * How much of the file detection reads. Office writes [Content_Types].xml as the first zip entry, and
 * file-type tells pptx/docx/xlsx apart from it, so 64 KiB is ample; reading a bounded head rather than
 * fileTypeFromFile keeps file-type from skipping through the zip entries of a multi-gigabyte upload.
 */
export const DETECTION_HEAD_BYTES = 64 * 1024;
/** SVG is text; the root element comes after at most a prolog (declaration, comments, doctype). */
const SVG_SNIFF_BYTES = 4 * 1024;


/**
 * An SVG document: optional BOM, XML declaration, comments, processing instructions and doctype, then
 * the <svg> root. Anchored and with lazy, non-nested parts so it runs in linear time on 4 KiB.
 */
const SVG_PROLOG_THEN_ROOT = /^\ufeff?\s*(?:<\?xml[^>]*\?>\s*)?(?:(?:<!--[\s\S]*?-->|<\?[\s\S]*?\?>)\s*)*(?:<!DOCTYPE\s+svg[^>[]*(?:\[[\s\S]*?\])?\s*>\s*)?(?:(?:<!--[\s\S]*?-->)\s*)*<svg[\s/>]/i;

export function looksLikeSvg(head: Buffer): boolean {
  return SVG_PROLOG_THEN_ROOT.test(head.subarray(0, SVG_SNIFF_BYTES).toString('utf8'));
}

function known(kind: KnownKind): DetectedType {
  return { kind, ...KNOWN_TYPES[kind] };
}

/**
 * Decides what a file is from its first bytes only; the name and the browser's Content-Type are never
 * consulted. Reads at most DETECTION_HEAD_BYTES.
 */
export async function detectAssetType(filePath: string): Promise<DetectedType> {
  const head = await readRange(filePath, DETECTION_HEAD_BYTES);
  if (looksLikeSvg(head)) return known('svg');
  const found = await fileTypeFromBuffer(head);
  if (!found) return { kind: 'other', mime: 'application/octet-stream', extension: 'bin' };
  const kind = KIND_BY_FILE_TYPE_MIME.get(found.mime);
  return kind ? known(kind) : { kind: 'other', mime: found.mime, extension: found.ext };
}

/** How much of the end of a PDF holds its final trailer (or cross-reference stream dictionary). */
export const PDF_TRAILER_BYTES = 64 * 1024;
/** The /Encrypt key as a whole name: not followed by a regular character (so /EncryptFoo does not count). */
const ENCRYPT_KEY = /\/Encrypt(?=[\s/<>[\]()%]|\d|$)/;
const LINEARIZED_KEY = /\/Linearized(?=[\s/<>[\]()%]|\d|$)/;

/**
 * Whether a PDF is encrypted, by looking for the /Encrypt key in the last 64 KiB: every trailer of an
 * encrypted file carries it, in the classic `trailer << … >>` and in the (uncompressed) dictionary of a
 * PDF 1.5 cross-reference stream alike. A linearized file keeps its full first-page trailer near the start,
 * so for those the first 64 KiB are searched too. It can over-report (the text "/Encrypt" in an
 * uncompressed stream near the end), which only means a refusal; it cannot miss a standard encrypted file.
 */
export async function isEncryptedPdf(filePath: string): Promise<boolean> {
  const tail = (await readRange(filePath, PDF_TRAILER_BYTES, -PDF_TRAILER_BYTES)).toString('latin1');
  if (ENCRYPT_KEY.test(tail)) return true;
  const head = (await readRange(filePath, PDF_TRAILER_BYTES)).toString('latin1');
  return LINEARIZED_KEY.test(head) && ENCRYPT_KEY.test(head);
}
