import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';
import { TestClient } from '../helpers/http-client.js';
import { scormFixture } from '../helpers/scorm-fixtures.js';
import { rawZip, yazlZip } from '../helpers/zip-builder.js';
import { courses } from '../../courses/catalogue/courses.table.js';
import { courseItems, courseVersions } from '../../courses/scorm/scorm.table.js';
import { asc, eq } from 'drizzle-orm';

let app: TestApp;
let manager: TestClient;
let csrfToken: string;

beforeAll(async () => {
  app = await startTestApp({ SCORM_MAX_UPLOAD: '3mb' });
  manager = new TestClient(app.baseUrl);
  await manager.signIn('enablement@vendor.test', DEMO_PASSWORD);
  csrfToken = /name="_csrf" value="([^"]+)"/.exec((await manager.get('/courses/new')).text)![1]!;
});
afterAll(async () => app?.stop());

/** A multipart upload as the upload page's script sends it: CSRF token in a header, JSON answer. */
async function upload(pathname: string, file: { name: string; bytes: Buffer }, fields: Record<string, string> = {}, client = manager, token = csrfToken) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set('package', new Blob([new Uint8Array(file.bytes)], { type: 'application/zip' }), file.name);
  const res = await fetch(app.baseUrl + pathname, {
    method: 'POST',
    body: form,
    headers: { accept: 'application/json', 'x-csrf-token': token, cookie: `pa.sid=${client.cookie('pa.sid')}` },
  });
  return { status: res.status, body: (await res.json()) as { location?: string; warnings?: string[]; error?: { code: string; message: string } } };
}

const fixture = async (name: string) => ({ name, bytes: await readFile(scormFixture(name)) });

async function storedKeys(prefix = 'courses/'): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of app.deps.storage.list(prefix)) keys.push(object.key);
  return keys;
}
const uploadTemp = () => readdir(path.join(app.dataDir, 'tmp', 'uploads')).catch(() => [] as string[]);
/** Course folders on disk (local storage): a refused import must not leave even an empty one behind. */
const courseFolders = () => readdir(path.join(app.dataDir, 'storage', 'courses')).catch(() => [] as string[]);

