import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';
import { TestClient } from '../helpers/http-client.js';
import { listOrganisations } from '../../server/organisations/organisations.repository.js';
import { organisations } from '../../server/organisations/organisations.table.js';

let app: TestApp;
const orgIds: Record<string, string> = {};
let acmeMarketer: TestClient;
let globexAdmin: TestClient;

async function signedIn(email: string): Promise<TestClient> {
  const client = new TestClient(app.baseUrl);
  await client.signIn(email, DEMO_PASSWORD);
  return client;
}

async function uploadLogo(client: TestClient, organisationId: string, bytes: Buffer, filename = 'logo.png') {
  const page = await client.get(`/organisations/${organisationId}/branding`);
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  const form = new FormData();
  form.append('_csrf', token);
  form.append('logo', new Blob([new Uint8Array(bytes)]), filename);
  const res = await fetch(`${app.baseUrl}/organisations/${organisationId}/logo`, { method: 'POST', body: form, headers: { cookie: `pa.sid=${client.cookie('pa.sid')}` }, redirect: 'manual' });
  return { status: res.status, text: await res.text() };
}

const organisation = async (id: string) => (await app.deps.database.db.select().from(organisations).where(eq(organisations.id, id)))[0]!;

async function storedKeys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of app.deps.storage.list(prefix)) keys.push(object.key);
  return keys;
}

/** A PNG whose header claims width × height, with one tiny compressed row: real PNG structure, a decompression bomb's size. */
function pngClaiming(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([length, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(1 + width * 3))), chunk('IEND', Buffer.alloc(0))]);
}

beforeAll(async () => {
  app = await startTestApp();
  const { rows } = await listOrganisations(app.deps.database.db, { kind: 'all' }, { limit: 10, offset: 0 });
  for (const row of rows) orgIds[row.slug] = row.id;
  [acmeMarketer, globexAdmin] = await Promise.all([signedIn('marketer@acme.test'), signedIn('admin@globex.test')]);
});
afterAll(async () => app?.stop());

