import { readRange } from '../../server/fs/read-range.js';
import { createHash } from 'node:crypto';
import sharp, { type Metadata } from 'sharp';
import { catalogueErrors } from './catalogue.errors.js';

/** Largest cover upload (multer stops reading past it). */
export const MAX_COVER_BYTES = 10 * 1024 * 1024;
/** The box a stored cover fits inside: a 16:9 card at twice its largest display size. */
export const COVER_MAX_WIDTH = 1280;
export const COVER_MAX_HEIGHT = 720;
/**
 * Decoded size limit, checked from the header before decoding: a small file can claim a huge canvas
 * (a decompression bomb). 100 million pixels still takes any camera photo.
 */
export const MAX_COVER_PIXELS = 100_000_000;

type CoverFormat = 'png' | 'jpeg' | 'webp';

const FORMAT_LABELS: Readonly<Record<CoverFormat, string>> = { png: 'PNG', jpeg: 'JPEG', webp: 'WebP' };

/** Signatures of the accepted formats; the bytes decide, never the file name or the browser's Content-Type. */
function acceptedFormatOf(head: Buffer): CoverFormat | null {
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return null;
}

/** Signatures of files people commonly mistake for covers, so the refusal can say what was sent. */
const OTHER_SIGNATURES: readonly { what: string; matches: (head: Buffer, latin1: string) => boolean }[] = [
  { what: 'a GIF image', matches: (_h, s) => s.startsWith('GIF87a') || s.startsWith('GIF89a') },
  { what: 'a PDF document', matches: (_h, s) => s.startsWith('%PDF-') },
  { what: 'a TIFF image', matches: (_h, s) => s.startsWith('II*\u0000') || s.startsWith('MM\u0000*') },
  { what: 'a BMP image', matches: (_h, s) => s.startsWith('BM') && s.length >= 14 },
  { what: 'an AVIF image', matches: (_h, s) => s.slice(4, 8) === 'ftyp' && /^avi[fs]/.test(s.slice(8, 12)) },
  { what: 'a HEIC image (the iPhone photo format)', matches: (_h, s) => s.slice(4, 8) === 'ftyp' && /^(hei[cxms]|mif1|msf1)/.test(s.slice(8, 12)) },
  { what: 'a zip archive or Office document', matches: (_h, s) => s.startsWith('PK\u0003\u0004') },
  { what: 'an SVG drawing', matches: (h) => /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(h.toString('utf8')) },
];

/** Text (UTF-8 without control characters other than tab and line breaks), as far as the first bytes tell. */
function looksLikeText(head: Buffer): boolean {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head);
  // A character cut at the end of the sample decodes as one replacement character; tolerate exactly that.
  const body = text.endsWith('\ufffd') ? text.slice(0, -1) : text;
  return !body.includes('\ufffd') && !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(body);
}

/** What a refused file is, as the end of "this file is …". */
function describeOther(head: Buffer): string {
  if (head.length === 0) return 'empty';
  const latin1 = head.toString('latin1');
  const known = OTHER_SIGNATURES.find((s) => s.matches(head, latin1));
  if (known) return known.what;
  return looksLikeText(head) ? 'text, not an image' : 'not an image format we recognise';
}


export interface NormalisedCover {
  /** The re-encoded WebP; at most 1280 × 720, so it is held in memory (the upload itself never is). */
  webp: Buffer;
  /** SHA-256 of webp, in hex: names the stored object, so its URL can be cached forever. */
  hash: string;
  width: number;
  height: number;
}

/**
 * Checks that the uploaded file is a PNG, JPEG or WebP by its bytes and that sharp can decode it, then
 * re-encodes it: turned upright by its EXIF orientation, metadata (EXIF, GPS, ICC, XMP) dropped, scaled
 * down to fit 1280 × 720 (never up), as WebP. Throws catalogue.cover_not_image or
 * catalogue.cover_too_many_pixels; reads the file, never changes it.
 */
export async function normaliseCover(file: string): Promise<NormalisedCover> {
  const head = await readRange(file, 512);
  const format = acceptedFormatOf(head);
  if (!format) throw catalogueErrors.coverNotImage(describeOther(head));
  const unreadable = () => catalogueErrors.coverNotImage(`a ${FORMAT_LABELS[format]} image that cannot be decoded (it may be damaged or cut short)`);

  let metadata: Metadata;
  try {
    // Only the header is read here, so no pixel limit: an oversized image gets its own message below, not "cannot be decoded".
    metadata = await sharp(file, { limitInputPixels: false }).metadata();
  } catch {
    throw unreadable();
  }
  // libvips picks its decoder from the same signatures; a mismatch means the file is not what it starts like.
  if (metadata.format !== format) throw unreadable();
  const { width = 0, height = 0 } = metadata;
  if (width * height > MAX_COVER_PIXELS) throw catalogueErrors.coverTooManyPixels(width, height, MAX_COVER_PIXELS);

  try {
    const { data, info } = await sharp(file, { limitInputPixels: MAX_COVER_PIXELS, failOn: 'warning' })
      .autoOrient()
      .resize({ width: COVER_MAX_WIDTH, height: COVER_MAX_HEIGHT, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 82 })
      .toBuffer({ resolveWithObject: true });
    return { webp: data, hash: createHash('sha256').update(data).digest('hex'), width: info.width, height: info.height };
  } catch {
    throw unreadable();
  }
}
