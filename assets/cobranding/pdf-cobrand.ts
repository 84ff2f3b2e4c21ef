import fontkit from '@pdf-lib/fontkit';
import { deflateSync } from 'node:zlib';
import {
  EncryptedPDFError,
  PDFDocument,
  concatTransformationMatrix,
  drawObject,
  popGraphicsState,
  pushGraphicsState,
  rgb,
  type PDFFont,
  type PDFPage,
  type PDFRef,
} from 'pdf-lib';
import sharp from 'sharp';
import { cobrandingErrors } from './cobranding.errors.js';
import {
  MAX_LOGO_PIXELS,
  assertBoxInside,
  fitInside,
  layoutQr,
  layoutText,
  loadFontBytes,
  loadLayoutFont,
  metricsOf,
  parsePlacementTemplate,
  rgbOf,
  textFor,
  type Rect,
  type TextLayout,
} from './cobrand-layout.js';
import type { Branding, PlacementField, PlacementTemplateInput } from './placement.schema.js';

/** The logo is scaled down to this resolution for its box: print quality without embedding a camera-sized image. */
const LOGO_DPI = 300;

/**
 * pdf-lib's errors are ES5 classes, so `instanceof EncryptedPDFError` is false; its message (taken from
 * pdf-lib itself, not copied) identifies it.
 */
function isEncryptedPdfError(err: unknown): boolean {
  return err instanceof Error && err.message === new EncryptedPDFError().message;
}

async function loadSourcePdf(pdfBytes: Uint8Array): Promise<PDFDocument> {
  try {
    // ignoreEncryption: false makes pdf-lib refuse encrypted files; it cannot decrypt, and would write blank pages.
    const doc = await PDFDocument.load(pdfBytes, { ignoreEncryption: false, updateMetadata: false });
    if (doc.getPageCount() === 0) throw cobrandingErrors.pdfCorrupt();
    return doc;
  } catch (err) {
    if (isEncryptedPdfError(err)) throw cobrandingErrors.pdfEncrypted();
    throw cobrandingErrors.pdfCorrupt();
  }
}

/** An image XObject in the document: what drawing needs to place it. */
interface EmbeddedLogo {
  ref: PDFRef;
  width: number;
  height: number;
}

/**
 * The logo as an image XObject no larger than the biggest logo box needs at LOGO_DPI. sharp decodes and scales it
 * (pdf-lib's PNG decoder is slow and trusting); the colour and alpha planes are compressed with Node's zlib and
 * written as a DeviceRGB image with a DeviceGray soft mask, which is what pdf-lib's embedPng would write, without
 * its JavaScript inflate/deflate round trip (the slowest part of a co-branded render).
 */
