import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import fontkit, { type Font } from '@pdf-lib/fontkit';
import QRCode from 'qrcode';
import { cobrandingErrors } from './cobranding.errors.js';
import {
  placementTemplateSchema,
  type Branding,
  type PlacementAlign,
  type PlacementBox,
  type PlacementField,
  type PlacementTemplateInput,
} from './placement.schema.js';

/** Text never gets smaller than this; below it, it is truncated with an ellipsis instead. */
export const MIN_FONT_SIZE = 6;
/** Shrink step: fine enough that text ends up close to the largest size that fits. */
const FONT_SIZE_STEP = 0.5;
const ELLIPSIS = '…';
/** Decoded size limit for the logo (a small PNG can claim a huge canvas). */
export const MAX_LOGO_PIXELS = 25_000_000;
/** Quiet zone the QR specification asks for around the modules, in modules. */
const QR_QUIET_ZONE = 4;

/**
 * DejaVu Sans (dejavu-fonts-ttf; Bitstream Vera licence, DejaVu changes public domain): one TTF covering
 * Latin with accents, Greek and Cyrillic, so partner names in those scripts draw without missing glyphs.
 */
const FONT_MODULE_PATH = 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf';

let fontBytesPromise: Promise<Uint8Array> | undefined;
let layoutFont: Font | undefined;

/** The font file, read from node_modules on first use and then kept (it is 750 kB; reading it per download would be waste). */
export function loadFontBytes(): Promise<Uint8Array> {
  if (!fontBytesPromise) {
    fontBytesPromise = readFile(createRequire(import.meta.url).resolve(FONT_MODULE_PATH)).then((buffer) => new Uint8Array(buffer));
    // A failed read is not cached, so a transient error does not break every later call.
    fontBytesPromise.catch(() => {
      fontBytesPromise = undefined;
    });
  }
  return fontBytesPromise;
}

/** The parsed font used for measuring (and, for images, for glyph outlines). */
export async function loadLayoutFont(): Promise<Font> {
  layoutFont ??= fontkit.create(await loadFontBytes());
  return layoutFont;
}

/** What layout needs to know about a font, per point of font size. */
export interface FontMetrics {
  widthOf(text: string, size: number): number;
  /** Height above the baseline, as a fraction of the font size. */
  ascent: number;
  /** Depth below the baseline (positive), as a fraction of the font size. */
  descent: number;
}

/**
 * Widths add up the glyphs' advance widths without kerning, exactly as pdf-lib measures and draws them,
 * so what is measured here is what lands on the page.
 */
export function metricsOf(font: Font): FontMetrics {
  const scale = 1 / font.unitsPerEm;
  return {
    widthOf: (text, size) => font.layout(text).glyphs.reduce((sum, glyph) => sum + glyph.advanceWidth, 0) * scale * size,
    ascent: font.ascent * scale,
    descent: -font.descent * scale,
  };
}

export interface LaidOutLine {
  text: string;
  width: number;
  /** Offset of the line's left edge from the box's left edge. */
  x: number;
  /** Offset of the baseline from the box's top edge. */
  baseline: number;
}

export interface TextLayout {
  size: number;
  lineHeight: number;
  lines: LaidOutLine[];
  /** Text was cut (with an ellipsis) because it did not fit even at MIN_FONT_SIZE. */
  truncated: boolean;
}

/** Tabs, carriage returns and other control characters have no glyph; they become spaces. Line breaks are kept. */
function paragraphsOf(text: string): string[][] {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((paragraph) => paragraph.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, ' ').split(' ').filter(Boolean))
    .filter((words) => words.length > 0);
}

/** Breaks a word wider than the line (a long e-mail address or URL) between characters; null if one character is too wide. */
function breakWord(word: string, fits: (text: string) => boolean): string[] | null {
  const pieces: string[] = [];
  let current = '';
  for (const char of word) {
    if (fits(current + char)) current += char;
    else if (current === '') return null;
    else {
      pieces.push(current);
      current = char;
    }
  }
  pieces.push(current);
  return pieces;
}

