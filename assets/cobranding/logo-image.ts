import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import sharp, { type Metadata, type OutputInfo, type Sharp } from 'sharp';
import { detectAssetType, type AssetKind } from '../files/asset-type.js';
import { MAX_SVG_BYTES } from '../files/preview.js';
import { MAX_LOGO_PIXELS } from './cobrand-layout.js';
import { cobrandingErrors } from './cobranding.errors.js';
import { svgSafetyProblem } from '../files/svg-safety.js';

/** The box a stored logo fits inside: large enough for print at the sizes logos are placed, small enough to embed quickly. */
export const LOGO_MAX_WIDTH = 1200;
export const LOGO_MAX_HEIGHT = 600;

export interface NormalisedLogo {
  png: Buffer;
  /** SHA-256 of png in hex: names the stored object, so its URL can be cached forever. */
  hash: string;
  width: number;
  height: number;
}

const REFUSED_KINDS: Partial<Record<AssetKind, string>> = {
  pdf: 'a PDF document',
  webp: 'a WebP image',
  pptx: 'a PowerPoint presentation',
  docx: 'a Word document',
  xlsx: 'an Excel workbook',
  mp4: 'a video',
  zip: 'a zip archive',
};

/** Rasterises an SVG logo at the density that makes it LOGO_MAX_WIDTH wide, after the safety check; from a buffer, so librsvg resolves no files. */
async function svgPipeline(file: string): Promise<Sharp> {
  if ((await stat(file)).size > MAX_SVG_BYTES) throw cobrandingErrors.svgUnsafe(`is larger than ${MAX_SVG_BYTES / (1024 * 1024)} MB`);
  const svg = await readFile(file);
  const problem = svgSafetyProblem(svg.toString('utf8'));
  if (problem) throw cobrandingErrors.svgUnsafe(problem);
  let header: Metadata;
  try {
    header = await sharp(svg, { limitInputPixels: false }).metadata();
  } catch {
    throw cobrandingErrors.logoNotImage('an SVG drawing that cannot be read');
  }
  if (!header.width || !header.height) throw cobrandingErrors.logoNotImage('an SVG drawing without a size');
  const density = Math.min(72 * 16, Math.max(1, (72 * LOGO_MAX_WIDTH) / header.width));
  const scale = density / 72;
  const [width, height] = [Math.ceil(header.width * scale), Math.ceil(header.height * scale)];
  if (width * height > MAX_LOGO_PIXELS) throw cobrandingErrors.logoTooManyPixels(width, height, MAX_LOGO_PIXELS);
  return sharp(svg, { density, limitInputPixels: MAX_LOGO_PIXELS, failOn: 'error' });
}

/** Reads only the header (no pixel limit), so a huge canvas gets its own message fast, before any decoding. */
async function bitmapPipeline(file: string, kind: 'png' | 'jpeg'): Promise<Sharp> {
  let header: Metadata;
  try {
    header = await sharp(file, { limitInputPixels: false }).metadata();
  } catch {
    throw cobrandingErrors.logoNotImage(`a ${kind.toUpperCase()} image that cannot be decoded (it may be damaged or cut short)`);
  }
  if (header.format !== kind) throw cobrandingErrors.logoNotImage(`not the ${kind.toUpperCase()} image it starts like`);
  const { width = 0, height = 0 } = header;
  if (width * height > MAX_LOGO_PIXELS) throw cobrandingErrors.logoTooManyPixels(width, height, MAX_LOGO_PIXELS);
  return sharp(file, { limitInputPixels: MAX_LOGO_PIXELS, failOn: 'error' });
}

/**
 * Checks an uploaded logo by its bytes (PNG, JPEG or a safe SVG), then normalises it: upright, empty margins
 * trimmed, transparency kept, scaled down to fit 1200 × 600, metadata dropped, as PNG. Throws
 * cobranding.logo_not_image, logo_too_many_pixels, svg_unsafe or logo_blank; reads the file, never changes it.
 */
export async function normaliseLogo(file: string): Promise<NormalisedLogo> {
  const { kind } = await detectAssetType(file);
  let pipeline: Sharp;
  if (kind === 'svg') pipeline = await svgPipeline(file);
  else if (kind === 'png' || kind === 'jpeg') pipeline = await bitmapPipeline(file, kind);
  else if ((await stat(file)).size === 0) throw cobrandingErrors.logoNotImage('empty');
  else throw cobrandingErrors.logoNotImage(REFUSED_KINDS[kind] ?? 'not an image format we recognise');

  let trimmed: { data: Buffer; info: OutputInfo };
  try {
    // Trim against the top-left pixel (transparent or the artwork's background) so the logo fills its box.
    trimmed = await pipeline.autoOrient().ensureAlpha().trim({ threshold: 10 }).png().toBuffer({ resolveWithObject: true });
  } catch (err) {
    if (err instanceof Error && /trim|bad extract/i.test(err.message)) throw cobrandingErrors.logoBlank();
    throw cobrandingErrors.logoNotImage(`a ${kind.toUpperCase()} image that cannot be decoded (it may be damaged or cut short)`);
  }
  const { data, info } = await sharp(trimmed.data)
    .resize({ width: LOGO_MAX_WIDTH, height: LOGO_MAX_HEIGHT, fit: 'inside', withoutEnlargement: true })
    .png({ compressionLevel: 9 })
    .toBuffer({ resolveWithObject: true });
  return { png: data, hash: createHash('sha256').update(data).digest('hex'), width: info.width, height: info.height };
}

/** Where the organisation's current logo is served (the content hash makes the URL change with the logo), or null. */
export function logoUrlOf(organisation: { id: string; logoKey: string | null }): string | null {
  const hash = organisation.logoKey ? /\/([0-9a-f]{64})\.png$/.exec(organisation.logoKey)?.[1] : undefined;
  return hash ? `/organisations/${organisation.id}/logo/${hash}.png` : null;
}
