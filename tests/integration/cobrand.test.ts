import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { count, eq } from 'drizzle-orm';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';
import { TestClient } from '../helpers/http-client.js';
import { encryptedPdf } from '../helpers/pdf-fixtures.js';
import { uploadAsset } from '../helpers/assets.js';
import { boundsOf, expectInside, rasterise, textOfPage } from '../helpers/pdf-raster.js';
import { insertOrganisation, listOrganisations, listTiers, updateOrganisation } from '../../server/organisations/organisations.repository.js';
import { insertAsset, insertVersion, updateAsset } from '../../assets/library/library.repository.js';
import { cobrandRenders, cobrandTemplates } from '../../assets/cobranding/cobranding.table.js';
import { assetEvents } from '../../assets/analytics/usage.table.js';
import { organisations } from '../../server/organisations/organisations.table.js';
import { assets } from '../../assets/library/library.table.js';
import { loadLayoutFont, metricsOf } from '../../assets/cobranding/cobrand-layout.js';
import type { PartnerType } from '../../server/organisations/organisations.table.js';

let app: TestApp;
const orgIds: Record<string, string> = {};
let enablement: TestClient;
let acmeMarketer: TestClient;
let globexMarketer: TestClient;
let acmeAdmin: TestClient;

const A4 = { width: 595, height: 842 };
const LOGO_BOX = { x: 40, y: 40, width: 160, height: 80 };
const NAME_BOX = { x: 240, y: 40, width: 320, height: 60 };
/** A colour no sample page uses, so any pixel of it must be the logo. */
const LOGO_COLOUR = { r: 230, g: 0, b: 200 };
const isLogoColour = (r: number, g: number, b: number) => r > 180 && g < 70 && b > 150;
const isNameBlue = (r: number, g: number, b: number) => b > 120 && r < 110 && g < 130 && b - r > 50;

async function signedIn(email: string): Promise<TestClient> {
  const client = new TestClient(app.baseUrl);
  await client.signIn(email, DEMO_PASSWORD);
  return client;
}

async function samplePdf(pages: number): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let n = 1; n <= pages; n++) doc.addPage([A4.width, A4.height]).drawText(`Northwind brochure, page ${n}`, { x: 60, y: 420, size: 20, font });
  return Buffer.from(await doc.save());
}

/** An asset with one version, stored as the library stores them (the library's upload route is tested by its own suite). */
async function createAsset(options: {
  title: string;
  bytes: Buffer;
  format: string;
  mimeType?: string;
  pageCount?: number | null;
  width?: number;
  height?: number;
  cobrandBlocker?: string | null;
  visiblePartnerTypes?: PartnerType[];
  expiresAt?: Date | null;
}) {
  const db = app.deps.database.db;
  const asset = await insertAsset(db, { title: options.title, visiblePartnerTypes: options.visiblePartnerTypes ?? [], expiresAt: options.expiresAt ?? null });
  const storageKey = `library/${asset.id}/v1/file`;
  await app.deps.storage.put(storageKey, options.bytes);
  const version = await insertVersion(db, {
    assetId: asset.id,
    versionNumber: 1,
    storageKey,
    originalFilename: `${options.title}.${options.format}`,
    format: options.format,
    mimeType: options.mimeType ?? 'application/octet-stream',
    byteSize: options.bytes.length,
    sha256: createHash('sha256').update(options.bytes).digest('hex'),
    pageCount: options.pageCount ?? null,
    width: options.width ?? null,
    height: options.height ?? null,
    cobrandBlocker: options.cobrandBlocker ?? null,
  });
  await updateAsset(db, asset.id, { currentVersionId: version.id });
  return { asset, version };
}

function csrfOf(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no CSRF token in the page');
  return token;
}

type Placement = { kind: string; page: number | 'all'; box: { x: number; y: number; width: number; height: number }; fontSize?: number; colour?: string; align?: string };