async function embedLogo(doc: PDFDocument, logo: Uint8Array, fields: PlacementField[]): Promise<EmbeddedLogo> {
  const pointsToPixels = LOGO_DPI / 72;
  const width = Math.ceil(Math.max(...fields.map((field) => field.box.width)) * pointsToPixels);
  const height = Math.ceil(Math.max(...fields.map((field) => field.box.height)) * pointsToPixels);
  let raw: { data: Buffer; info: { width: number; height: number } };
  try {
    raw = await sharp(logo, { limitInputPixels: MAX_LOGO_PIXELS })
      .resize({ width, height, fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch {
    throw cobrandingErrors.logoUnreadable();
  }
  const pixels = raw.info.width * raw.info.height;
  const colour = Buffer.allocUnsafe(pixels * 3);
  const alpha = Buffer.allocUnsafe(pixels);
  let opaque = true;
  for (let i = 0; i < pixels; i++) {
    colour[i * 3] = raw.data[i * 4]!;
    colour[i * 3 + 1] = raw.data[i * 4 + 1]!;
    colour[i * 3 + 2] = raw.data[i * 4 + 2]!;
    alpha[i] = raw.data[i * 4 + 3]!;
    if (alpha[i] !== 255) opaque = false;
  }
  const image = (colourSpace: 'DeviceRGB' | 'DeviceGray', bytes: Buffer, extra: Record<string, PDFRef> = {}) =>
    doc.context.register(
      doc.context.stream(deflateSync(bytes), {
        Type: 'XObject',
        Subtype: 'Image',
        Width: raw.info.width,
        Height: raw.info.height,
        ColorSpace: colourSpace,
        BitsPerComponent: 8,
        Filter: 'FlateDecode',
        ...extra,
      }),
    );
  const ref = image('DeviceRGB', colour, opaque ? {} : { SMask: image('DeviceGray', alpha) });
  return { ref, width: raw.info.width, height: raw.info.height };
}

/** Places an embedded image in a rectangle of the page (pdf-lib coordinates). */
function drawLogo(page: PDFPage, logo: EmbeddedLogo, rect: Rect): void {
  const name = page.node.newXObject('Image', logo.ref);
  page.pushOperators(pushGraphicsState(), concatTransformationMatrix(rect.width, 0, 0, rect.height, rect.x, rect.y), drawObject(name), popGraphicsState());
}

/** Converts a rectangle from the template's top-left page coordinates to pdf-lib's bottom-left ones (within the crop box). */
function toPdfRect(page: PDFPage, rect: Rect): Rect {
  const crop = page.getCropBox();
  return { x: crop.x + rect.x, y: crop.y + crop.height - rect.y - rect.height, width: rect.width, height: rect.height };
}

function pdfColourOf(colour: string) {
  const [r, g, b] = rgbOf(colour);
  return rgb(r / 255, g / 255, b / 255);
}

function pagesFor(field: PlacementField, fieldIndex: number, pages: PDFPage[]): PDFPage[] {
  if (field.page === 'all') return pages;
  const page = pages[field.page - 1];
  if (!page) throw cobrandingErrors.pageMissing(fieldIndex, field.page, pages.length);
  return [page];
}

function drawQr(page: PDFPage, field: PlacementField, url: string): void {
  const qr = layoutQr(url, field.box, field.align);
  if (!qr) return;
  const { square, darkRects } = qr;
  // The quiet zone must be light whatever the artwork underneath, or scanners cannot find the code.
  page.drawRectangle({ ...toPdfRect(page, square), color: rgb(1, 1, 1) });
  // One path filled at once: separate rectangles leave hairline seams between rows in anti-aliasing viewers.
  const path = darkRects.map((rect) => `M${rect.x} ${rect.y}h${rect.width}v${rect.height}h${-rect.width}Z`).join('');
  const crop = page.getCropBox();
  // drawSvgPath measures y downwards from the given origin: the page's top-left, as the template does.
  page.drawSvgPath(path, { x: crop.x, y: crop.y + crop.height, color: pdfColourOf(field.colour), borderWidth: 0 });
}

/**
 * Draws the organisation's branding into a PDF: each placement's text, logo or QR code inside its box, on its
 * page or on every page. Text is drawn in DejaVu Sans (embedded, subset) as literal characters.
 * Throws cobranding.pdf_encrypted, pdf_corrupt, template_invalid, page_missing, box_outside_page or logo_unreadable.
 */
export async function cobrandPdf(pdfBytes: Uint8Array, placements: PlacementTemplateInput, branding: Branding): Promise<Uint8Array> {
  const fields = parsePlacementTemplate(placements);
  const doc = await loadSourcePdf(pdfBytes);
  const pages = doc.getPages();
  // Every box is checked before anything is drawn, so a bad template fails whole rather than half-applied.
  const targets = fields.flatMap((field, fieldIndex) =>
    pagesFor(field, fieldIndex, pages).map((page) => {
      const { width, height } = page.getCropBox();
      assertBoxInside(field, fieldIndex, width, height);
      return { field, page };
    }),
  );

  let font: PDFFont | undefined;
  const metrics = metricsOf(await loadLayoutFont());
  const logoFields = fields.filter((field) => field.kind === 'logo');
  const logo = branding.logoPng && logoFields.length > 0 ? await embedLogo(doc, branding.logoPng, logoFields) : undefined;

  const layouts = new Map<PlacementField, TextLayout>();
  for (const { field, page } of targets) {
    if (field.kind === 'logo') {
      if (logo) drawLogo(page, logo, toPdfRect(page, fitInside(logo.width, logo.height, field.box, field.align)));
      continue;
    }
    if (field.kind === 'qr') {
      if (branding.qrUrl) drawQr(page, field, branding.qrUrl);
      continue;
    }
    const text = textFor(field, branding);
    if (!text) continue;
    if (!font) {
      // pdf-lib asks its fontkit to parse the font bytes for every document; handing it the font already parsed for
      // layout skips that (about a tenth of a render) and reuses its glyph caches. Subsets are still made per document.
      const parsed = await loadLayoutFont();
      doc.registerFontkit({ ...fontkit, create: () => parsed } as typeof fontkit);
      font = await doc.embedFont(await loadFontBytes(), { subset: true });
    }
    // A field on every page has the same text in the same box: laid out once, not once per page.
    let layout = layouts.get(field);
    if (!layout) layouts.set(field, (layout = layoutText(text, field.box, field.fontSize, field.align, metrics)));
    const color = pdfColourOf(field.colour);
    for (const line of layout.lines) {
      const baseline = toPdfRect(page, { x: field.box.x + line.x, y: field.box.y + line.baseline, width: line.width, height: 0 });
      page.drawText(line.text, { x: baseline.x, y: baseline.y, size: layout.size, font, color });
    }
  }
  return doc.save();
}
