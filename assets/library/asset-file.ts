import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import sharp from 'sharp';
import type { RenderPool } from '../render/render-pool.js';
import { detectAssetType, isEncryptedPdf, type DetectedType } from '../files/asset-type.js';
import { MAX_SVG_BYTES } from '../files/preview.js';
import { filesErrors } from '../files/files.errors.js';
import { svgSafetyProblem } from '../files/svg-safety.js';
import { readRange } from '../../server/fs/read-range.js';
import { isAppError } from '../../server/http/app-error.js';
import { libraryErrors } from './library.errors.js';

/** Width of stored previews: a grid card at twice its size, and sharp enough on the detail page. */
export const PREVIEW_WIDTH = 800;

export const ENCRYPTED_PDF_BLOCKER = 'This PDF is encrypted; co-branding would produce blank pages. Upload an unencrypted copy.';

/** Everything the library records about an uploaded file, learnt before anything is stored. */
export interface InspectedFile {
  type: DetectedType;
  byteSize: number;
  sha256: string;
  /** WebP preview, or null for plain downloads. */
  preview: Buffer | null;
  pageCount: number | null;
  width: number | null;
  height: number | null;
  extractedText: string;
  cobrandBlocker: string | null;
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Header-only size of a bitmap (sharp reads no pixels here, so a declared 50,000² canvas costs nothing). */
async function bitmapSize(path: string, kind: string): Promise<{ width: number; height: number }> {
  try {
    const { width, height } = await sharp(path, { limitInputPixels: false }).metadata();
    return { width: width ?? 0, height: height ?? 0 };
  } catch {
    throw filesErrors.corruptFile(kind);
  }
}

/** A PDF's last bytes must hold its end marker; pdf.js would otherwise quietly rebuild a cut-short file. */
async function assertPdfComplete(path: string): Promise<void> {
  if (!(await readRange(path, 1024, -1024)).toString('latin1').includes('%%EOF')) throw libraryErrors.pdfTruncated();
}

/**
 * Judges an uploaded file by its bytes and prepares what is stored with it: type, hash, preview (on the render
 * pool, time-limited), PDF text layer and size. Throws a 4xx AppError for empty, damaged, oversized or unsafe
 * files; reads the file, never changes it, and holds at most bounded parts of it in memory (an SVG ≤ 5 MiB).
 */
export async function inspectAssetFile(path: string, renderPool: RenderPool): Promise<InspectedFile> {
  const byteSize = (await stat(path)).size;
  if (byteSize === 0) throw libraryErrors.emptyFile();
  const type = await detectAssetType(path);
  const base = { type, byteSize, preview: null, pageCount: null, width: null, height: null, extractedText: '', cobrandBlocker: null };
  const sha256 = await sha256Of(path);
  switch (type.kind) {
    case 'png':
    case 'jpeg':
    case 'webp': {
      const size = await bitmapSize(path, type.kind);
      const preview = await renderPool.preview({ path, kind: type.kind }, { width: PREVIEW_WIDTH });
      return { ...base, sha256, preview, ...size };
    }
    case 'svg': {
      if (byteSize > MAX_SVG_BYTES) throw filesErrors.svgTooLarge(MAX_SVG_BYTES);
      const problem = svgSafetyProblem(await readFile(path, 'utf8'));
      if (problem) throw libraryErrors.unsafeSvg(problem);
      const preview = await renderPool.preview({ path, kind: 'svg' }, { width: PREVIEW_WIDTH });
      const { width, height } = await sharp(preview).metadata();
      return { ...base, sha256, preview, width: width ?? null, height: height ?? null };
    }
    case 'pdf': {
      await assertPdfComplete(path);
      // Kept as a plain download: it cannot be previewed, and co-branding it would draw on blank pages.
      if (await isEncryptedPdf(path)) return { ...base, sha256, cobrandBlocker: ENCRYPTED_PDF_BLOCKER };
      const preview = await renderPool.preview({ path, kind: 'pdf' }, { width: PREVIEW_WIDTH });
      // Busy or over time keeps its own message; anything pdf.js throws means the file is damaged.
      const layer = await renderPool.pdfText(path).catch((err: unknown) => {
        if (isAppError(err)) throw err;
        return null;
      });
      if (!layer) throw filesErrors.corruptFile('pdf');
      return { ...base, sha256, preview, pageCount: layer.pageCount, width: layer.width, height: layer.height, extractedText: layer.text };
    }
    default:
      return { ...base, sha256 };
  }
}
