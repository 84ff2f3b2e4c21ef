import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';
import { type AssetKind, detectAssetType, isEncryptedPdf } from '../../../assets/files/asset-type.js';
import { PREVIEW_TIMEOUT_SECONDS, renderPreview } from '../../../assets/files/preview.js';
import { encryptedPdf } from '../../helpers/pdf-fixtures.js';
import { makeTempDir, yazlZip } from '../../helpers/zip-builder.js';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  temp = await makeTempDir('asset-files-');
});
afterAll(async () => {
  await temp.cleanup();
});

const photo = (width = 64, height = 48) => sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } });

async function onePagePdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  page.drawText('Partner Academy', { x: 50, y: 760, size: 32, font: await doc.embedFont(StandardFonts.Helvetica) });
  return Buffer.from(await doc.save());
}

function pngChunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** A tiny PNG whose header declares width × height RGB pixels (a decompression bomb's calling card). */
function pngDeclaring(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, adaptive filtering, no interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, pngChunk('IHDR', ihdr), pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), pngChunk('IEND', Buffer.alloc(0))]);
}

/** An MP4 start: an ftyp box (brand isom, compatible isom/mp41) then an empty free box. */
function mp4Header(): Buffer {
  const ftyp = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom', 'latin1'), Buffer.from([0, 0, 2, 0]), Buffer.from('isommp41', 'latin1')]);
  return Buffer.concat([ftyp, Buffer.from([0, 0, 0, 8]), Buffer.from('free', 'latin1')]);
}