async function storedBytes(key: string): Promise<Buffer> {
  const object = await app.deps.storage.get(key);
  const chunks: Buffer[] = [];
  for await (const chunk of object!.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function versionOf(location: string) {
  const courseId = /\/courses\/([0-9a-f-]{36})\/manage/.exec(location)![1]!;
  const [course] = await app.deps.database.db.select().from(courses).where(eq(courses.id, courseId));
  const [version] = await app.deps.database.db.select().from(courseVersions).where(eq(courseVersions.id, course!.currentVersionId!));
  const items = await app.deps.database.db.select().from(courseItems).where(eq(courseItems.versionId, version!.id)).orderBy(asc(courseItems.position));
  return { course: course!, version: version!, items };
}

describe('importing the shared SCORM fixtures over HTTP', () => {
  it('imports singlescobasic.zip (SCORM 1.2) with its files in storage and nothing left in temp', async () => {
    const res = await upload('/courses', await fixture('singlescobasic.zip'), { title: 'Golf Explained', description: 'Basic runtime calls' });
    expect(res.status).toBe(201);
    const { course, version, items } = await versionOf(res.body.location!);
    expect(course.title).toBe('Golf Explained');
    expect(version.standard).toBe('scorm12');
    expect(items.map((i) => i.launchHref)).toEqual(['shared/launchpage.html']);
    const keys = await storedKeys(version.storagePrefix);
    expect(keys).toHaveLength(version.fileCount);
    expect(keys).toContain(`${version.storagePrefix}imsmanifest.xml`);
    expect(keys).toContain(`${version.storagePrefix}shared/launchpage.html`);
    // Stored as a batch: the content origin gives the type from the name, so none is kept with the file.
    expect((await storedBytes(`${version.storagePrefix}shared/launchpage.html`)).toString()).toMatch(/<html/i);
    expect(await uploadTemp()).toEqual([]);
    const detail = await manager.get(res.body.location!);
    expect(detail.text).toContain('SCORM 1.2');
    expect(detail.text).toContain('singlescobasic.zip');
  });

  it('imports the nested RuntimeMinimumCalls package as two chapters of SCOs', async () => {
    const res = await upload('/courses', await fixture('RuntimeMinimumCalls_SCORM12-mini.zip'), { title: 'Golf nested' });
    expect(res.status).toBe(201);
    const { items } = await versionOf(res.body.location!);
    const chapters = items.filter((i) => i.launchHref === null);
    const scos = items.filter((i) => i.launchHref !== null);
    expect(chapters).toHaveLength(2);
    expect(scos).toHaveLength(9);
    expect(scos.every((s) => s.depth === 1 && chapters.some((c) => c.identifier === s.parentIdentifier))).toBe(true);
  });

  it('imports the SCORM 2004 3rd edition package', async () => {
    const res = await upload('/courses', await fixture('RuntimeBasicCalls_SCORM20043rdEdition.zip'), { title: 'Golf 2004' });
    expect(res.status).toBe(201);
    const { version } = await versionOf(res.body.location!);
    expect(version.standard).toBe('scorm2004');
    expect(version.edition).toBe(3);
  });

  it('imports a manifest without organisation by falling back to its SCO, and tells the uploader', async () => {
    const res = await upload('/courses', await fixture('singlescobasic_missingorg.zip'), { title: 'No organisation' });
    expect(res.status).toBe(201);
    expect(res.body.warnings!.join(' ')).toMatch(/no organization/i);
    const { items, version } = await versionOf(res.body.location!);
    expect(items.map((i) => i.launchHref)).toEqual(['sso/launchpage.html']);
    expect((await manager.get(res.body.location!)).text).toMatch(/no organization/i);
    expect(version.warnings.length).toBeGreaterThan(0);
  });

  const refused: [string, string, RegExp][] = [
    ['badscorm.zip', 'scorm.manifest_missing', /must be at the root of the zip, found at badscorm\/imsmanifest\.xml/],
    ['invalid.zip', 'scorm.manifest_missing', /imsmanifest\.xml/],
    ['validscorm.zip', 'scorm.nothing_launchable', /launch/i],
    ['validaicc.zip', 'scorm.unsupported_format', /AICC/],
  ];
  for (const [name, code, message] of refused) {
    it(`refuses ${name} with a clear message and stores nothing`, async () => {
      const before = await storedKeys();
      const coursesBefore = await app.deps.database.db.select().from(courses);
      const res = await upload('/courses', await fixture(name), { title: `Refused ${name}` });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.error!.code).toBe(code);
      expect(res.body.error!.message).toMatch(message);
      expect(await storedKeys()).toEqual(before);
      expect(await app.deps.database.db.select().from(courses)).toHaveLength(coursesBefore.length);
      expect(await uploadTemp()).toEqual([]);
    });
  }
});

describe('hostile uploads over HTTP', () => {
  const manifest = `<?xml version="1.0"?><manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"><metadata><schemaversion>1.2</schemaversion></metadata><organizations default="o"><organization identifier="o"><title>T</title><item identifier="i" identifierref="r"><title>L</title></item></organization></organizations><resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="index.html"/></resources></manifest>`;
  const good = [
    { name: 'imsmanifest.xml', data: Buffer.from(manifest) },
    { name: 'index.html', data: Buffer.from('<!doctype html><title>x</title>') },
  ];
  const cases: [string, Buffer, string][] = [
    ['path traversal', rawZip([...good, { name: '../../evil.html', data: Buffer.from('x') }]), 'scorm.path_traversal'],
    ['a symlink entry', rawZip([...good, { name: 'link', data: Buffer.from('/etc/passwd'), unixMode: 0o120777 }]), 'scorm.symlink_entry'],
    ['duplicate names', rawZip([...good, { name: 'index.html', data: Buffer.from('again') }]), 'scorm.duplicate_entry'],
    ['an entry larger than declared', rawZip([...good, { name: 'big.bin', data: Buffer.alloc(2 * 1024 * 1024), method: 'deflated', declaredUncompressedSize: 100 }]), 'scorm.entry_size_mismatch'],
    [
      'an entry larger than declared, alone in its folder',
      rawZip([...good, { name: 'media/deep/big.bin', data: Buffer.alloc(2 * 1024 * 1024), method: 'deflated', declaredUncompressedSize: 100 }]),
      'scorm.entry_size_mismatch',
    ],
    ['a DOCTYPE in the manifest', rawZip([{ name: 'imsmanifest.xml', data: Buffer.from(`<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>${manifest.slice(21)}`) }, good[1]!]), 'scorm.manifest_doctype'],
    ['not a zip at all', Buffer.from('this is plain text, not a zip'), 'scorm.not_a_zip'],
  ];
  for (const [label, bytes, code] of cases) {
    it(`refuses ${label} with ${code}, leaving storage and temp unchanged`, async () => {
      const before = await storedKeys();
      const foldersBefore = await courseFolders();
      const res = await upload('/courses', { name: 'hostile.zip', bytes }, { title: label });
      expect(res.body.error?.code).toBe(code);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(await storedKeys()).toEqual(before);
      expect(await courseFolders()).toEqual(foldersBefore);
      expect(await uploadTemp()).toEqual([]);
    });
  }

  it('refuses an upload over the size limit while it arrives, naming the limit', async () => {
    const bytes = deflateRawSync(Buffer.alloc(10)); // content does not matter: size does
    const res = await upload('/courses', { name: 'huge.zip', bytes: Buffer.concat([bytes, Buffer.alloc(4 * 1024 * 1024)]) }, { title: 'Too big' });
    expect(res.status).toBe(413);
    expect(res.body.error!.message).toContain('3 MiB');
    expect(await uploadTemp()).toEqual([]);
  });

  it('refuses a form without a title before writing the file', async () => {
    const res = await upload('/courses', await fixture('singlesco_scorm12.zip'), { title: '' });
    expect(res.status).toBe(400);
    expect(res.body.error!.message).toContain('Title is required');
    expect(await uploadTemp()).toEqual([]);
  });

  it('refuses partner users before reading the upload', async () => {
    const partner = new TestClient(app.baseUrl);
    await partner.signIn('admin@acme.test', DEMO_PASSWORD);
    const token = /name="_csrf" value="([^"]+)"/.exec((await partner.get('/profile')).text)![1]!;
    const res = await upload('/courses', await fixture('singlesco_scorm12.zip'), { title: 'Sneaky' }, partner, token);
    expect(res.status).toBe(403);
    expect(await uploadTemp()).toEqual([]);
  });
});

