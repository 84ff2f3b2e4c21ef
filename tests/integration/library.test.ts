import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';
import { TestClient } from '../helpers/http-client.js';
import { encryptedPdf } from '../helpers/pdf-fixtures.js';
import { plainSvg, pngDeclaring, postAssetFile, solidJpeg, solidPng, solidWebp, textPdf, uploadAsset, uploadAssetVersion } from '../helpers/assets.js';
import { assets, assetVersions } from '../../assets/library/library.table.js';
import { assetEvents } from '../../assets/analytics/usage.table.js';
import { searchOutbox } from '../../search/sync/outbox.table.js';
import { ENCRYPTED_PDF_BLOCKER } from '../../assets/library/asset-file.js';
import { listTiers } from '../../server/organisations/organisations.repository.js';

/**
 * The content library over real HTTP on a real database and storage: uploads judged by their bytes, previews,
 * downloads, versions, metadata, visibility and expiry, refusals that leave nothing behind, and usage events.
 */

let app: TestApp;
const MAX_UPLOAD = 1024 * 1024;
const ACCOUNTS = ['enablement@vendor.test', 'admin@vendor.test', 'rep@acme.test', 'marketer@acme.test', 'rep@globex.test', 'rep@initech.test'] as const;
const clients = new Map<(typeof ACCOUNTS)[number], TestClient>();
const as = (email: (typeof ACCOUNTS)[number]) => clients.get(email)!;
const manager = () => as('enablement@vendor.test');

const db = () => app.deps.database.db;