describe('organisation logo', () => {
  it('stores a trimmed PNG with its transparency, bumps the branding version and shows it on the branding page', async () => {
    // A 400 × 300 transparent canvas with a 100 × 50 opaque mark in the middle.
    const mark = await sharp({ create: { width: 100, height: 50, channels: 4, background: { r: 10, g: 120, b: 60, alpha: 1 } } }).png().toBuffer();
    const png = await sharp({ create: { width: 400, height: 300, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .composite([{ input: mark, left: 150, top: 125 }])
      .png()
      .toBuffer();
    const before = await organisation(orgIds.acme!);
    const res = await uploadLogo(acmeMarketer, orgIds.acme!, png);
    expect(res.status).toBe(303);

    const after = await organisation(orgIds.acme!);
    expect(after.brandingVersion).toBe(before.brandingVersion + 1);
    expect([after.logoWidth, after.logoHeight]).toEqual([100, 50]);
    expect(after.logoKey).toMatch(new RegExp(`^logos/${orgIds.acme}/[0-9a-f]{64}\\.png$`));

    const page = await acmeMarketer.get(`/organisations/${orgIds.acme}/branding`);
    const src = /<img class="logo-settings__image" src="([^"]+)"/.exec(page.text)?.[1];
    expect(src).toBeDefined();
    const logo = await fetch(app.baseUrl + src, { headers: { cookie: `pa.sid=${acmeMarketer.cookie('pa.sid')}` } });
    expect(logo.status).toBe(200);
    expect(logo.headers.get('content-type')).toBe('image/png');
    const meta = await sharp(Buffer.from(await logo.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height, meta.hasAlpha]).toEqual(['png', 100, 50, true]);

    // Replacing the logo deletes the old object.
    const second = await sharp({ create: { width: 60, height: 60, channels: 4, background: { r: 200, g: 0, b: 0, alpha: 1 } } }).png().toBuffer();
    expect((await uploadLogo(acmeMarketer, orgIds.acme!, second)).status).toBe(303);
    expect(await storedKeys(`logos/${orgIds.acme}/`)).toEqual([(await organisation(orgIds.acme!)).logoKey]);
  });

  it('rasterises a plain SVG logo and refuses one with a script', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="#123456"/></svg>');
    expect((await uploadLogo(globexAdmin, orgIds.globex!, svg, 'logo.svg')).status).toBe(303);
    const globex = await organisation(orgIds.globex!);
    expect(globex.logoWidth).toBe(1200);
    expect(globex.logoHeight).toBe(400);

    const hostile = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)"><rect width="10" height="10"/></svg>');
    const res = await uploadLogo(globexAdmin, orgIds.globex!, hostile, 'logo.svg');
    expect(res.status).toBe(422);
    expect(res.text).toContain('event handler');
    expect((await organisation(orgIds.globex!)).logoKey).toBe(globex.logoKey);
  });

  it('refuses a file that is not an image with a clear message, storing nothing', async () => {
    const initech = (await listOrganisations(app.deps.database.db, { kind: 'all' }, { limit: 10, offset: 0 })).rows.find((o) => o.slug === 'initech')!;
    const before = await organisation(initech.id);
    const admin = await signedIn('admin@initech.test');
    const res = await uploadLogo(admin, initech.id, Buffer.from('%PDF-1.7\n1 0 obj << >> endobj\n%%EOF'), 'logo.png');
    expect(res.status).toBe(422);
    expect(res.text).toContain('The logo must be a PNG, JPEG or SVG image; this file is a PDF document');
    expect(await storedKeys(`logos/${initech.id}/`)).toEqual([]);
    expect((await organisation(initech.id)).brandingVersion).toBe(before.brandingVersion);
  });

  it('refuses a 50,000 × 50,000 PNG from its header, without decoding it', async () => {
    const initech = (await listOrganisations(app.deps.database.db, { kind: 'all' }, { limit: 10, offset: 0 })).rows.find((o) => o.slug === 'initech')!;
    const admin = await signedIn('admin@initech.test');
    const bomb = pngClaiming(50_000, 50_000);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const res = await uploadLogo(admin, initech.id, bomb);
    expect(res.status).toBe(422);
    expect(res.text).toContain('50000 × 50000 pixels');
    expect((await organisation(initech.id)).logoKey).toBeNull();
  });

  it('keeps other organisations out: Globex cannot change or see Acme’s logo', async () => {
    const png = await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toBuffer();
    const before = await organisation(orgIds.acme!);
    const res = await uploadLogo(globexAdmin, orgIds.acme!, png);
    expect(res.status).toBe(404);
    expect((await organisation(orgIds.acme!)).logoKey).toBe(before.logoKey);
    const hash = /([0-9a-f]{64})\.png$/.exec(before.logoKey!)![1];
    const seen = await fetch(`${app.baseUrl}/organisations/${orgIds.acme}/logo/${hash}.png`, { headers: { cookie: `pa.sid=${globexAdmin.cookie('pa.sid')}` } });
    expect(seen.status).toBe(404);
  });
});

describe('branding fields', () => {
  it('bumps the branding version on a change and not on an unchanged save', async () => {
    const admin = await signedIn('admin@acme.test');
    await admin.get(`/organisations/${orgIds.acme}/branding`);
    const v0 = (await organisation(orgIds.acme!)).brandingVersion;
    const fields = { contactName: 'Alex Carter', contactEmail: 'alex@acme.example', contactPhone: '+1 555 0199', website: 'https://acme.example' };
    expect((await admin.post(`/organisations/${orgIds.acme}/branding`, fields)).status).toBe(303);
    expect((await organisation(orgIds.acme!)).brandingVersion).toBe(v0 + 1);
    await admin.get(`/organisations/${orgIds.acme}/branding`);
    expect((await admin.post(`/organisations/${orgIds.acme}/branding`, fields)).status).toBe(303);
    expect((await organisation(orgIds.acme!)).brandingVersion).toBe(v0 + 1);
  });
});
