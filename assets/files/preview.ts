import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readFile, stat } from 'node:fs/promises';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { type AppError, isAppError } from '../../server/http/app-error.js';
import type { AssetKind } from './asset-type.js';
import { filesErrors } from './files.errors.js';

/** Decoded size limit, checked from the header before decoding: a small file can declare a huge canvas. */
export const MAX_PREVIEW_INPUT_PIXELS = 100_000_000;
/** Wall-clock limit per render; a hostile file must not hold a worker for long. */
export const PREVIEW_TIMEOUT_SECONDS = 15;
/** SVG is parsed in memory, so its size is bounded before reading. */
export const MAX_SVG_BYTES = 5 * 1024 * 1024;
/** Preview widths outside this range are programming errors, not user errors. */
const MIN_PREVIEW_WIDTH = 16;
const MAX_PREVIEW_WIDTH = 4096;
/** Highest density for SVG rasterising; keeps a 1-unit-wide drawing from asking for an enormous canvas. */
const MAX_SVG_DENSITY = 72 * 64;
const WEBP_QUALITY = 80;

export interface PreviewInput {
  path: string;
  kind: AssetKind;
}

export interface PreviewOptions {
  /** Largest width of the preview in pixels; the height follows the aspect ratio (never enlarged for bitmaps). */
  width: number;
  /** For PDFs, the 1-based page to draw (default 1; past the last page, the last page). Ignored for images. */
  page?: number;
}

type ImageKind = 'png' | 'jpeg' | 'webp';

/**
 * Renders a WebP preview of an image, an SVG drawing or the first page of a PDF, at most `width` pixels
 * wide. Throws assets.unsupported_type, assets.image_too_large, assets.corrupt_file, assets.pdf_encrypted
 * or assets.preview_timeout. Reads the file, never changes it.
 */
export async function renderPreview(input: PreviewInput, options: PreviewOptions): Promise<Buffer> {
  const { width } = options;
  if (!Number.isInteger(width) || width < MIN_PREVIEW_WIDTH || width > MAX_PREVIEW_WIDTH) {
    throw new RangeError(`preview width must be an integer from ${MIN_PREVIEW_WIDTH} to ${MAX_PREVIEW_WIDTH}, got ${width}`);
  }
  switch (input.kind) {
    case 'png':
    case 'jpeg':
    case 'webp':
      return renderBitmap(input.path, input.kind, width);
    case 'svg':
      return renderSvg(input.path, width);
    case 'pdf':
      return renderPdfPage(input.path, width, options.page ?? 1);
    default:
      throw filesErrors.unsupportedType(`${describeKind(input.kind)}, which has no image preview`);
  }
}

function describeKind(kind: AssetKind): string {
  return kind === 'other' ? 'of an unrecognised type' : `a ${kind.toUpperCase()} file`;
}

/** Reads only the header: no pixel limit here, so an oversized image gets its own error, not "corrupt". */
async function headerOf(source: string | Buffer, kind: string): Promise<Metadata> {
  try {
    return await sharp(source, { limitInputPixels: false }).metadata();
  } catch {
    throw filesErrors.corruptFile(kind);
  }
}

function refuseOversized(width: number, height: number): void {
  if (width * height > MAX_PREVIEW_INPUT_PIXELS) throw filesErrors.imageTooLarge(width, height, MAX_PREVIEW_INPUT_PIXELS);
}

/** Resizes and encodes; sharp's own timeout stops libvips, so a slow decode does not keep running behind us. */
async function toWebp(pipeline: Sharp, kind: string, width: number): Promise<Buffer> {
  try {
    return await pipeline
      .autoOrient()
      .resize({ width, height: width * 4, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: WEBP_QUALITY })
      .timeout({ seconds: PREVIEW_TIMEOUT_SECONDS })
      .toBuffer();
  } catch (err) {
    if (err instanceof Error && /timeout/i.test(err.message)) throw filesErrors.previewTimedOut(kind, PREVIEW_TIMEOUT_SECONDS);
    throw filesErrors.corruptFile(kind);
  }
}

async function renderBitmap(path: string, kind: ImageKind, width: number): Promise<Buffer> {
  const header = await headerOf(path, kind);
  // libvips picks its decoder from the bytes too; a mismatch means the caller's kind is wrong or the file lies.
  if (header.format !== kind) throw filesErrors.corruptFile(kind);
  refuseOversized(header.width ?? 0, header.height ?? 0);
  // failOn 'error' also refuses truncated files (a grey half-image is worse than an error) while taking
  // files with harmless warnings (odd EXIF, extra bytes after the end) that cameras and editors write.
  return toWebp(sharp(path, { limitInputPixels: MAX_PREVIEW_INPUT_PIXELS, failOn: 'error' }), kind, width);
}

