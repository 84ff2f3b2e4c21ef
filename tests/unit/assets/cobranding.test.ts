import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { PDFArray, PDFDict, PDFDocument, PDFName, StandardFonts } from 'pdf-lib';
import fontkit from '@pdf-lib/fontkit';
import sharp from 'sharp';
import { layoutText, loadFontBytes, loadLayoutFont, metricsOf, MIN_FONT_SIZE, textFor } from '../../../assets/cobranding/cobrand-layout.js';
import { cobrandImage } from '../../../assets/cobranding/image-cobrand.js';
import { cobrandPdf } from '../../../assets/cobranding/pdf-cobrand.js';
import type { Branding, PlacementTemplateInput } from '../../../assets/cobranding/placement.schema.js';
import { AppError } from '../../../server/http/app-error.js';
import { boundsOf, expectInside, rasterise } from '../../helpers/pdf-raster.js';

const A4 = { width: 595, height: 842 };
const LOGO_RED = { r: 220, g: 20, b: 30 };

const branding = (logoPng?: Uint8Array): Branding => ({
  name: 'Ωmega Партнёр Société',
  contact: {
    person: 'Zoë Ångström-Üçüncü, Senior Partner Marketing Manager for Central & Eastern Europe',
    email: 'partner.marketing.central-eastern-europe@omega-partner-societe.example.com',
    phone: '+33 1 23 45 67 89 / +7 495 123-45-67',
    website: 'https://www.omega-partner-societe.example.com/collaboration/northwind',
  },
  ...(logoPng ? { logoPng } : {}),
  qrUrl: 'https://partners.example.com/r/omega?campaign=spring',
});

const LOGO_BOX = { x: 40, y: 40, width: 120, height: 60 };
const NAME_BOX = { x: 200, y: 40, width: 180, height: 40 };
const CONTACT_BOX = { x: 40, y: 720, width: 180, height: 60 };
const QR_BOX = { x: 450, y: 690, width: 100, height: 100 };

const pdfTemplate: PlacementTemplateInput = [
  { kind: 'logo', page: 1, box: LOGO_BOX, align: 'center' },
  { kind: 'name', page: 'all', box: NAME_BOX, fontSize: 28, colour: '#0033cc', align: 'right' },
  { kind: 'contact', page: 2, box: CONTACT_BOX, fontSize: 14, colour: '#008000' },
  { kind: 'qr', page: 1, box: QR_BOX, colour: '#800080' },
];

async function sourcePdf(pages = 2): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const helvetica = await doc.embedFont(StandardFonts.Helvetica);
  for (let n = 1; n <= pages; n++) doc.addPage([A4.width, A4.height]).drawText(`Northwind collateral, page ${n}`, { x: 50, y: 400, size: 18, font: helvetica });
  return doc.save();
}

const solidPng = (width: number, height: number, colour: { r: number; g: number; b: number }) =>
  sharp({ create: { width, height, channels: 3, background: colour } }).png().toBuffer();

