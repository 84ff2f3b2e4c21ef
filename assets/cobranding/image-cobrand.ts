import type { Font } from '@pdf-lib/fontkit';
import sharp, { type Metadata, type OverlayOptions } from 'sharp';
import { cobrandingErrors } from './cobranding.errors.js';
import {
  MAX_LOGO_PIXELS,
  assertBoxInside,
  fitInside,
  layoutQr,
  layoutText,
  loadLayoutFont,
  metricsOf,
  parsePlacementTemplate,
  textFor,
  type Rect,
} from './cobrand-layout.js';
import type { Branding, PlacementField, PlacementTemplateInput } from './placement.schema.js';

/** Decoded size limit, checked from the header before decoding (decompression bombs). */
export const MAX_COBRAND_IMAGE_PIXELS = 100_000_000;

const OUTPUT_FORMATS = ['png', 'jpeg', 'webp'] as const;
type OutputFormat = (typeof OUTPUT_FORMATS)[number];

function isOutputFormat(format: string | undefined): format is OutputFormat {
  return (OUTPUT_FORMATS as readonly (string | undefined)[]).includes(format);
}

/** Boxes shrink inwards to whole pixels, so nothing placed in them can spill a pixel outside. */
function pixelBoxOf(field: PlacementField): Rect {
  const x = Math.ceil(field.box.x);
  const y = Math.ceil(field.box.y);
  return { x, y, width: Math.floor(field.box.x + field.box.width) - x, height: Math.floor(field.box.y + field.box.height) - y };
}

/**
 * Text becomes glyph outlines (SVG paths from the same font and layout as PDFs), never SVG or Pango text:
 * a partner name like "A&B <Partner>" is drawn literally, and no system font is needed.
 */
function textSvg(font: Font, field: PlacementField, box: Rect, text: string): string {
  const layout = layoutText(text, box, field.fontSize, field.align, metricsOf(font));
  const scale = layout.size / font.unitsPerEm;
  return layout.lines
    .map((line) => {
      let advance = 0;
      const glyphs = font.layout(line.text).glyphs.map((glyph) => {
        const path = `<path transform="translate(${advance} 0)" d="${glyph.path.toSVG()}"/>`;
        advance += glyph.advanceWidth;
        return path;
      });
      return `<g transform="translate(${box.x + line.x} ${box.y + line.baseline}) scale(${scale} ${-scale})" fill="${field.colour}">${glyphs.join('')}</g>`;
    })
    .join('');
}

function qrSvg(field: PlacementField, box: Rect, url: string): string {
  const qr = layoutQr(url, box, field.align, true);
  if (!qr) return '';
  const { square, darkRects } = qr;
  const rectSvg = (rect: Rect) => `x="${rect.x}" y="${rect.y}" width="${rect.width}" height="${rect.height}"`;
  return (
    `<g shape-rendering="crispEdges"><rect ${rectSvg(square)} fill="#ffffff"/>` +
    `<g fill="${field.colour}">${darkRects.map((rect) => `<rect ${rectSvg(rect)}/>`).join('')}</g></g>`
  );
}

async function logoOverlay(logo: Uint8Array, field: PlacementField, box: Rect): Promise<OverlayOptions | null> {
  const image = sharp(logo, { limitInputPixels: MAX_LOGO_PIXELS });
  let width: number | undefined;
  let height: number | undefined;
  try {
    ({ width, height } = await image.metadata());
  } catch {
    throw cobrandingErrors.logoUnreadable();
  }
  if (!width || !height) throw cobrandingErrors.logoUnreadable();
  const fitted = fitInside(width, height, box, field.align);
  const targetWidth = Math.floor(fitted.width);
  const targetHeight = Math.floor(fitted.height);
  if (targetWidth < 1 || targetHeight < 1) return null;
  const input = await image.resize({ width: targetWidth, height: targetHeight, fit: 'inside' }).png().toBuffer().catch(() => {
    throw cobrandingErrors.logoUnreadable();
  });
  return { input, left: Math.floor(fitted.x), top: Math.floor(fitted.y) };
}

/**
 * Draws the organisation's branding onto a PNG, JPEG or WebP image and returns it in the same format and
 * size. Boxes are in pixels from the top-left of the upright image; `page` is ignored.
 * Throws cobranding.image_unsupported, template_invalid, box_outside_page or logo_unreadable.
 */
export async function cobrandImage(imageBytes: Uint8Array, placements: PlacementTemplateInput, branding: Branding): Promise<Uint8Array> {
  const fields = parsePlacementTemplate(placements);
  // autoOrient: boxes are measured on the image as people see it, EXIF rotation applied.
  const source = sharp(imageBytes, { limitInputPixels: MAX_COBRAND_IMAGE_PIXELS, autoOrient: true });
  let metadata: Metadata;
  try {
    metadata = await source.metadata();
  } catch {
    throw cobrandingErrors.imageUnsupported('not an image that can be decoded');
  }
  if (!isOutputFormat(metadata.format)) throw cobrandingErrors.imageUnsupported(`a ${metadata.format} image`);
  const { width, height } = metadata.autoOrient;
  fields.forEach((field, fieldIndex) => assertBoxInside(field, fieldIndex, width, height));

  const font = await loadLayoutFont();
  const svgParts: string[] = [];
  const overlays: OverlayOptions[] = [];
  for (const field of fields) {
    const box = pixelBoxOf(field);
    if (field.kind === 'logo') {
      const overlay = branding.logoPng ? await logoOverlay(branding.logoPng, field, box) : null;
      if (overlay) overlays.push(overlay);
    } else if (field.kind === 'qr') {
      if (branding.qrUrl) svgParts.push(qrSvg(field, box, branding.qrUrl));
    } else {
      const text = textFor(field, branding);
      if (text) svgParts.push(textSvg(font, field, box, text));
    }
  }
  if (svgParts.length > 0) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${svgParts.join('')}</svg>`;
    overlays.unshift({ input: Buffer.from(svg), left: 0, top: 0 });
  }
  if (overlays.length === 0) return new Uint8Array(await source.toFormat(metadata.format).toBuffer());
  return new Uint8Array(await source.composite(overlays).toFormat(metadata.format).toBuffer());
}
