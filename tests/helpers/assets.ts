import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import sharp from 'sharp';
import type { TestClient } from './http-client.js';

/** Form fields of POST /library/assets; repeated fields (managedTagIds, visible…) as arrays. */
export type AssetFormFields = Record<string, string | readonly string[]>;

export interface AssetUpload {
  filename: string;
  bytes: Uint8Array;
  /** Defaults: category "brochure" (the title defaults to the file name). */
  fields?: AssetFormFields;
}

/** The page's CSRF token for `client` (signed in as someone who may upload). */
async function csrfTokenOf(client: TestClient): Promise<string> {
  const page = await client.get('/profile');
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
  if (!token) throw new Error(`no CSRF token on /profile (status ${page.status}); is the client signed in?`);
  return token;
}

/**
 * Posts one file to `path` as the bulk upload page does (multipart, fields before the file, JSON answer).
 * Returns the status and parsed body whatever happened, for tests of refusals.
 */
export async function postAssetFile(client: TestClient, upload: AssetUpload, path = '/library/assets'): Promise<{ status: number; body: { id?: string; url?: string; versionNumber?: number; error?: { code: string; message: string; fields?: Record<string, string> } } }> {
  const token = await csrfTokenOf(client);
  const form = new FormData();
  for (const [name, value] of Object.entries({ category: 'brochure', ...upload.fields })) {
    for (const item of typeof value === 'string' ? [value] : value) form.append(name, item);
  }
  form.append('file', new Blob([new Uint8Array(upload.bytes)]), upload.filename);
  const res = await fetch(client.baseUrl + path, {
    method: 'POST',
    body: form,
    headers: { accept: 'application/json', 'x-csrf-token': token, cookie: `pa.sid=${client.cookie('pa.sid')}` },
  });
  const text = await res.text();
  let body: Awaited<ReturnType<typeof postAssetFile>>['body'];
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`POST ${path} answered ${res.status} with non-JSON: ${text.slice(0, 300)}`);
  }
  return { status: res.status, body };
}

/** Uploads a new library asset through POST /library/assets as `client` (an enablement manager); returns its id. */
export async function uploadAsset(client: TestClient, upload: AssetUpload): Promise<string> {
  const { status, body } = await postAssetFile(client, upload);
  if (status !== 201 || !body.id) throw new Error(`upload of ${upload.filename} failed: ${status} ${body.error?.code} ${body.error?.message}`);
  return body.id;
}

/** Uploads a new version of an asset; returns its version number. */
export async function uploadAssetVersion(client: TestClient, assetId: string, upload: Omit<AssetUpload, 'fields'>): Promise<number> {
  const { status, body } = await postAssetFile(client, { ...upload, fields: {} }, `/library/assets/${assetId}/versions`);
  if (status !== 201 || !body.versionNumber) throw new Error(`new version of ${assetId} failed: ${status} ${body.error?.message}`);
  return body.versionNumber;
}

/** A real PDF with a text layer: one page per entry of `pages`, each showing its text. */
export async function textPdf(pages: readonly string[] = ['Northwind Firewall brochure']): Promise<Buffer> {
  const document = await PDFDocument.create();
  const font = await document.embedFont(StandardFonts.Helvetica);
  for (const text of pages) {
    const page = document.addPage([595, 842]);
    page.drawRectangle({ x: 0, y: 742, width: 595, height: 100, color: rgb(0.2, 0.25, 0.72) });
    page.drawText(text, { x: 48, y: 680, size: 24, font, color: rgb(0.1, 0.1, 0.15) });
  }
  return Buffer.from(await document.save());
}

/** A real PNG (a coloured rectangle) of the given size. */
export async function solidPng(width = 320, height = 160, colour = '#3340b8'): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: colour } }).png().toBuffer();
}

export async function solidJpeg(width = 320, height = 160): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#0f6e6e' } }).jpeg().toBuffer();
}

export async function solidWebp(width = 320, height = 160): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#9a4214' } }).webp().toBuffer();
}

/** A safe SVG drawing. */
export const plainSvg = (): Buffer =>
  Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100"><rect width="200" height="100" fill="#1f6f3a"/><circle cx="100" cy="50" r="30" fill="#fff"/></svg>');

/**
 * A PNG whose header declares width × height but that carries only a few bytes of pixel data: refused from the
 * header, before anything is decoded.
 */
export async function pngDeclaring(width: number, height: number): Promise<Buffer> {
  const png = await solidPng(1, 1);
  // IHDR data starts at byte 16 (8 signature + 4 length + 4 type); its CRC follows the 13 data bytes.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  const { crc32 } = await import('node:zlib');
  png.writeUInt32BE(crc32(png.subarray(12, 29)) >>> 0, 29);
  return png;
}