const OOXML: Record<'pptx' | 'docx' | 'xlsx', { part: string; contentType: string }> = {
  pptx: { part: 'ppt/presentation.xml', contentType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml' },
  docx: { part: 'word/document.xml', contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml' },
  xlsx: { part: 'xl/workbook.xml', contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml' },
};

/** The smallest OOXML package a reader recognises: content types, the package relationship and the main part. */
function ooxml(kind: keyof typeof OOXML): Promise<Buffer> {
  const { part, contentType } = OOXML[kind];
  return yazlZip([
    {
      name: '[Content_Types].xml',
      data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/${part}" ContentType="${contentType}"/></Types>`,
    },
    {
      name: '_rels/.rels',
      data: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="${part}"/></Relationships>`,
    },
    { name: part, data: '<?xml version="1.0" encoding="UTF-8"?><root/>' },
  ]);
}

/** Expects `promise` to reject with the AppError of `code`. */
async function expectAppError(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ name: 'AppError', code });
}

describe('detectAssetType decides by the bytes', () => {
  const cases: Array<[string, () => Promise<Buffer> | Buffer, AssetKind, string, string]> = [
    ['png', () => photo().png().toBuffer(), 'png', 'image/png', 'png'],
    ['jpeg', () => photo().jpeg().toBuffer(), 'jpeg', 'image/jpeg', 'jpg'],
    ['webp', () => photo().webp().toBuffer(), 'webp', 'image/webp', 'webp'],
    ['pdf', onePagePdf, 'pdf', 'application/pdf', 'pdf'],
    ['pptx', () => ooxml('pptx'), 'pptx', ooxmlMime('presentationml.presentation'), 'pptx'],
    ['docx', () => ooxml('docx'), 'docx', ooxmlMime('wordprocessingml.document'), 'docx'],
    ['xlsx', () => ooxml('xlsx'), 'xlsx', ooxmlMime('spreadsheetml.sheet'), 'xlsx'],
    ['mp4', mp4Header, 'mp4', 'video/mp4', 'mp4'],
    ['zip', () => yazlZip([{ name: 'readme.txt', data: 'hello' }]), 'zip', 'application/zip', 'zip'],
    ['svg', () => Buffer.from('\ufeff<?xml version="1.0"?>\n<!-- drawn by hand -->\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x">\n<svg xmlns="http://www.w3.org/2000/svg"/>'), 'svg', 'image/svg+xml', 'svg'],
    ['text', () => Buffer.from('just some notes, not an image\n'), 'other', 'application/octet-stream', 'bin'],
  ];
  it.each(cases)('%s', async (name, make, kind, mime, extension) => {
    // Every file is named .png: the name must not matter.
    const file = await temp.write(`${name}.png`, await make());
    await expect(detectAssetType(file)).resolves.toEqual({ kind, mime, extension });
  });

  it('reports other formats as other, with what file-type saw', async () => {
    const gif = await temp.write('anim.gif', await photo().gif().toBuffer());
    await expect(detectAssetType(gif)).resolves.toEqual({ kind: 'other', mime: 'image/gif', extension: 'gif' });
  });

  it('does not take XML that is not SVG for SVG', async () => {
    const xml = await temp.write('feed.svg', Buffer.from('<?xml version="1.0"?><rss><svg/></rss>'));
    expect((await detectAssetType(xml)).kind).not.toBe('svg');
  });
});

function ooxmlMime(suffix: string): string {
  return `application/vnd.openxmlformats-officedocument.${suffix}`;
}

describe('isEncryptedPdf', () => {
  it('finds /Encrypt in the trailer', async () => {
    expect(await isEncryptedPdf(await temp.write('locked.pdf', encryptedPdf()))).toBe(true);
  });
  it('finds it past 64 KiB of other content, since only the tail is read', async () => {
    const padded = Buffer.concat([Buffer.from('%PDF-1.4\n%' + 'x'.repeat(200_000) + '\n', 'latin1'), encryptedPdf().subarray(9)]);
    expect(await isEncryptedPdf(await temp.write('locked-big.pdf', padded))).toBe(true);
  });
  it('is false for an ordinary PDF', async () => {
    expect(await isEncryptedPdf(await temp.write('open.pdf', await onePagePdf()))).toBe(false);
  });
});

describe('renderPreview', () => {
  it('renders the first page of a PDF as a WebP of the requested width', async () => {
    const file = await temp.write('brochure.pdf', await onePagePdf());
    const webp = await renderPreview({ path: file, kind: 'pdf' }, { width: 300 });
    const meta = await sharp(webp).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 300 });
    expect(meta.height).toBe(Math.floor((842 * 300) / 595));
  });

  it('refuses an encrypted PDF it cannot open with assets.pdf_encrypted', async () => {
    const file = await temp.write('locked.pdf', encryptedPdf());
    await expectAppError(renderPreview({ path: file, kind: 'pdf' }, { width: 200 }), 'assets.pdf_encrypted');
  });

  it('refuses a file that is not a PDF at all with assets.corrupt_file', async () => {
    const file = await temp.write('fake.pdf', Buffer.from('%PDF-1.7\nthis is not really a pdf'));
    await expectAppError(renderPreview({ path: file, kind: 'pdf' }, { width: 200 }), 'assets.corrupt_file');
  });

  it('scales images down into the width, turned upright by EXIF', async () => {
    // 400 × 200 stored, EXIF orientation 6 (rotate 90°): upright it is 200 × 400.
    const file = await temp.write('rotated.jpg', await photo(400, 200).jpeg().withMetadata({ orientation: 6 }).toBuffer());
    const meta = await sharp(await renderPreview({ path: file, kind: 'jpeg' }, { width: 100 })).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 100, height: 200 });
  });

  it('never enlarges a small bitmap', async () => {
    const file = await temp.write('small.webp', await photo(40, 30).webp().toBuffer());
    expect(await sharp(await renderPreview({ path: file, kind: 'webp' }, { width: 400 })).metadata()).toMatchObject({ width: 40, height: 30 });
  });

  it('refuses a PNG declaring 50,000 × 50,000 pixels fast, with assets.image_too_large', async () => {
    const file = await temp.write('bomb.png', pngDeclaring(50_000, 50_000));
    const started = performance.now();
    await expectAppError(renderPreview({ path: file, kind: 'png' }, { width: 200 }), 'assets.image_too_large');
    expect(performance.now() - started).toBeLessThan((PREVIEW_TIMEOUT_SECONDS * 1000) / 10);
  });

  it('refuses a truncated JPEG with assets.corrupt_file', async () => {
    const jpeg = await photo(800, 600).jpeg().toBuffer();
    const file = await temp.write('cut.jpg', jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    await expectAppError(renderPreview({ path: file, kind: 'jpeg' }, { width: 200 }), 'assets.corrupt_file');
  });

  it('refuses text named .png: detection says other, preview says unsupported', async () => {
    const file = await temp.write('notes.png', Buffer.from('not a picture'));
    const detected = await detectAssetType(file);
    expect(detected.kind).toBe('other');
    await expectAppError(renderPreview({ path: file, kind: detected.kind }, { width: 200 }), 'assets.unsupported_type');
  });

  describe('SVG', () => {
    let server: Server;
    let requests = 0;
    beforeAll(async () => {
      server = createServer((_req, res) => {
        requests += 1;
        res.writeHead(200, { 'content-type': 'image/png' }).end(pngDeclaring(1, 1));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('rasterises without running scripts or fetching external images', async () => {
      const { port } = server.address() as AddressInfo;
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="20" viewBox="0 0 40 20">
  <script>fetch('http://127.0.0.1:${port}/script')</script>
  <image href="http://127.0.0.1:${port}/href.png" width="40" height="20"/>
  <image xlink:href="http://127.0.0.1:${port}/xlink.png" width="40" height="20"/>
  <rect width="20" height="20" fill="#0a0"/>
</svg>`;
      const file = await temp.write('hostile.svg', Buffer.from(svg));
      expect((await detectAssetType(file)).kind).toBe('svg');
      const meta = await sharp(await renderPreview({ path: file, kind: 'svg' }, { width: 200 })).metadata();
      // Rendered at the density that makes it 200 wide, not upscaled from 40.
      expect(meta).toMatchObject({ format: 'webp', width: 200, height: 100 });
      // Give any stray request time to arrive before counting.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(requests).toBe(0);
    });
  });
});