async function fetchRaw(client: TestClient, url: string) {
  const res = await fetch(app.baseUrl + url, { redirect: 'manual', headers: { cookie: `pa.sid=${client.cookie('pa.sid')}` } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function versionsOf(assetId: string) {
  return db().select().from(assetVersions).where(eq(assetVersions.assetId, assetId));
}

async function storedKeys(): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of app.deps.storage.list('library/')) keys.push(o.key);
  return keys;
}

async function tempUploads(): Promise<string[]> {
  return readdir(path.join(app.dataDir, 'tmp', 'uploads')).catch(() => []);
}

beforeAll(async () => {
  // A small upload limit, so the over-the-limit refusal needs only a small file.
  // Sessions outlive the expiry test's moved clock.
  app = await startTestApp({ ASSET_MAX_UPLOAD: String(MAX_UPLOAD), SESSION_MAX_AGE_HOURS: '240' });
  for (const email of ACCOUNTS) {
    const client = new TestClient(app.baseUrl);
    await client.signIn(email, DEMO_PASSWORD);
    clients.set(email, client);
  }
}, 60_000);
afterAll(async () => app?.stop());

describe('uploading assets', () => {
  it('stores a PDF with a WebP preview, its page count and its text layer', async () => {
    const id = await uploadAsset(manager(), { filename: 'brochure.pdf', bytes: await textPdf(['Firewall appliance overview', 'Second page about pricing']), fields: { title: 'Firewall brochure', category: 'brochure', tags: 'security, firewall' } });
    const [asset] = await db().select().from(assets).where(eq(assets.id, id));
    expect(asset).toMatchObject({ title: 'Firewall brochure', category: 'brochure', tags: ['security', 'firewall'] });
    const [version] = await versionsOf(id);
    expect(version).toMatchObject({ format: 'pdf', mimeType: 'application/pdf', pageCount: 2, versionNumber: 1, cobrandBlocker: null });
    expect(version!.extractedText).toContain('Firewall appliance overview');
    expect(version!.extractedText).toContain('pricing');
    expect(asset!.currentVersionId).toBe(version!.id);
    const preview = await fetchRaw(manager(), `/library/assets/${id}/versions/${version!.id}/preview.webp`);
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toBe('image/webp');
    expect((await sharp(preview.bytes).metadata()).format).toBe('webp');
    const outbox = await db().select().from(searchOutbox).where(eq(searchOutbox.entityId, id));
    expect(outbox.length).toBeGreaterThanOrEqual(1);
  });

  it.each([
    ['png', () => solidPng(), 'image/png'],
    ['jpeg', () => solidJpeg(), 'image/jpeg'],
    ['webp', () => solidWebp(), 'image/webp'],
    ['svg', async () => plainSvg(), 'image/svg+xml'],
  ] as const)('previews a %s image as WebP', async (format, bytes, mime) => {
    const id = await uploadAsset(manager(), { filename: `banner.${format}`, bytes: await bytes(), fields: { category: 'banner' } });
    const [version] = await versionsOf(id);
    expect(version).toMatchObject({ format, mimeType: mime });
    expect(version!.width).toBeGreaterThan(0);
    expect(version!.previewKey).not.toBeNull();
    const [asset] = await db().select().from(assets).where(eq(assets.id, id));
    expect(asset!.title).toBe('banner');
    const preview = await fetchRaw(manager(), `/library/assets/${id}/versions/${version!.id}/preview.webp`);
    expect(preview.headers.get('content-type')).toBe('image/webp');
    expect((await sharp(preview.bytes).metadata()).format).toBe('webp');
  });

  it('decides the type from the bytes, not the name: a PDF named .png is a PDF', async () => {
    const id = await uploadAsset(manager(), { filename: 'looks-like-an-image.png', bytes: await textPdf(), fields: { title: 'Disguised PDF' } });
    const [version] = await versionsOf(id);
    expect(version!.format).toBe('pdf');
    const download = await fetchRaw(manager(), `/library/assets/${id}/download`);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="disguised-pdf.pdf"');
  });

  it('keeps other files (zip, unknown) as plain downloads without a preview', async () => {
    const zipBytes = Buffer.from('504b0304140000000000000000000000000000000000000000000000000000000000', 'hex');
    const zipId = await uploadAsset(manager(), { filename: 'kit.zip', bytes: zipBytes, fields: { category: 'template' } });
    const otherId = await uploadAsset(manager(), { filename: 'notes.txt', bytes: Buffer.from('plain words\n'), fields: { category: 'other' } });
    const [zip] = await versionsOf(zipId);
    const [other] = await versionsOf(otherId);
    expect(zip).toMatchObject({ format: 'zip', previewKey: null });
    expect(other).toMatchObject({ format: 'other', previewKey: null });
    const download = await fetchRaw(manager(), `/library/assets/${otherId}/download`);
    expect(download.status).toBe(200);
    expect(download.bytes.toString()).toBe('plain words\n');
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="notes.txt"');
    const page = await manager().get(`/library/assets/${zipId}`);
    expect(page.text).toContain('ZIP');
    expect(page.text).not.toContain('preview.webp');
  });

  it('stores an encrypted PDF as a plain download with a co-branding blocker', async () => {
    const id = await uploadAsset(manager(), { filename: 'locked.pdf', bytes: encryptedPdf() });
    const [version] = await versionsOf(id);
    expect(version).toMatchObject({ format: 'pdf', previewKey: null, cobrandBlocker: ENCRYPTED_PDF_BLOCKER });
    expect((await fetchRaw(manager(), `/library/assets/${id}/download`)).status).toBe(200);
  });
});

describe('refusing bad files, leaving nothing behind', () => {
  async function expectRefused(upload: Parameters<typeof postAssetFile>[1], status: number, code: string, message: RegExp) {
    const [assetsBefore, keysBefore] = [(await db().select().from(assets)).length, await storedKeys()];
    const { status: actual, body } = await postAssetFile(manager(), upload);
    expect({ status: actual, code: body.error?.code }).toEqual({ status, code });
    expect(body.error!.message).toMatch(message);
    expect((await db().select().from(assets)).length).toBe(assetsBefore);
    expect(await storedKeys()).toEqual(keysBefore);
    expect(await tempUploads()).toEqual([]);
  }

  it('refuses a truncated PDF', async () => {
    const pdf = await textPdf();
    await expectRefused({ filename: 'cut.pdf', bytes: pdf.subarray(0, Math.floor(pdf.length / 2)) }, 422, 'assets.corrupt_file', /cut short/);
  });

  it('refuses a PDF whose body is garbage', async () => {
    const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2000, 0x41), Buffer.from('\n%%EOF\n')]);
    await expectRefused({ filename: 'broken.pdf', bytes }, 422, 'assets.corrupt_file', /cannot be read/);
  });

  it('refuses a truncated PNG', async () => {
    const png = await solidPng(800, 600);
    await expectRefused({ filename: 'cut.png', bytes: png.subarray(0, Math.floor(png.length / 2)) }, 422, 'assets.corrupt_file', /PNG file cannot be read/);
  });

  it('refuses a PNG declaring 50,000 × 50,000 pixels from its header', async () => {
    await expectRefused({ filename: 'bomb.png', bytes: await pngDeclaring(50_000, 50_000) }, 413, 'assets.image_too_large', /50000 × 50000 pixels/);
  });

  it('refuses a file over the size limit with 413 naming the limit', async () => {
    const big = Buffer.concat([await solidPng(), Buffer.alloc(MAX_UPLOAD + 10, 1)]);
    await expectRefused({ filename: 'big.png', bytes: big }, 413, 'library.upload_too_large', /1 MiB/);
  });

  it('refuses an empty file', async () => {
    await expectRefused({ filename: 'empty.pdf', bytes: new Uint8Array() }, 400, 'library.empty_file', /empty/);
  });

  it('refuses an unknown category and a bad date before storing the file', async () => {
    await expectRefused({ filename: 'a.png', bytes: await solidPng(), fields: { category: 'poster' } }, 400, 'http.invalid_input', /category/);
    await expectRefused({ filename: 'a.png', bytes: await solidPng(), fields: { expiresAt: '2027-02-30' } }, 400, 'http.invalid_input', /yyyy-mm-dd/);
    await expectRefused({ filename: 'a.png', bytes: await solidPng(), fields: { expiresAt: 'next week' } }, 400, 'http.invalid_input', /yyyy-mm-dd/);
  });

  it.each([
    ['a script', '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>', /<script>/],
    ['an event handler', '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)"><rect width="5" height="5"/></svg>', /onload/],
    ['a foreignObject', '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject></svg>', /foreignObject/],
    ['an external image', '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><image xlink:href="https://evil.example/x.png" width="5" height="5"/></svg>', /outside the drawing/],
    ['an external url()', '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5" style="fill: url(https://evil.example/p.svg#g)"/></svg>', /outside the drawing/],
    ['a DOCTYPE', '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', /DOCTYPE/],
  ])('refuses an SVG with %s', async (_what, svg, message) => {
    await expectRefused({ filename: 'logo.svg', bytes: Buffer.from(svg) }, 422, 'library.svg_unsafe', message);
  });

  it('accepts an SVG with local references and data: images', async () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="20"><defs><linearGradient id="g"><stop offset="0" stop-color="#000"/></linearGradient></defs><rect width="20" height="20" fill="url(#g)"/><use xlink:href="#g"/><image width="1" height="1" href="data:image/png;base64,${(await solidPng(1, 1)).toString('base64')}"/></svg>`;
    await expect(uploadAsset(manager(), { filename: 'ok.svg', bytes: Buffer.from(svg), fields: { category: 'logo' } })).resolves.toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('downloads, versions and metadata', () => {
  it('serves SVG originals only as sandboxed octet-stream attachments', async () => {
    const id = await uploadAsset(manager(), { filename: 'mark.svg', bytes: plainSvg(), fields: { title: 'Brand mark', category: 'logo' } });
    const res = await fetchRaw(as('rep@acme.test'), `/library/assets/${id}/download`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe('sandbox');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="brand-mark.svg"');
    expect(res.bytes.equals(plainSvg())).toBe(true);
  });

  it('makes a new version current, keeps the history, and lets only the enablement team download old versions', async () => {
    const id = await uploadAsset(manager(), { filename: 'v1.png', bytes: await solidPng(300, 100, '#ff0000'), fields: { title: 'Banner' } });
    const [v1] = await versionsOf(id);
    expect(await uploadAssetVersion(manager(), id, { filename: 'v2.pdf', bytes: await textPdf(['Second edition']) })).toBe(2);
    const versions = await versionsOf(id);
    expect(versions.map((v) => [v.versionNumber, v.format]).sort()).toEqual([[1, 'png'], [2, 'pdf']]);
    const [asset] = await db().select().from(assets).where(eq(assets.id, id));
    const v2 = versions.find((v) => v.versionNumber === 2)!;
    expect(asset!.currentVersionId).toBe(v2.id);

    const current = await fetchRaw(as('rep@acme.test'), `/library/assets/${id}/download`);
    expect(current.headers.get('content-type')).toBe('application/pdf');
    const old = await fetchRaw(manager(), `/library/assets/${id}/versions/${v1!.id}/download`);
    expect(old.status).toBe(200);
    expect(old.headers.get('content-type')).toBe('image/png');
    expect(old.headers.get('content-disposition')).toBe('attachment; filename="banner-v1.png"');
    expect((await fetchRaw(as('rep@acme.test'), `/library/assets/${id}/versions/${v1!.id}/download`)).status).toBe(404);
    expect((await fetchRaw(as('rep@acme.test'), `/library/assets/${id}/versions/${v1!.id}/preview.webp`)).status).toBe(404);
    expect((await fetchRaw(as('rep@acme.test'), `/library/assets/${id}/versions/${v2.id}/download`)).status).toBe(200);

    const page = await manager().get(`/library/assets/${id}`);
    expect(page.text).toContain('v1.png');
    expect(page.text).toContain('v2.pdf');
    expect(page.text).toContain(`/library/assets/${id}/versions/${v1!.id}/download`);
    const partnerPage = await as('rep@acme.test').get(`/library/assets/${id}`);
    expect(partnerPage.status).toBe(200);
    expect(partnerPage.text).not.toContain('v1.png');
  });

  it('refuses a bad new version and keeps the current one', async () => {
    const id = await uploadAsset(manager(), { filename: 'keep.png', bytes: await solidPng() });
    const { status, body } = await postAssetFile(manager(), { filename: 'bad.png', bytes: (await solidPng(800, 600)).subarray(0, 200), fields: {} }, `/library/assets/${id}/versions`);
    expect(status).toBe(422);
    expect(body.error!.code).toBe('assets.corrupt_file');
    expect(await versionsOf(id)).toHaveLength(1);
  });

  it('edits the metadata and managed tags, and re-renders the form with errors', async () => {
    const id = await uploadAsset(manager(), { filename: 'deck.pptx.bin', bytes: Buffer.from('deck'), fields: { title: 'Old title', category: 'presentation' } });
    await manager().get('/library/tags');
    await manager().post('/library/tags', { name: 'Product line' });
    const groupPage = await manager().get('/library/tags');
    const groupId = /action="\/library\/tags\/([0-9a-f-]{36})\/values"/.exec(groupPage.text)![1]!;
    await manager().post(`/library/tags/${groupId}/values`, { label: 'Firewall' });
    const tagId = /action="\/library\/tags\/[0-9a-f-]{36}\/values\/([0-9a-f-]{36})"/.exec((await manager().get('/library/tags')).text)![1]!;

    const form = await manager().get(`/library/assets/${id}/edit`);
    expect(form.status).toBe(200);
    const bad = await manager().post(`/library/assets/${id}/edit`, { title: '', category: 'presentation', language: 'en', expiresAt: '2027-13-01' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Title is required');
    expect(bad.text).toContain('yyyy-mm-dd');
    const body = new URLSearchParams({ title: 'New title', description: 'Updated', category: 'datasheet', language: 'de', tags: 'a, b', managedTagIds: tagId, expiresAt: '2030-01-31' });
    const saved = await manager().request('POST', `/library/assets/${id}/edit`, { body: body.toString() + '&_csrf=' + encodeURIComponent(/name="_csrf" value="([^"]+)"/.exec(form.text)![1]!), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(saved.status).toBe(303);
    const [asset] = await db().select().from(assets).where(eq(assets.id, id));
    expect(asset).toMatchObject({ title: 'New title', description: 'Updated', category: 'datasheet', language: 'de', tags: ['a', 'b'] });
    expect(asset!.expiresAt!.toISOString()).toBe('2030-01-31T23:59:59.000Z');
    const page = await manager().get(`/library/assets/${id}`);
    expect(page.text).toContain('Product line');
    expect(page.text).toContain('Firewall');

    // Renaming a tag renames it on its assets; removing it removes it from them.
    const outboxBefore = (await db().select().from(searchOutbox).where(eq(searchOutbox.entityId, id))).length;
    expect((await manager().post(`/library/tags/${groupId}/values/${tagId}`, { label: 'Next-gen firewall' })).status).toBe(303);
    expect((await manager().get(`/library/assets/${id}`)).text).toContain('Next-gen firewall');
    expect((await db().select().from(searchOutbox).where(eq(searchOutbox.entityId, id))).length).toBeGreaterThan(outboxBefore);
    await manager().get('/library/tags');
    expect((await manager().post(`/library/tags/${groupId}/values/${tagId}/delete`)).status).toBe(303);
    expect((await manager().get(`/library/assets/${id}`)).text).not.toContain('Next-gen firewall');
  });

  it('shows a refusal on the plain upload form (no script) with the values kept', async () => {
    const token = /name="_csrf" value="([^"]+)"/.exec((await manager().get('/library/new')).text)![1]!;
    const form = new FormData();
    form.append('_csrf', token);
    form.append('title', 'Kept title');
    form.append('category', 'banner');
    form.append('file', new Blob([new Uint8Array((await solidPng(800, 600)).subarray(0, 300))]), 'broken.png');
    const res = await fetch(`${app.baseUrl}/library/assets`, { method: 'POST', body: form, redirect: 'manual', headers: { accept: 'text/html', cookie: `pa.sid=${manager().cookie('pa.sid')}` } });
    const html = await res.text();
    expect(res.status).toBe(422);
    expect(html).toContain('PNG file cannot be read');
    expect(html).toContain('value="Kept title"');
    expect(await tempUploads()).toEqual([]);
  });

  it('archives (hidden from partners, badged for the enablement team) and restores', async () => {
    const id = await uploadAsset(manager(), { filename: 'old.png', bytes: await solidPng(), fields: { title: 'Retired banner' } });
    await manager().get(`/library/assets/${id}`);
    expect((await manager().post(`/library/assets/${id}/archive`)).status).toBe(303);
    expect((await as('rep@acme.test').get(`/library/assets/${id}`)).status).toBe(404);
    expect((await fetchRaw(as('rep@acme.test'), `/library/assets/${id}/download`)).status).toBe(404);
    const managerPage = await manager().get(`/library/assets/${id}`);
    expect(managerPage.text).toContain('Archived');
    await app.drainSearchOutbox();
    const managerGrid = await manager().get('/library?q=retired');
    expect(managerGrid.text).toContain(`/library/assets/${id}`);
    expect(managerGrid.text).toContain('<span class="badge badge--muted">Archived</span>');
    expect((await as('rep@acme.test').get('/library?q=retired')).text).not.toContain(`/library/assets/${id}`);
    expect((await manager().post(`/library/assets/${id}/restore`)).status).toBe(303);
    expect((await as('rep@acme.test').get(`/library/assets/${id}`)).status).toBe(200);
  });
});

describe('visibility and expiry', () => {
  it('shows an asset only to the partner types, tiers and regions it is for; others get 404 as for a missing one', async () => {
    const tiers = await listTiers(db());
    const gold = tiers.find((t) => t.key === 'gold')!;
    const forResellers = await uploadAsset(manager(), { filename: 'r.png', bytes: await solidPng(), fields: { title: 'For resellers', visiblePartnerTypes: ['reseller'] } });
    const forDistributors = await uploadAsset(manager(), { filename: 'd.png', bytes: await solidPng(), fields: { title: 'For distributors', visiblePartnerTypes: ['distributor'] } });
    const forGold = await uploadAsset(manager(), { filename: 'g.png', bytes: await solidPng(), fields: { title: 'For gold', visibleTierIds: [gold.id] } });
    const forEmea = await uploadAsset(manager(), { filename: 'e.png', bytes: await solidPng(), fields: { title: 'For EMEA', visibleRegions: ['EMEA'] } });
    const status = async (email: (typeof ACCOUNTS)[number], id: string) => (await as(email).get(`/library/assets/${id}`)).status;
    // Acme: reseller, gold, North America. Globex: distributor, platinum, EMEA.
    expect([await status('rep@acme.test', forResellers), await status('rep@globex.test', forResellers)]).toEqual([200, 404]);
    expect([await status('rep@acme.test', forDistributors), await status('rep@globex.test', forDistributors)]).toEqual([404, 200]);
    expect([await status('rep@acme.test', forGold), await status('rep@globex.test', forGold)]).toEqual([200, 404]);
    expect([await status('rep@acme.test', forEmea), await status('rep@globex.test', forEmea)]).toEqual([404, 200]);
    expect(await status('admin@vendor.test', forDistributors)).toBe(200);
    const [version] = await versionsOf(forDistributors);
    expect((await fetchRaw(as('rep@acme.test'), `/library/assets/${forDistributors}/download`)).status).toBe(404);
    expect((await fetchRaw(as('rep@acme.test'), `/library/assets/${forDistributors}/versions/${version!.id}/preview.webp`)).status).toBe(404);
    expect((await fetchRaw(as('rep@globex.test'), `/library/assets/${forDistributors}/versions/${version!.id}/preview.webp`)).status).toBe(200);
  });

  it('hides expired assets from partners but keeps them, badged, for the enablement team', async () => {
    const tomorrow = new Date(app.deps.clock().getTime() + 24 * 3600_000).toISOString().slice(0, 10);
    const id = await uploadAsset(manager(), { filename: 'promo.png', bytes: await solidPng(), fields: { title: 'Short promo', expiresAt: tomorrow } });
    expect((await as('rep@acme.test').get(`/library/assets/${id}`)).status).toBe(200);
    app.advanceClock(3 * 24 * 3600_000);
    try {
      expect((await as('rep@acme.test').get(`/library/assets/${id}`)).status).toBe(404);
      expect((await fetchRaw(as('rep@acme.test'), `/library/assets/${id}/download`)).status).toBe(404);
      const managerPage = await manager().get(`/library/assets/${id}`);
      expect(managerPage.status).toBe(200);
      expect(managerPage.text).toContain('Expired');
    } finally {
      app.advanceClock(-3 * 24 * 3600_000);
    }
  });
});

describe('usage events', () => {
  it('records views and downloads with user, organisation and version, and counts downloads', async () => {
    const id = await uploadAsset(manager(), { filename: 'count.png', bytes: await solidPng(), fields: { title: 'Counted' } });
    const [version] = await versionsOf(id);
    await as('marketer@acme.test').get(`/library/assets/${id}`);
    await fetchRaw(as('marketer@acme.test'), `/library/assets/${id}/download`);
    await fetchRaw(as('rep@globex.test'), `/library/assets/${id}/download`);
    const events = await db().select().from(assetEvents).where(eq(assetEvents.assetId, id));
    const marketer = (await app.deps.database.db.query.users.findFirst({ where: (u, { eq: is }) => is(u.email, 'marketer@acme.test') }))!;
    expect(events.filter((e) => e.kind === 'view')).toEqual([expect.objectContaining({ userId: marketer.id, organisationId: marketer.organisationId, assetVersionId: version!.id })]);
    expect(events.filter((e) => e.kind === 'download')).toHaveLength(2);
    const [asset] = await db().select().from(assets).where(eq(assets.id, id));
    expect(asset!.downloadCount).toBe(2);
  });
});

describe('the library grid', () => {
  it('lists visible assets with previews, facet counts and filters, searching PDF text', async () => {
    const pdfId = await uploadAsset(manager(), { filename: 'quantum.pdf', bytes: await textPdf(['Quantum router deployment guide']), fields: { title: 'Router guide', category: 'whitepaper' } });
    const hiddenId = await uploadAsset(manager(), { filename: 'h.png', bytes: await solidPng(), fields: { title: 'Distributor quantum banner', category: 'banner', visiblePartnerTypes: ['distributor'] } });
    await app.drainSearchOutbox();
    const grid = await as('rep@acme.test').get('/library?q=quantum');
    expect(grid.status).toBe(200);
    expect(grid.text).toContain(`/library/assets/${pdfId}`);
    expect(grid.text).not.toContain(`/library/assets/${hiddenId}`);
    expect(grid.text).toMatch(/preview\.webp/);
    const globex = await as('rep@globex.test').get('/library?q=quantum&format=png');
    expect(globex.text).toContain(`/library/assets/${hiddenId}`);
    expect(globex.text).not.toContain(`/library/assets/${pdfId}`);
    const all = await manager().get('/library?sort=popular');
    expect(all.status).toBe(200);
    expect(all.text).toContain('name="category"');
  });
});
