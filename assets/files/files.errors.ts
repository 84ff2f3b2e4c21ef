import { AppError } from '../../server/http/app-error.js';
import { formatBytes } from '../../courses/scorm/scorm.errors.js';

/**
 * What can be wrong with an uploaded library file. 415: a kind we do not take or cannot preview;
 * 413: over a size limit; 422: the kind is right but the content is damaged, locked or too slow to render.
 */
export const filesErrors = {
  /** what: what the file turned out to be, as the end of "this file is …" ("a GIF image", "text"). */
  unsupportedType: (what: string) =>
    new AppError(
      'assets.unsupported_type',
      415,
      `This file is ${what}, which the content library does not take. Upload a PDF, PNG, JPEG, WebP or SVG image, a PowerPoint, Word or Excel document (.pptx, .docx, .xlsx), an MP4 video or a zip archive.`,
      { what },
    ),
  /** kind: the detected kind ("pdf", "png"), so the message can name the format to export again. */
  corruptFile: (kind: string) =>
    new AppError(
      'assets.corrupt_file',
      422,
      `This ${kind.toUpperCase()} file cannot be read: it is damaged or was cut short during upload. Open it on your computer to check it, export or save it again, and upload the new file.`,
      { kind },
    ),
  imageTooLarge: (width: number, height: number, maxPixels: number) =>
    new AppError(
      'assets.image_too_large',
      413,
      `The image is ${width} × ${height} pixels; at most ${Math.round(maxPixels / 1_000_000)} million pixels can be previewed. Scale it down (4000 pixels on the long side is plenty) and upload it again.`,
      { width, height, maxPixels },
    ),
  svgTooLarge: (maxBytes: number) =>
    new AppError(
      'assets.image_too_large',
      413,
      `The SVG drawing is larger than the ${formatBytes(maxBytes)} we can preview. Simplify it or remove embedded images (or export it as PNG) and upload it again.`,
      { maxBytes },
    ),
  pdfEncrypted: () =>
    new AppError(
      'assets.pdf_encrypted',
      422,
      'This PDF is password-protected or encrypted, so it cannot be previewed or co-branded. Save a copy without a password or security restrictions (in Acrobat: File › Properties › Security › No Security) and upload that.',
    ),
  previewTimedOut: (kind: string, seconds: number) =>
    new AppError(
      'assets.preview_timeout',
      422,
      `The ${kind.toUpperCase()} file took longer than ${seconds} seconds to preview. Reduce its complexity (flatten very detailed pages or graphics, or compress large images) and upload it again.`,
      { kind, seconds },
    ),
};