describe('package contents', () => {
  it('stores every file byte for byte, large stored and deflated files included', async () => {
    const manifest = `<?xml version="1.0"?><manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"><metadata><schemaversion>1.2</schemaversion></metadata><organizations default="o"><organization identifier="o"><title>T</title><item identifier="i" identifierref="r"><title>L</title></item></organization></organizations><resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="index.html"/></resources></manifest>`;
    const files = [
      { name: 'imsmanifest.xml', data: Buffer.from(manifest) },
      { name: 'index.html', data: Buffer.from('<!doctype html><title>Contents</title>') },
      // Several read buffers long, stored as zip tools store media.
      { name: 'media/clip.mp4', data: randomBytes(1536 * 1024 + 7), compress: false },
      // Large enough to be inflated as a stream.
      { name: 'scripts/app.js', data: Buffer.from(Array.from({ length: 30_000 }, (_, i) => `var v${i} = ${(i * 7919) % 100_003};\n`).join('')) },
      ...Array.from({ length: 30 }, (_, i) => ({ name: `pages/page-${i}.html`, data: Buffer.from(`<p>page ${i}</p>`.repeat(i + 1)) })),
    ];
    const res = await upload('/courses', { name: 'contents.zip', bytes: await yazlZip(files) }, { title: 'Contents' });
    expect(res.status).toBe(201);
    const { version } = await versionOf(res.body.location!);
    expect(version.fileCount).toBe(files.length);
    expect(version.totalBytes).toBe(files.reduce((sum, file) => sum + file.data.length, 0));
    for (const file of files) expect((await storedBytes(version.storagePrefix + file.name)).equals(file.data)).toBe(true);
  });
});

describe('new versions', () => {
  it('makes a new upload the current version and keeps the old one', async () => {
    const first = await upload('/courses', await fixture('singlesco_scorm12.zip'), { title: 'Versioned' });
    const { course, version: v1 } = await versionOf(first.body.location!);
    const second = await upload(`/courses/${course.id}/versions`, await fixture('singlescobasic.zip'));
    expect(second.status).toBe(201);
    const { version: v2 } = await versionOf(second.body.location!);
    expect(v2.versionNumber).toBe(2);
    expect(v2.id).not.toBe(v1.id);
    expect(v2.storagePrefix).not.toBe(v1.storagePrefix);
    expect((await storedKeys(v1.storagePrefix)).length).toBe(v1.fileCount);
    const page = await manager.get(`/courses/${course.id}/manage`);
    expect(page.text).toMatch(/v2[^]*current/);
    expect(page.text).toContain('v1');
  });
});