async function errorOf(work: Promise<unknown>): Promise<AppError> {
  try {
    await work;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

const isLogoRed = (r: number, g: number, b: number) => r > 180 && g < 80 && b < 80;
const isNameBlue = (r: number, g: number, b: number) => b > 120 && r < 100 && g < 120 && b - r > 60;
const isContactGreen = (r: number, g: number, b: number) => g > 60 && g - r > 40 && g - b > 40;
const isQrPurple = (r: number, g: number, b: number) => r > 60 && b > 60 && r - g > 50 && b - g > 50;

afterEach(() => {
  jest.restoreAllMocks();
});

describe('text layout', () => {
  it('wraps and shrinks a long contact block until every line fits the box, measured with the embedded font', async () => {
    const metrics = metricsOf(await loadLayoutFont());
    const text = textFor({ kind: 'contact', page: 1, box: CONTACT_BOX, fontSize: 14, colour: '#000000', align: 'left' }, branding())!;
    const layout = layoutText(text, CONTACT_BOX, 14, 'left', metrics);

    expect(layout.size).toBeLessThan(14);
    expect(layout.size).toBeGreaterThanOrEqual(MIN_FONT_SIZE);
    expect(layout.lines.length).toBeGreaterThan(4); // the four contact lines, some wrapped
    // Independent check with pdf-lib's own measurement of the same TTF.
    const doc = await PDFDocument.create();
    doc.registerFontkit(fontkit);
    const font = await doc.embedFont(await loadFontBytes(), { subset: true });
    for (const line of layout.lines) {
      expect(font.widthOfTextAtSize(line.text, layout.size)).toBeLessThanOrEqual(CONTACT_BOX.width);
      expect(line.x).toBeGreaterThanOrEqual(0);
    }
    expect(layout.lines.length * layout.lineHeight).toBeLessThanOrEqual(CONTACT_BOX.height);
    const lastLine = layout.lines.at(-1)!;
    expect(lastLine.baseline + metrics.descent * layout.size).toBeLessThanOrEqual(CONTACT_BOX.height + 1e-9);
    expect(layout.truncated).toBe(false);
    // Nothing lost: the drawn words are the text's words.
    expect(layout.lines.map((line) => line.text).join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
  });

  it('truncates with an ellipsis at the minimum size when the text cannot fit', async () => {
    const metrics = metricsOf(await loadLayoutFont());
    const box = { width: 60, height: 16 };
    const layout = layoutText('Ωmega Партнёр Société '.repeat(20), box, 12, 'center', metrics);
    expect(layout.size).toBe(MIN_FONT_SIZE);
    expect(layout.truncated).toBe(true);
    expect(layout.lines.length).toBeGreaterThan(0);
    expect(layout.lines.at(-1)!.text.endsWith('…')).toBe(true);
    for (const line of layout.lines) expect(line.width).toBeLessThanOrEqual(box.width);
    expect(layout.lines.length * layout.lineHeight).toBeLessThanOrEqual(box.height);
  });

  it('draws nothing rather than overflow a box too small for one line', async () => {
    const layout = layoutText('Ωmega', { width: 100, height: 3 }, 12, 'left', metricsOf(await loadLayoutFont()));
    expect(layout.lines).toEqual([]);
    expect(layout.truncated).toBe(true);
  });
});

describe('cobrandPdf', () => {
  it('co-brands a two-page PDF: same pages, DejaVu embedded, logo and name rendered inside their boxes', async () => {
    const logo = await solidPng(200, 50, LOGO_RED);
    const output = await cobrandPdf(await sourcePdf(), pdfTemplate, branding(logo));

    const doc = await PDFDocument.load(output);
    expect(doc.getPageCount()).toBe(2);
    for (const page of doc.getPages()) {
      const fonts = page.node.Resources()!.lookup(PDFName.of('Font'), PDFDict);
      const dejaVu = fonts
        .values()
        .map((ref) => doc.context.lookup(ref, PDFDict))
        .find((font) => /^\/DejaVuSans\b/.test(font.get(PDFName.of('BaseFont'))!.toString()));
      expect(dejaVu).toBeDefined();
      // Embedded, not merely named: the descendant font's descriptor carries the (subset) TrueType program.
      const descendant = dejaVu!.lookup(PDFName.of('DescendantFonts'), PDFArray).lookup(0, PDFDict);
      expect(descendant.lookup(PDFName.of('FontDescriptor'), PDFDict).has(PDFName.of('FontFile2'))).toBe(true);
    }

    const scale = 2;
    const page1 = await rasterise(output, 1, scale);
    expectInside(boundsOf(page1.pixels, page1.width, 4, isLogoRed), LOGO_BOX, scale);
    expectInside(boundsOf(page1.pixels, page1.width, 4, isNameBlue), NAME_BOX, scale);
    // The 4:1 logo fills the width of the 2:1 box, centred vertically.
    const logoBounds = boundsOf(page1.pixels, page1.width, 4, isLogoRed)!;
    expect(logoBounds.right - logoBounds.left + 1).toBeGreaterThanOrEqual(LOGO_BOX.width * scale - 2);
    const page2 = await rasterise(output, 2, scale);
    expectInside(boundsOf(page2.pixels, page2.width, 4, isNameBlue), NAME_BOX, scale);
    expect(boundsOf(page2.pixels, page2.width, 4, isLogoRed)).toBeNull();
    expectInside(boundsOf(page2.pixels, page2.width, 4, isContactGreen), CONTACT_BOX, scale);
    // The QR code fills its square box (modules reach the quiet zone's edge on every side).
    const qrBounds = boundsOf(page1.pixels, page1.width, 4, isQrPurple);
    expectInside(qrBounds, QR_BOX, scale);
    expect(qrBounds!.right - qrBounds!.left).toBeGreaterThan(QR_BOX.width * scale * 0.7);
  });

  it('measures boxes from the top-left of the crop box, the part of the page viewers show', async () => {
    const doc = await PDFDocument.create();
    doc.addPage([500, 300]).setCropBox(10, 20, 480, 270);
    const box = { x: 290, y: 90, width: 170, height: 170 };
    const output = await cobrandPdf(await doc.save(), [{ kind: 'qr', page: 1, box, colour: '#800080' }], branding());
    const page = await rasterise(output, 1, 1);
    expectInside(boundsOf(page.pixels, page.width, 4, isQrPurple), box);
    const outside = await errorOf(cobrandPdf(await doc.save(), [{ kind: 'qr', page: 1, box: { ...box, y: 110 } }], branding()));
    expect(outside.code).toBe('cobranding.box_outside_page');
  });

  it('refuses an encrypted PDF with a typed error', async () => {
    const doc = await PDFDocument.load(await sourcePdf(1));
    // pdf-lib cannot encrypt; an /Encrypt entry in the trailer is what marks a file as encrypted.
    doc.context.trailerInfo.Encrypt = doc.context.register(doc.context.obj({ Filter: 'Standard', V: 1, R: 2, P: -4 }));
    const encrypted = await doc.save({ useObjectStreams: false });
    expect((await errorOf(cobrandPdf(encrypted, pdfTemplate, branding()))).code).toBe('cobranding.pdf_encrypted');
  });

  it('refuses a corrupt PDF with a typed error', async () => {
    // pdf-lib logs each object it cannot parse before giving up; that noise is expected here.
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect((await errorOf(cobrandPdf(new TextEncoder().encode('not a pdf at all'), pdfTemplate, branding()))).code).toBe('cobranding.pdf_corrupt');
    const truncated = (await sourcePdf()).slice(0, 200);
    expect((await errorOf(cobrandPdf(truncated, pdfTemplate, branding()))).code).toBe('cobranding.pdf_corrupt');
  });

  it('refuses boxes outside the page, missing pages and invalid templates', async () => {
    const pdf = await sourcePdf();
    const outside = await errorOf(cobrandPdf(pdf, [{ kind: 'name', page: 1, box: { x: 500, y: 10, width: 200, height: 20 } }], branding()));
    expect(outside.code).toBe('cobranding.box_outside_page');
    const missing = await errorOf(cobrandPdf(pdf, [{ kind: 'name', page: 3, box: NAME_BOX }], branding()));
    expect(missing.code).toBe('cobranding.page_missing');
    const invalid = await errorOf(cobrandPdf(pdf, [{ kind: 'name', page: 1, box: { ...NAME_BOX, width: -5 }, colour: 'blue' }], branding()));
    expect(invalid.code).toBe('cobranding.template_invalid');
  });
});

describe('cobrandImage', () => {
  const IMAGE_LOGO_BOX = { x: 10, y: 10, width: 100, height: 100 };
  const IMAGE_NAME_BOX = { x: 150, y: 20, width: 200, height: 60 };

  it('keeps the size and format, puts the logo inside its box and draws markup characters literally', async () => {
    const source = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#ffffff' } }).png().toBuffer();
    const logo = await solidPng(50, 20, LOGO_RED);
    const output = await cobrandImage(
      source,
      [
        { kind: 'logo', page: 1, box: IMAGE_LOGO_BOX, align: 'center' },
        { kind: 'name', page: 1, box: IMAGE_NAME_BOX, fontSize: 30, colour: '#0033cc' },
        { kind: 'qr', page: 'all', box: { x: 280, y: 180, width: 110, height: 110 } },
      ],
      { ...branding(logo), name: 'A&B <Partner> <b>&amp;</b> Ωmega' },
    );

    const metadata = await sharp(output).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual(['png', 400, 300]);
    const { data, info } = await sharp(output).raw().toBuffer({ resolveWithObject: true });
    const logoBounds = boundsOf(data, info.width, info.channels, isLogoRed);
    expectInside(logoBounds, IMAGE_LOGO_BOX);
    // 50 × 20 scaled into 100 × 100: 100 × 40, centred vertically.
    expect([logoBounds!.right - logoBounds!.left + 1, logoBounds!.bottom - logoBounds!.top + 1]).toEqual([100, 40]);
    expectInside(boundsOf(data, info.width, info.channels, isNameBlue), IMAGE_NAME_BOX);
    expect(boundsOf(data, info.width, info.channels, (r, g, b) => r + g + b < 60)).not.toBeNull();
  });

  it('keeps JPEG as JPEG and refuses what it cannot decode', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#ffffff' } }).jpeg().toBuffer();
    const output = await cobrandImage(jpeg, [{ kind: 'name', page: 1, box: { x: 0, y: 0, width: 64, height: 20 } }], branding());
    expect((await sharp(output).metadata()).format).toBe('jpeg');
    expect((await errorOf(cobrandImage(new Uint8Array([1, 2, 3]), [{ kind: 'name', page: 1, box: NAME_BOX }], branding()))).code).toBe(
      'cobranding.image_unsupported',
    );
    const outside = await errorOf(cobrandImage(jpeg, [{ kind: 'name', page: 1, box: { x: 10, y: 10, width: 64, height: 20 } }], branding()));
    expect(outside.code).toBe('cobranding.box_outside_page');
  });
});
