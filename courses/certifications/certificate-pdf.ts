import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { layoutQr, layoutText, loadFontBytes, loadLayoutFont, metricsOf, rgbOf, type FontMetrics } from '../../assets/cobranding/cobrand-layout.js';

/** A4 landscape, in points. */
export const CERTIFICATE_PAGE = { width: 841.89, height: 595.28 } as const;
/** Where the QR code to the verification page goes (top-left page coordinates); tests look for it there. */
export const CERTIFICATE_QR_BOX = { x: 651, y: 395, width: 140, height: 140 } as const;

const DEFAULT_BRAND_COLOUR = '#1f4e79';
const INK = rgb(0.13, 0.15, 0.18);
const MUTED = rgb(0.36, 0.39, 0.43);

export interface CertificateContent {
  vendorName: string;
  /** #rrggbb; the vendor's primary brand colour, if set. */
  brandColour: string | null;
  holderName: string;
  organisationName: string;
  certificationName: string;
  issuedAt: Date;
  expiresAt: Date;
  publicId: string;
  verificationUrl: string;
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

type Align = 'left' | 'center' | 'right';

/** Draws text laid out (wrapped, shrunk to fit) in a box given in top-left page coordinates. */
function drawBoxText(page: PDFPage, font: PDFFont, metrics: FontMetrics, text: string, box: { x: number; y: number; width: number; height: number }, size: number, align: Align, color = INK) {
  const layout = layoutText(text, box, size, align, metrics);
  for (const line of layout.lines) page.drawText(line.text, { x: box.x + line.x, y: CERTIFICATE_PAGE.height - (box.y + line.baseline), size: layout.size, font, color });
}

function colourOf(hex: string) {
  const [r, g, b] = rgbOf(hex);
  return rgb(r / 255, g / 255, b / 255);
}

/**
 * The certificate as a one-page PDF: vendor band, holder, organisation, certification, dates, public id and a QR code
 * to the verification page. Text is DejaVu Sans (embedded, subset), the font co-branding uses, so any holder name in
 * Latin, Greek or Cyrillic script prints. Deterministic for the same content (no creation date in the metadata).
 */
export async function renderCertificatePdf(content: CertificateContent): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const parsed = await loadLayoutFont();
  // The font already parsed for layout serves pdf-lib too (as in co-branding): parsed once per process, subset per document.
  doc.registerFontkit({ ...fontkit, create: () => parsed } as typeof fontkit);
  const font = await doc.embedFont(await loadFontBytes(), { subset: true });
  const metrics = metricsOf(parsed);
  doc.setTitle(`${content.certificationName}: ${content.holderName}`);
  doc.setAuthor(content.vendorName);
  doc.setCreator('Partner Academy');
  doc.setProducer('Partner Academy');
  doc.setCreationDate(content.issuedAt);
  doc.setModificationDate(content.issuedAt);

  const { width, height } = CERTIFICATE_PAGE;
  const page = doc.addPage([width, height]);
  const brand = colourOf(/^#[0-9a-f]{6}$/i.test(content.brandColour ?? '') ? content.brandColour! : DEFAULT_BRAND_COLOUR);

  // The vendor band across the top, and a thin frame.
  page.drawRectangle({ x: 0, y: height - 90, width, height: 90, color: brand });
  page.drawRectangle({ x: 24, y: 24, width: width - 48, height: height - 48, borderColor: brand, borderWidth: 1.5 });
  drawBoxText(page, font, metrics, content.vendorName, { x: 50, y: 28, width: 500, height: 40 }, 26, 'left', rgb(1, 1, 1));
  drawBoxText(page, font, metrics, 'Partner Academy', { x: width - 300, y: 36, width: 250, height: 24 }, 14, 'right', rgb(1, 1, 1));

  const column = { x: 60, width: 560 };
  drawBoxText(page, font, metrics, 'Certificate', { ...column, y: 120, height: 40 }, 30, 'left', brand);
  drawBoxText(page, font, metrics, 'This certifies that', { ...column, y: 170, height: 20 }, 13, 'left', MUTED);
  drawBoxText(page, font, metrics, content.holderName, { ...column, y: 195, height: 46 }, 34, 'left');
  drawBoxText(page, font, metrics, `of ${content.organisationName}`, { ...column, y: 246, height: 24 }, 16, 'left', MUTED);
  drawBoxText(page, font, metrics, 'has earned the certification', { ...column, y: 285, height: 20 }, 13, 'left', MUTED);
  drawBoxText(page, font, metrics, content.certificationName, { ...column, y: 310, height: 64 }, 26, 'left', brand);

  drawBoxText(page, font, metrics, `Issued ${dateFormat.format(content.issuedAt)}`, { ...column, y: 410, height: 20 }, 13, 'left');
  drawBoxText(page, font, metrics, `Valid until ${dateFormat.format(content.expiresAt)}`, { ...column, y: 432, height: 20 }, 13, 'left');
  drawBoxText(page, font, metrics, `Certificate ID ${content.publicId}`, { ...column, y: 470, height: 18 }, 11, 'left', MUTED);
  drawBoxText(page, font, metrics, `Check it at ${content.verificationUrl}`, { ...column, y: 490, height: 36 }, 11, 'left', MUTED);

  drawQrCode(page, content.verificationUrl);
  return doc.save({ useObjectStreams: true });
}

/** The QR code in CERTIFICATE_QR_BOX, as one vector path on a white quiet zone (scanners need the light border). */
function drawQrCode(page: PDFPage, url: string): void {
  const qr = layoutQr(url, CERTIFICATE_QR_BOX, 'center');
  if (!qr) throw new Error('certificate: the QR box is too small for the verification URL');
  const { height } = CERTIFICATE_PAGE;
  page.drawRectangle({ x: qr.square.x, y: height - qr.square.y - qr.square.height, width: qr.square.width, height: qr.square.height, color: rgb(1, 1, 1) });
  const path = qr.darkRects.map((r) => `M${r.x} ${r.y}h${r.width}v${r.height}h${-r.width}Z`).join('');
  page.drawSvgPath(path, { x: 0, y: height, color: rgb(0, 0, 0), borderWidth: 0 });
}