/** Greedy word wrap; null when some character alone is wider than the box. */
function wrap(paragraphs: string[][], fits: (text: string) => boolean): string[] | null {
  const lines: string[] = [];
  for (const words of paragraphs) {
    let current = '';
    for (const word of words) {
      const candidate = current ? `${current} ${word}` : word;
      if (fits(candidate)) {
        current = candidate;
        continue;
      }
      if (current) lines.push(current);
      const pieces = fits(word) ? [word] : breakWord(word, fits);
      if (!pieces) return null;
      lines.push(...pieces.slice(0, -1));
      current = pieces.at(-1) ?? '';
    }
    if (current) lines.push(current);
  }
  return lines;
}

/** Shortens the line until it and the ellipsis fit; null if not even the ellipsis does. */
function withEllipsis(line: string, fits: (text: string) => boolean): string | null {
  const chars = Array.from(line);
  while (chars.length > 0 && !fits(`${chars.join('').trimEnd()}${ELLIPSIS}`)) chars.pop();
  const shortened = `${chars.join('').trimEnd()}${ELLIPSIS}`;
  return fits(shortened) ? shortened : null;
}

function alignOffset(align: PlacementAlign, space: number, used: number): number {
  if (align === 'center') return (space - used) / 2;
  return align === 'right' ? space - used : 0;
}

/**
 * Lays text out inside a box: wrapped at word boundaries, at the largest size from maxSize down to
 * MIN_FONT_SIZE at which every line fits the width and all lines fit the height; if nothing fits, the
 * text at MIN_FONT_SIZE is cut to the lines that fit, the last one ending in an ellipsis. Lines never overflow.
 */
export function layoutText(text: string, box: Pick<PlacementBox, 'width' | 'height'>, maxSize: number, align: PlacementAlign, metrics: FontMetrics): TextLayout {
  const paragraphs = paragraphsOf(text);
  // Width grows linearly with size, so each candidate string is shaped once, not once per size tried.
  const unitWidths = new Map<string, number>();
  const widthOf = (candidate: string, size: number) => {
    let unitWidth = unitWidths.get(candidate);
    if (unitWidth === undefined) unitWidths.set(candidate, (unitWidth = metrics.widthOf(candidate, 1)));
    return unitWidth * size;
  };
  const lineHeightAt = (size: number) => size * (metrics.ascent + metrics.descent);
  const place = (lines: string[], size: number, truncated: boolean): TextLayout => ({
    size,
    lineHeight: lineHeightAt(size),
    truncated,
    lines: lines.map((line, index) => {
      const width = widthOf(line, size);
      return { text: line, width, x: alignOffset(align, box.width, width), baseline: index * lineHeightAt(size) + metrics.ascent * size };
    }),
  });

  const steps = Math.floor((Math.max(maxSize, MIN_FONT_SIZE) - MIN_FONT_SIZE) / FONT_SIZE_STEP);
  for (let step = 0; step <= steps; step++) {
    const size = Math.max(maxSize - step * FONT_SIZE_STEP, MIN_FONT_SIZE);
    const lines = wrap(paragraphs, (candidate) => widthOf(candidate, size) <= box.width);
    if (lines && lines.length * lineHeightAt(size) <= box.height) return place(lines, size, false);
  }

  const fitsAtMin = (candidate: string) => widthOf(candidate, MIN_FONT_SIZE) <= box.width;
  const maxLines = Math.floor(box.height / lineHeightAt(MIN_FONT_SIZE));
  const lines = wrap(paragraphs, fitsAtMin);
  if (!lines || maxLines === 0) return place([], MIN_FONT_SIZE, true);
  const kept = lines.slice(0, maxLines);
  const last = withEllipsis(kept.pop() ?? '', fitsAtMin);
  return place(last ? [...kept, last] : kept, MIN_FONT_SIZE, true);
}

/** A rectangle in the template's top-left coordinates. */
export type Rect = PlacementBox;

/** Scales content (a logo, a QR code) to fit inside the box keeping its aspect ratio: aligned per the field horizontally, centred vertically. */
export function fitInside(contentWidth: number, contentHeight: number, box: PlacementBox, align: PlacementAlign): Rect {
  const scale = Math.min(box.width / contentWidth, box.height / contentHeight);
  const width = contentWidth * scale;
  const height = contentHeight * scale;
  return { x: box.x + alignOffset(align, box.width, width), y: box.y + (box.height - height) / 2, width, height };
}