/**
 * SVG goes to librsvg as a buffer, not a path: without a base file librsvg resolves no relative or file:
 * references, it never fetches http(s) URLs and it does not run scripts, so only data: images are drawn.
 * The drawing is rasterised at the density that makes it `width` pixels wide, so small icons stay sharp.
 */
async function renderSvg(path: string, width: number): Promise<Buffer> {
  if ((await stat(path)).size > MAX_SVG_BYTES) throw filesErrors.svgTooLarge(MAX_SVG_BYTES);
  const svg = await readFile(path);
  const header = await headerOf(svg, 'svg');
  if (header.format !== 'svg' || !header.width || !header.height) throw filesErrors.corruptFile('svg');
  const density = Math.min(MAX_SVG_DENSITY, Math.max(1, (72 * width) / header.width));
  const scale = density / 72;
  refuseOversized(Math.ceil(header.width * scale), Math.ceil(header.height * scale));
  return toWebp(sharp(svg, { density, limitInputPixels: MAX_PREVIEW_INPUT_PIXELS, failOn: 'error' }), 'svg', width);
}

/** pdf.js data shipped in its package (fonts for the 14 standard PDF fonts, CJK CMaps, image decoders). */
function pdfjsDataDirectories(): { standardFontDataUrl: string; cMapUrl: string; wasmUrl: string; iccUrl: string } {
  const root = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
  // pdf.js in Node reads these with fs, from paths that must end with a separator.
  const directory = (name: string) => join(root, name) + '/';
  return { standardFontDataUrl: directory('standard_fonts'), cMapUrl: directory('cmaps'), wasmUrl: directory('wasm'), iccUrl: directory('iccs') };
}

/** Races `work` against the time limit; `onTimeout` cancels what can be cancelled. */
async function withTimeout<T>(work: Promise<T>, onTimeout: () => unknown, timeoutError: () => AppError): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void Promise.resolve(onTimeout()).catch(() => undefined);
      reject(timeoutError());
    }, PREVIEW_TIMEOUT_SECONDS * 1000);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Draws one page (page 1 for library previews) with pdf.js onto an @napi-rs/canvas (Skia) canvas, then encodes with sharp. pdf.js is
 * imported here rather than at the top because loading it installs DOM polyfills on globalThis.
 * isEvalSupported: false keeps PDF functions from being compiled with `new Function`; pdf.js never runs
 * a PDF's JavaScript and fetches nothing in Node, since every resource comes from local directories.
 */
async function renderPdfPage(path: string, width: number, pageNumber: number): Promise<Buffer> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const data = new Uint8Array(await readFile(path));
  const loadingTask = pdfjs.getDocument({
    data,
    ...pdfjsDataDirectories(),
    cMapPacked: true,
    isEvalSupported: false,
    enableXfa: false,
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: pdfjs.VerbosityLevel.ERRORS,
    maxImageSize: MAX_PREVIEW_INPUT_PIXELS,
  });
  const render = async (): Promise<{ pixels: Buffer; width: number; height: number }> => {
    const document = await loadingTask.promise;
    const page = await document.getPage(Math.min(Math.max(1, Math.trunc(pageNumber)), document.numPages));
    const unscaled = page.getViewport({ scale: 1 });
    // Cap the canvas by area too: a page 1 pt wide and 14,400 pt tall would otherwise get a huge canvas.
    const scale = Math.min(width / unscaled.width, Math.sqrt(MAX_PREVIEW_INPUT_PIXELS / 4 / (unscaled.width * unscaled.height)));
    const viewport = page.getViewport({ scale });
    const { createCanvas } = await import('@napi-rs/canvas');
    const canvas = createCanvas(Math.max(1, Math.floor(viewport.width)), Math.max(1, Math.floor(viewport.height)));
    const context = canvas.getContext('2d');
    await page.render({ canvas: canvas as unknown as HTMLCanvasElement, canvasContext: context as unknown as CanvasRenderingContext2D, viewport }).promise;
    return { pixels: Buffer.from(context.getImageData(0, 0, canvas.width, canvas.height).data.buffer), width: canvas.width, height: canvas.height };
  };
  try {
    const page = await withTimeout(render(), () => loadingTask.destroy(), () => filesErrors.previewTimedOut('pdf', PREVIEW_TIMEOUT_SECONDS));
    return await toWebp(sharp(page.pixels, { raw: { width: page.width, height: page.height, channels: 4 } }), 'pdf', width);
  } catch (err) {
    if (err instanceof Error && err.name === 'PasswordException') throw filesErrors.pdfEncrypted();
    if (isAppError(err)) throw err;
    throw filesErrors.corruptFile('pdf');
  } finally {
    await loadingTask.destroy();
  }
}