/** Posts the editor's form as a browser would: the n-th value of every repeated name is the n-th field. */
async function postTemplate(client: TestClient, assetId: string, placements: Placement[], csrfFrom?: string) {
  const html = csrfFrom ?? (await client.get(`/library/assets/${assetId}/cobranding`)).text;
  const body = new URLSearchParams({ _csrf: csrfOf(html), save: '1' });
  for (const p of placements) {
    body.append('kind', p.kind);
    body.append('page', String(p.page));
    body.append('x', String(p.box.x));
    body.append('y', String(p.box.y));
    body.append('width', String(p.box.width));
    body.append('height', String(p.box.height));
    body.append('fontSize', String(p.fontSize ?? 12));
    body.append('colour', p.colour ?? '#000000');
    body.append('align', p.align ?? 'left');
  }
  return client.request('POST', `/library/assets/${assetId}/cobranding`, { body: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

async function fetchBytes(client: TestClient, path: string) {
  const res = await fetch(app.baseUrl + path, { headers: { cookie: `pa.sid=${client.cookie('pa.sid')}` }, redirect: 'manual' });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function uploadLogo(client: TestClient, organisationId: string, png: Buffer) {
  const page = await client.get(`/organisations/${organisationId}/branding`);
  const form = new FormData();
  form.append('_csrf', csrfOf(page.text));
  form.append('logo', new Blob([new Uint8Array(png)]), 'logo.png');
  const res = await fetch(`${app.baseUrl}/organisations/${organisationId}/logo`, { method: 'POST', body: form, headers: { cookie: `pa.sid=${client.cookie('pa.sid')}` }, redirect: 'manual' });
  return { status: res.status, text: await res.text() };
}

const rendersOf = async (where: { organisationId?: string; assetVersionId?: string }) => {
  const db = app.deps.database.db;
  const rows = await db.select().from(cobrandRenders);
  return rows.filter((r) => (!where.organisationId || r.organisationId === where.organisationId) && (!where.assetVersionId || r.assetVersionId === where.assetVersionId));
};

async function storedKeys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of app.deps.storage.list(prefix)) keys.push(object.key);
  return keys;
}

const brochureTemplate: Placement[] = [
  { kind: 'logo', page: 1, box: LOGO_BOX, align: 'left' },
  { kind: 'name', page: 'all', box: NAME_BOX, fontSize: 28, colour: '#0033cc', align: 'left' },
  { kind: 'contact', page: 2, box: { x: 40, y: 720, width: 220, height: 80 }, fontSize: 12 },
];

async function partnerOrganisation(name: string, slug: string) {
  const db = app.deps.database.db;
  const tier = (await listTiers(db)).find((t) => t.key === 'gold')!;
  return insertOrganisation(db, { name, slug, kind: 'partner', partnerType: 'reseller', tierId: tier.id, region: 'EMEA', country: 'DE', website: 'https://example.com/partner' });
}

beforeAll(async () => {
  app = await startTestApp();
  const { rows } = await listOrganisations(app.deps.database.db, { kind: 'all' }, { limit: 10, offset: 0 });
  for (const row of rows) orgIds[row.slug] = row.id;
  [enablement, acmeMarketer, globexMarketer, acmeAdmin] = await Promise.all([
    signedIn('enablement@vendor.test'),
    signedIn('marketer@acme.test'),
    signedIn('marketer@globex.test'),
    signedIn('admin@acme.test'),
  ]);
  const logo = await sharp({ create: { width: 300, height: 150, channels: 4, background: { ...LOGO_COLOUR, alpha: 1 } } }).png().toBuffer();
  const uploaded = await uploadLogo(acmeMarketer, orgIds.acme!, logo);
  if (uploaded.status !== 303) throw new Error(`logo upload failed: ${uploaded.status} ${uploaded.text.slice(0, 300)}`);
}, 60_000);
afterAll(async () => app?.stop());

describe('co-branding template editor', () => {
  it('refuses an encrypted PDF at template creation with the reason', async () => {
    const { asset } = await createAsset({ title: 'Locked price list', bytes: encryptedPdf(), format: 'pdf', mimeType: 'application/pdf', cobrandBlocker: 'the PDF is encrypted or password-protected; upload a copy saved without protection.' });
    const page = await enablement.get(`/library/assets/${asset.id}/cobranding`);
    expect(page.status).toBe(409);
    expect(page.text).toContain('encrypted or password-protected');
    const saved = await postTemplate(enablement, asset.id, brochureTemplate, (await enablement.get('/profile')).text);
    expect(saved.status).toBe(409);
    expect(saved.text).toContain('encrypted or password-protected');
    expect(await app.deps.database.db.select().from(cobrandTemplates).where(eq(cobrandTemplates.assetId, asset.id))).toHaveLength(0);
  });

  it('refuses an encrypted PDF uploaded through the library (which records why it cannot be co-branded)', async () => {
    const assetId = await uploadAsset(enablement, { filename: 'locked.pdf', bytes: encryptedPdf(), fields: { title: 'Locked brochure' } });
    const page = await enablement.get(`/library/assets/${assetId}/cobranding`);
    expect(page.status).toBe(409);
    expect(page.text).toContain('This asset cannot be co-branded: This PDF is encrypted');
    const saved = await postTemplate(enablement, assetId, brochureTemplate, (await enablement.get('/profile')).text);
    expect(saved.status).toBe(409);
    expect(await app.deps.database.db.select().from(cobrandTemplates).where(eq(cobrandTemplates.assetId, assetId))).toHaveLength(0);
  });

  it('refuses formats that cannot be co-branded and corrupt PDFs with a clear message', async () => {
    const deck = await createAsset({ title: 'Pitch deck', bytes: Buffer.from('PK\u0003\u0004 not really a deck'), format: 'pptx' });
    const deckPage = await enablement.get(`/library/assets/${deck.asset.id}/cobranding`);
    expect(deckPage.status).toBe(409);
    expect(deckPage.text).toContain('only PDF documents and PNG, JPEG or WebP images can be co-branded');

    const broken = await createAsset({ title: 'Broken brochure', bytes: Buffer.from('%PDF-1.7\nthis is not a PDF body at all\n%%EOF'), format: 'pdf', mimeType: 'application/pdf' });
    const res = await postTemplate(enablement, broken.asset.id, brochureTemplate, (await enablement.get('/profile')).text);
    expect(res.status).toBe(409);
    expect(res.text).toContain('cannot be read as a PDF');
  });

  it('validates boxes against the page size and page count, then saves with a growing placement version', async () => {
    const { asset } = await createAsset({ title: 'Datasheet', bytes: await samplePdf(2), format: 'pdf', mimeType: 'application/pdf', pageCount: 2, width: A4.width, height: A4.height });
    const editor = await enablement.get(`/library/assets/${asset.id}/cobranding`);
    expect(editor.status).toBe(200);
    expect(editor.text).toContain('595 × 842 pt');

    const outside = await postTemplate(enablement, asset.id, [{ kind: 'name', page: 1, box: { x: 500, y: 40, width: 200, height: 40 } }], editor.text);
    expect(outside.status).toBe(422);
    expect(outside.text).toContain('does not lie inside the 595 × 842 page');
    const missingPage = await postTemplate(enablement, asset.id, [{ kind: 'name', page: 3, box: NAME_BOX }], editor.text);
    expect(missingPage.status).toBe(422);
    expect(missingPage.text).toContain('the document has 2 page(s)');
    const badColour = await postTemplate(enablement, asset.id, [{ kind: 'name', page: 1, box: NAME_BOX, colour: 'red' }], editor.text);
    expect(badColour.status).toBe(400);
    const db = app.deps.database.db;
    expect(await db.select().from(cobrandTemplates).where(eq(cobrandTemplates.assetId, asset.id))).toHaveLength(0);

    expect((await postTemplate(enablement, asset.id, brochureTemplate, editor.text)).status).toBe(303);
    expect((await postTemplate(enablement, asset.id, brochureTemplate)).status).toBe(303);
    const [template] = await db.select().from(cobrandTemplates).where(eq(cobrandTemplates.assetId, asset.id));
    expect(template!.placementVersion).toBe(2);
    expect(template!.placements).toHaveLength(3);
  });

  it('adds and removes fields without JavaScript', async () => {
    const { asset } = await createAsset({ title: 'Flyer', bytes: await samplePdf(1), format: 'pdf', pageCount: 1 });
    const editor = await enablement.get(`/library/assets/${asset.id}/cobranding`);
    const body = new URLSearchParams({ _csrf: csrfOf(editor.text), add: '1', editorPage: '1' });
    const added = await enablement.request('POST', `/library/assets/${asset.id}/cobranding`, { body: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(added.status).toBe(200);
    expect(added.text).toContain('Field 1');
    expect(added.text).not.toContain('Field 2');
    const again = new URLSearchParams({ _csrf: csrfOf(added.text), add: '1', editorPage: '1' });
    for (const [k, v] of Object.entries({ kind: 'logo', page: '1', x: '10', y: '10', width: '100', height: '50', fontSize: '12', colour: '#000000', align: 'left' })) again.append(k, v);
    const two = await enablement.request('POST', `/library/assets/${asset.id}/cobranding`, { body: again.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(two.text).toContain('Field 2');
    const removal = new URLSearchParams({ _csrf: csrfOf(two.text), remove: '0', editorPage: '1' });
    for (const kind of ['logo', 'qr']) {
      for (const [k, v] of Object.entries({ kind, page: '1', x: '10', y: '10', width: '100', height: '50', fontSize: '12', colour: '#000000', align: 'left' })) removal.append(k, v);
    }
    const one = await enablement.request('POST', `/library/assets/${asset.id}/cobranding`, { body: removal.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(one.text).toContain('Field 1');
    expect(one.text).not.toContain('Field 2');
    // The remaining field is the second one (the QR code), selected in its fieldset.
    expect(one.text).toContain('<option value="qr" selected>');
  });

  it('draws a live preview of unsaved placements for the sample partner, and explains a box off the page', async () => {
    const { asset } = await createAsset({ title: 'Poster', bytes: await samplePdf(2), format: 'pdf', pageCount: 2 });
    const placements = encodeURIComponent(JSON.stringify([{ kind: 'name', page: 2, box: NAME_BOX, fontSize: 28, colour: '#0033cc' }]));
    const preview = await fetchBytes(enablement, `/library/assets/${asset.id}/cobranding/preview?page=2&placements=${placements}`);
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toBe('image/webp');
    const { data, info } = await sharp(preview.bytes).raw().toBuffer({ resolveWithObject: true });
    const scale = info.width / A4.width;
    expectInside(boundsOf(data, info.width, info.channels, isNameBlue), NAME_BOX, scale);

    const bad = encodeURIComponent(JSON.stringify([{ kind: 'name', page: 1, box: { x: 590, y: 0, width: 100, height: 20 } }]));
    const refused = await enablement.request('GET', `/library/assets/${asset.id}/cobranding/preview?page=1&placements=${bad}`, { headers: { accept: 'application/json' } });
    expect(refused.status).toBe(422);
    expect(JSON.parse(refused.text).error.message).toContain('does not lie inside');
  });
});

describe('co-branded downloads', () => {
  let brochure: Awaited<ReturnType<typeof createAsset>>;

  beforeAll(async () => {
    brochure = await createAsset({ title: 'Product brochure', bytes: await samplePdf(2), format: 'pdf', mimeType: 'application/pdf', pageCount: 2 });
    expect((await postTemplate(enablement, brochure.asset.id, brochureTemplate)).status).toBe(303);
  });

  it('puts the logo and the partner name inside their boxes, names the file after the partner, and serves the repeat from storage', async () => {
    const first = await fetchBytes(acmeMarketer, `/library/assets/${brochure.asset.id}/cobranded`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/pdf');
    expect(first.headers.get('content-disposition')).toContain('filename="Product brochure - Acme Systems.pdf"');

    const scale = 2;
    const page = await rasterise(first.bytes, 1, scale);
    const logo = boundsOf(page.pixels, page.width, 4, isLogoColour);
    expectInside(logo, LOGO_BOX, scale);
    expect(logo!.count).toBeGreaterThan(1000);
    expectInside(boundsOf(page.pixels, page.width, 4, isNameBlue), NAME_BOX, scale);
    expect(await textOfPage(first.bytes, 2)).toContain('Acme Systems');

    const rendersBefore = await rendersOf({ organisationId: orgIds.acme!, assetVersionId: brochure.version.id });
    expect(rendersBefore).toHaveLength(1);
    const objectsBefore = await storedKeys(`cobrand/${orgIds.acme}/`);

    const second = await fetchBytes(acmeMarketer, `/library/assets/${brochure.asset.id}/cobranded`);
    expect(second.status).toBe(200);
    expect(second.bytes.equals(first.bytes)).toBe(true);
    const rendersAfter = await rendersOf({ organisationId: orgIds.acme!, assetVersionId: brochure.version.id });
    expect(rendersAfter.map((r) => r.id)).toEqual(rendersBefore.map((r) => r.id));
    expect(await storedKeys(`cobrand/${orgIds.acme}/`)).toEqual(objectsBefore);

    const db = app.deps.database.db;
    const events = await db.select().from(assetEvents).where(eq(assetEvents.assetId, brochure.asset.id));
    expect(events.filter((e) => e.kind === 'render')).toHaveLength(1);
    expect(events.filter((e) => e.kind === 'download')).toHaveLength(2);
    expect(events.every((e) => e.organisationId === orgIds.acme && e.assetVersionId === brochure.version.id)).toBe(true);
    const [counted] = await db.select({ downloadCount: assets.downloadCount }).from(assets).where(eq(assets.id, brochure.asset.id));
    expect(counted!.downloadCount).toBe(2);
  });

  it('offers partners the co-branded download on the detail page instead of the unbranded original', async () => {
    const detailPath = `/library/assets/${brochure.asset.id}`;
    const partnerPage = await acmeMarketer.get(detailPath);
    expect(partnerPage.status).toBe(200);
    expect(partnerPage.text).toContain(`href="${detailPath}/cobranded"`);
    expect(partnerPage.text).toContain(`href="${detailPath}/cobranded/preview-page"`);
    expect(partnerPage.text).not.toContain(`href="${detailPath}/download"`);

    const vendorPage = await enablement.get(detailPath);
    expect(vendorPage.text).toContain(`href="${detailPath}/download"`);
    expect(vendorPage.text).toContain('name="organisationId"');
    expect(vendorPage.text).toContain(`href="${detailPath}/cobranding"`);
  });

  it('renders again when a recorded render has lost its file', async () => {
    const [row] = await rendersOf({ organisationId: orgIds.acme!, assetVersionId: brochure.version.id });
    const original = await fetchBytes(acmeMarketer, `/library/assets/${brochure.asset.id}/cobranded`);
    await app.deps.storage.deletePrefix(row!.storageKey);
    const again = await fetchBytes(acmeMarketer, `/library/assets/${brochure.asset.id}/cobranded`);
    expect(again.status).toBe(200);
    expect(again.bytes.length).toBeGreaterThan(1000);
    expect(await textOfPage(again.bytes, 1)).toContain('Acme Systems');
    const rows = await rendersOf({ organisationId: orgIds.acme!, assetVersionId: brochure.version.id });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).not.toBe(row!.id);
    expect(original.status).toBe(200);
  });

  it('renders once when first downloads arrive together', async () => {
    const { asset, version } = await createAsset({ title: 'Case study', bytes: await samplePdf(2), format: 'pdf', pageCount: 2 });
    expect((await postTemplate(enablement, asset.id, brochureTemplate)).status).toBe(303);
    const results = await Promise.all([1, 2, 3].map(() => fetchBytes(globexMarketer, `/library/assets/${asset.id}/cobranded`)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results[1]!.bytes.equals(results[0]!.bytes) && results[2]!.bytes.equals(results[0]!.bytes)).toBe(true);
    expect(await rendersOf({ organisationId: orgIds.globex!, assetVersionId: version.id })).toHaveLength(1);
    const renderEvents = await app.deps.database.db.select({ n: count() }).from(assetEvents).where(eq(assetEvents.assetId, asset.id));
    expect(renderEvents[0]!.n).toBe(4); // one render, three downloads
  });

  it('shows a WebP preview of the co-branded first page', async () => {
    const preview = await fetchBytes(acmeMarketer, `/library/assets/${brochure.asset.id}/cobranded/preview`);
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toBe('image/webp');
    const { data, info } = await sharp(preview.bytes).raw().toBuffer({ resolveWithObject: true });
    expectInside(boundsOf(data, info.width, info.channels, isLogoColour), LOGO_BOX, info.width / A4.width);
    const page = await acmeMarketer.get(`/library/assets/${brochure.asset.id}/cobranded/preview-page`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`/library/assets/${brochure.asset.id}/cobranded/preview`);
  });

  it('draws a Cyrillic partner name: glyph pixels in the box and the text in the PDF', async () => {
    const cyrillic = await partnerOrganisation('Пример Партнёр', 'primer');
    const res = await fetchBytes(enablement, `/library/assets/${brochure.asset.id}/cobranded?organisationId=${cyrillic.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain("filename*=UTF-8''Product%20brochure%20-%20%D0%9F");
    expect(await textOfPage(res.bytes, 1)).toContain('Пример Партнёр');
    const scale = 2;
    const page = await rasterise(res.bytes, 1, scale);
    const ink = boundsOf(page.pixels, page.width, 4, isNameBlue);
    expectInside(ink, NAME_BOX, scale);
    expect(ink!.count).toBeGreaterThan(200);
  });

  it('draws a partner name with markup characters literally on an image', async () => {
    const name = '<b>&amp;</b>';
    const markup = await partnerOrganisation(name, 'markup');
    const png = await sharp({ create: { width: 800, height: 400, channels: 3, background: { r: 255, g: 255, b: 255 } } }).png().toBuffer();
    const { asset } = await createAsset({ title: 'Banner', bytes: png, format: 'png', mimeType: 'image/png', width: 800, height: 400 });
    const box = { x: 20, y: 20, width: 760, height: 80 };
    expect((await postTemplate(enablement, asset.id, [{ kind: 'name', page: 1, box, fontSize: 48, colour: '#000000' }])).status).toBe(303);
    const res = await fetchBytes(enablement, `/library/assets/${asset.id}/cobranded?organisationId=${markup.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const { data, info } = await sharp(res.bytes).raw().toBuffer({ resolveWithObject: true });
    const ink = boundsOf(data, info.width, info.channels, (r, g, b) => r < 100 && g < 100 && b < 100);
    expectInside(ink, box, 1);
    // Every character drawn: the ink is as wide as the whole literal string at 48 px, not just an "&".
    const expectedWidth = metricsOf(await loadLayoutFont()).widthOf(name, 48);
    expect(ink!.right - ink!.left).toBeGreaterThan(expectedWidth * 0.85);
    expect(ink!.right - ink!.left).toBeLessThan(expectedWidth * 1.05);
  });
});

/** A real-world PDF shipped by Debian: the shared-mime-info specification (freedesktop.org, GPL-2+; see its copyright file). */
const REAL_WORLD_PDF = '/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf';

describe('a real-world PDF', () => {
  const available = existsSync(REAL_WORLD_PDF);
  if (!available) process.stderr.write(`\n⚠ Skipping the real-world PDF test: ${REAL_WORLD_PDF} is not installed (apt-get install shared-mime-info).\n`);
  (available ? it : it.skip)('co-brands the shared-mime-info specification: logo in its box, name in the text layer, the original text kept', async () => {
    const bytes = await readFile(REAL_WORLD_PDF);
    const { asset } = await createAsset({ title: 'Shared MIME-info spec', bytes, format: 'pdf', mimeType: 'application/pdf' });
    const editor = await enablement.get(`/library/assets/${asset.id}/cobranding`);
    expect(editor.status).toBe(200);
    const box = { x: 420, y: 20, width: 150, height: 60 };
    expect((await postTemplate(enablement, asset.id, [{ kind: 'logo', page: 1, box }, { kind: 'name', page: 'all', box: { x: 40, y: 740, width: 300, height: 30 }, fontSize: 14, colour: '#0033cc' }], editor.text)).status).toBe(303);
    const res = await fetchBytes(acmeMarketer, `/library/assets/${asset.id}/cobranded`);
    expect(res.status).toBe(200);
    const original = await rasterise(bytes, 1, 1);
    expect(boundsOf(original.pixels, original.width, 4, isLogoColour)).toBeNull();
    const page = await rasterise(res.bytes, 1, 2);
    expectInside(boundsOf(page.pixels, page.width, 4, isLogoColour), box, 2);
    const text = await textOfPage(res.bytes, 1);
    expect(text).toContain('Acme Systems');
    expect(text).toContain((await textOfPage(bytes, 1)).split(' ').filter((word) => word.length > 4)[0]);
  });
});

describe('render cache invalidation', () => {
  it('a branding change deletes exactly that organisation’s renders (rows and files)', async () => {
    const { asset, version } = await createAsset({ title: 'Whitepaper', bytes: await samplePdf(2), format: 'pdf', pageCount: 2 });
    expect((await postTemplate(enablement, asset.id, brochureTemplate)).status).toBe(303);
    expect((await fetchBytes(acmeMarketer, `/library/assets/${asset.id}/cobranded`)).status).toBe(200);
    expect((await fetchBytes(globexMarketer, `/library/assets/${asset.id}/cobranded`)).status).toBe(200);
    const globexBefore = await rendersOf({ organisationId: orgIds.globex! });
    const globexFiles = await storedKeys(`cobrand/${orgIds.globex}/`);
    const acmeRows = await rendersOf({ organisationId: orgIds.acme! });
    expect(acmeRows.length).toBeGreaterThan(0);
    const db = app.deps.database.db;
    const [before] = await db.select().from(organisations).where(eq(organisations.id, orgIds.acme!));

    const page = await acmeAdmin.get(`/organisations/${orgIds.acme}/branding`);
    expect(page.status).toBe(200);
    const saved = await acmeAdmin.post(`/organisations/${orgIds.acme}/branding`, { contactName: 'Alex Carter', contactPhone: '+1 555 0100', website: 'https://acme.example' });
    expect(saved.status).toBe(303);

    const [after] = await db.select().from(organisations).where(eq(organisations.id, orgIds.acme!));
    expect(after!.brandingVersion).toBe(before!.brandingVersion + 1);
    expect(await rendersOf({ organisationId: orgIds.acme! })).toHaveLength(0);
    expect(await storedKeys(`cobrand/${orgIds.acme}/`)).toEqual([]);
    expect((await rendersOf({ organisationId: orgIds.globex! })).map((r) => r.id).sort()).toEqual(globexBefore.map((r) => r.id).sort());
    expect(await storedKeys(`cobrand/${orgIds.globex}/`)).toEqual(globexFiles);

    // The next download renders with the new details.
    const fresh = await fetchBytes(acmeMarketer, `/library/assets/${asset.id}/cobranded`);
    expect(await textOfPage(fresh.bytes, 2)).toContain('+1 555 0100');
    expect((await rendersOf({ organisationId: orgIds.acme!, assetVersionId: version.id }))[0]!.brandingVersion).toBe(after!.brandingVersion);
  });

  it('saving a template deletes exactly that asset’s renders', async () => {
    const a = await createAsset({ title: 'Solution brief A', bytes: await samplePdf(2), format: 'pdf', pageCount: 2 });
    const b = await createAsset({ title: 'Solution brief B', bytes: await samplePdf(2), format: 'pdf', pageCount: 2 });
    for (const { asset } of [a, b]) {
      expect((await postTemplate(enablement, asset.id, brochureTemplate)).status).toBe(303);
      expect((await fetchBytes(acmeMarketer, `/library/assets/${asset.id}/cobranded`)).status).toBe(200);
    }
    const bRows = await rendersOf({ assetVersionId: b.version.id });
    const [aRow] = await rendersOf({ assetVersionId: a.version.id });
    expect(bRows).toHaveLength(1);

    expect((await postTemplate(enablement, a.asset.id, [{ kind: 'name', page: 1, box: { x: 40, y: 200, width: 300, height: 50 } }])).status).toBe(303);
    expect(await rendersOf({ assetVersionId: a.version.id })).toHaveLength(0);
    expect(await storedKeys(aRow!.storageKey)).toEqual([]);
    expect((await rendersOf({ assetVersionId: b.version.id })).map((r) => r.id)).toEqual(bRows.map((r) => r.id));
    expect(await storedKeys(bRows[0]!.storageKey)).toEqual([bRows[0]!.storageKey]);
  });
});

describe('tenancy', () => {
  it('Globex cannot co-brand an asset visible only to resellers, nor see Acme’s logo or renders', async () => {
    const { asset } = await createAsset({ title: 'Reseller playbook', bytes: await samplePdf(1), format: 'pdf', pageCount: 1, visiblePartnerTypes: ['reseller'] });
    expect((await postTemplate(enablement, asset.id, [{ kind: 'name', page: 1, box: NAME_BOX }])).status).toBe(303);
    expect((await fetchBytes(acmeMarketer, `/library/assets/${asset.id}/cobranded`)).status).toBe(200);

    expect((await fetchBytes(globexMarketer, `/library/assets/${asset.id}/cobranded`)).status).toBe(404);
    expect((await fetchBytes(globexMarketer, `/library/assets/${asset.id}/cobranded/preview`)).status).toBe(404);
    expect((await globexMarketer.get(`/library/assets/${asset.id}/cobranded/preview-page`)).status).toBe(404);
    expect(await rendersOf({ organisationId: orgIds.globex!, assetVersionId: (await rendersOf({ organisationId: orgIds.acme! })).at(-1)!.assetVersionId })).toHaveLength(0);

    // Acme's render of a public asset is not reachable by naming Acme.
    const open = await createAsset({ title: 'Open flyer', bytes: await samplePdf(1), format: 'pdf', pageCount: 1 });
    expect((await postTemplate(enablement, open.asset.id, [{ kind: 'name', page: 1, box: NAME_BOX }])).status).toBe(303);
    expect((await fetchBytes(globexMarketer, `/library/assets/${open.asset.id}/cobranded?organisationId=${orgIds.acme}`)).status).toBe(404);

    const [acme] = await app.deps.database.db.select().from(organisations).where(eq(organisations.id, orgIds.acme!));
    const logoPath = `/organisations/${acme!.id}/logo/${/([0-9a-f]{64})\.png$/.exec(acme!.logoKey!)![1]}.png`;
    expect((await fetchBytes(acmeMarketer, logoPath)).status).toBe(200);
    expect((await fetchBytes(globexMarketer, logoPath)).status).toBe(404);
  });

  it('an expired asset is gone for partners, and partners cannot open the template editor', async () => {
    const { asset } = await createAsset({ title: 'Old promo', bytes: await samplePdf(1), format: 'pdf', pageCount: 1 });
    expect((await postTemplate(enablement, asset.id, [{ kind: 'name', page: 1, box: NAME_BOX }])).status).toBe(303);
    await updateAsset(app.deps.database.db, asset.id, { expiresAt: new Date(Date.now() - 60_000) });
    expect((await fetchBytes(acmeMarketer, `/library/assets/${asset.id}/cobranded`)).status).toBe(404);
    expect((await acmeMarketer.get(`/library/assets/${asset.id}/cobranding`)).status).toBe(403);
  });

  it('vendor staff must choose a partner organisation', async () => {
    const { asset } = await createAsset({ title: 'Vendor test', bytes: await samplePdf(1), format: 'pdf', pageCount: 1 });
    expect((await postTemplate(enablement, asset.id, [{ kind: 'name', page: 1, box: NAME_BOX }])).status).toBe(303);
    const res = await enablement.request('GET', `/library/assets/${asset.id}/cobranded`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error.code).toBe('cobranding.organisation_required');
    await updateOrganisation(app.deps.database.db, orgIds.initech!, {});
  });
});