export function parsePlacementTemplate(input: PlacementTemplateInput): PlacementField[] {
  const result = placementTemplateSchema.safeParse(input);
  if (!result.success) throw cobrandingErrors.templateInvalid(result.error.issues.map((issue) => `${issue.path.join('.') || 'template'} ${issue.message}`));
  return result.data;
}

export function assertBoxInside(field: PlacementField, fieldIndex: number, pageWidth: number, pageHeight: number): void {
  const { box } = field;
  // A hair of tolerance: templates are often measured in a design tool that rounds to hundredths.
  const tolerance = 0.01;
  if (box.x + box.width > pageWidth + tolerance || box.y + box.height > pageHeight + tolerance) {
    throw cobrandingErrors.boxOutsidePage(fieldIndex, box, pageWidth, pageHeight);
  }
}

/** The text a name or contact field shows, or null when the organisation has nothing for it. */
export function textFor(field: PlacementField, branding: Branding): string | null {
  if (field.kind === 'name') return branding.name.trim() || null;
  if (field.kind !== 'contact') return null;
  const { person, email, phone, website } = branding.contact;
  const lines = [person, email, phone, website].map((line) => line?.trim()).filter((line): line is string => Boolean(line));
  return lines.length > 0 ? lines.join('\n') : null;
}

interface QrModules {
  /** Modules per side, without the quiet zone. */
  size: number;
  isDark(row: number, column: number): boolean;
}

/** Horizontal runs of dark modules, so a QR code is drawn as a few dozen rectangles rather than hundreds of squares. */
function darkRunsOf(qr: QrModules): { row: number; column: number; length: number }[] {
  const runs: { row: number; column: number; length: number }[] = [];
  for (let row = 0; row < qr.size; row++) {
    for (let column = 0; column < qr.size; column++) {
      if (!qr.isDark(row, column)) continue;
      const start = column;
      while (column + 1 < qr.size && qr.isDark(row, column + 1)) column++;
      runs.push({ row, column: start, length: column - start + 1 });
    }
  }
  return runs;
}

export interface QrLayout {
  /** The whole code with its quiet zone (to be painted light), fitted into the box, top-left coordinates. */
  square: Rect;
  /** The dark modules as rectangles in the same coordinates; drawn as vectors so the code stays sharp at any print size. */
  darkRects: Rect[];
}

/**
 * Null when the box is too small for the code.
 * wholePixelModules: for raster output, modules are a whole number of pixels at whole-pixel positions;
 * fractional modules rasterise with seams or uneven widths that make codes harder to scan.
 */
export function layoutQr(url: string, box: PlacementBox, align: PlacementAlign, wholePixelModules = false): QrLayout | null {
  const { modules } = QRCode.create(url, { errorCorrectionLevel: 'M' });
  const qr: QrModules = { size: modules.size, isDark: (row, column) => modules.get(row, column) === 1 };
  const modulesPerSide = qr.size + 2 * QR_QUIET_ZONE;
  const fitted = fitInside(modulesPerSide, modulesPerSide, box, align);
  const moduleSize = wholePixelModules ? Math.floor(fitted.width / modulesPerSide) : fitted.width / modulesPerSide;
  // A box narrower than one pixel per module cannot hold a scannable code; drawing it would overflow.
  if (moduleSize === 0) return null;
  const side = moduleSize * modulesPerSide;
  const square = wholePixelModules
    ? { x: Math.floor(box.x + alignOffset(align, box.width, side)), y: Math.floor(box.y + (box.height - side) / 2), width: side, height: side }
    : fitted;
  const darkRects = darkRunsOf(qr).map((run) => ({
    x: square.x + (QR_QUIET_ZONE + run.column) * moduleSize,
    y: square.y + (QR_QUIET_ZONE + run.row) * moduleSize,
    width: run.length * moduleSize,
    height: moduleSize,
  }));
  return { square, darkRects };
}

/** Red, green and blue of a validated #rrggbb colour, each 0–255. */
export function rgbOf(colour: string): [number, number, number] {
  const value = Number.parseInt(colour.slice(1), 16);
  return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}
