import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { expect } from '@jest/globals';

/** Opens a PDF with pdf.js as the app's previews do (no eval, no system fonts, data from the package). */
export async function openPdf(pdf: Uint8Array) {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const root = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
  return pdfjs.getDocument({
    data: new Uint8Array(pdf),
    standardFontDataUrl: join(root, 'standard_fonts') + '/',
    wasmUrl: join(root, 'wasm') + '/',
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: pdfjs.VerbosityLevel.ERRORS,
  }).promise;
}

/** Renders a page with pdf.js onto an @napi-rs/canvas canvas: real rasterisation, 1 pixel per point times scale. */
export async function rasterise(pdf: Uint8Array, pageNumber: number, scale: number) {
  const { createCanvas } = await import('@napi-rs/canvas');
  const document = await openPdf(pdf);
  try {
    const page = await document.getPage(pageNumber);
    const viewport = page.getViewport({ scale });
    const canvas = createCanvas(Math.floor(viewport.width), Math.floor(viewport.height));
    const context = canvas.getContext('2d');
    await page.render({ canvas: canvas as unknown as HTMLCanvasElement, canvasContext: context as unknown as CanvasRenderingContext2D, viewport }).promise;
    return { pixels: context.getImageData(0, 0, canvas.width, canvas.height).data, width: canvas.width, height: canvas.height };
  } finally {
    await document.destroy();
  }
}

/** The text pdf.js extracts from a page, items joined by spaces. */
export async function textOfPage(pdf: Uint8Array, pageNumber: number): Promise<string> {
  const document = await openPdf(pdf);
  try {
    const content = await (await document.getPage(pageNumber)).getTextContent();
    return content.items.map((item) => ('str' in item ? item.str : '')).join(' ');
  } finally {
    await document.destroy();
  }
}

export interface PixelBounds {
  left: number;
  top: number;
  right: number;
  bottom: number;
  count: number;
}

/** Pixels matching `isColour` in an RGB(A) buffer, as the bounding box they span (null when none). */
export function boundsOf(pixels: Uint8Array | Uint8ClampedArray, width: number, channels: number, isColour: (r: number, g: number, b: number) => boolean): PixelBounds | null {
  let bounds: PixelBounds | null = null;
  for (let i = 0; i < pixels.length; i += channels) {
    if (!isColour(pixels[i]!, pixels[i + 1]!, pixels[i + 2]!)) continue;
    const x = (i / channels) % width;
    const y = Math.floor(i / channels / width);
    bounds = bounds
      ? { left: Math.min(bounds.left, x), top: Math.min(bounds.top, y), right: Math.max(bounds.right, x), bottom: Math.max(bounds.bottom, y), count: bounds.count + 1 }
      : { left: x, top: y, right: x, bottom: y, count: 1 };
  }
  return bounds;
}

/** The pixels lie inside the box (in points or pixels, times scale), with one pixel of slack for anti-aliased edges. */
export function expectInside(bounds: PixelBounds | null, box: { x: number; y: number; width: number; height: number }, scale = 1): void {
  expect(bounds).not.toBeNull();
  expect(bounds!.left).toBeGreaterThanOrEqual(Math.floor(box.x * scale) - 1);
  expect(bounds!.top).toBeGreaterThanOrEqual(Math.floor(box.y * scale) - 1);
  expect(bounds!.right).toBeLessThanOrEqual(Math.ceil((box.x + box.width) * scale) + 1);
  expect(bounds!.bottom).toBeLessThanOrEqual(Math.ceil((box.y + box.height) * scale) + 1);
}
