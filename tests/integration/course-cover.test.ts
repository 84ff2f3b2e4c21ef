import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdir } from 'node:fs/promises';
import { crc32, deflateSync } from 'node:zlib';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';
import { TestClient } from '../helpers/http-client.js';
import { courses } from '../../courses/catalogue/courses.table.js';
import { insertCourse } from '../../courses/catalogue/courses.repository.js';
import { MAX_COVER_BYTES } from '../../courses/catalogue/cover-image.js';

/**
 * Course cover images over real HTTP, on a real database and real storage: upload (checked by its bytes and
 * re-encoded as WebP), replace, remove, and who may fetch a cover (whoever may open the course).
 */

let app: TestApp;
/** A published course everyone sees, and one only distributors (Globex) see. Covers need no package, so none is uploaded. */
let openCourseId: string;
let distributorCourseId: string;

const ACCOUNTS = ['enablement@vendor.test', 'admin@vendor.test', 'rep@acme.test', 'admin@acme.test', 'rep@globex.test'] as const;
const signedIn = new Map<(typeof ACCOUNTS)[number], TestClient>();
const as = (email: (typeof ACCOUNTS)[number]) => signedIn.get(email)!;

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const sessionCookie = (client: TestClient) => `pa.sid=${client.cookie('pa.sid')}`;

interface UploadFile {
  bytes: Uint8Array<ArrayBuffer>;
  name: string;
  type: string;
}

/** Posts the settings page's cover form as multipart, with the CSRF token in the header as the page's script sends it. */
async function postCover(client: TestClient, courseId: string, file: UploadFile | null, accept = 'text/html') {
  const token = csrfOf((await client.get('/profile')).text);
  const form = new FormData();
  form.set('_csrf', token);
  if (file) form.set('cover', new Blob([file.bytes], { type: file.type }), file.name);
  const res = await fetch(`${app.baseUrl}/courses/${courseId}/cover`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
    headers: { accept, 'x-csrf-token': token, cookie: sessionCookie(client) },
  });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

/** Fetches a URL as an <img> would, keeping the body's bytes. */
async function fetchImage(client: TestClient | null, url: string) {
  const res = await fetch(app.baseUrl + url, { redirect: 'manual', headers: { accept: 'image/avif,image/webp,image/*,*/*;q=0.8', ...(client ? { cookie: sessionCookie(client) } : {}) } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

const png = async (width: number, height: number, colour = '#3366cc'): Promise<UploadFile> => ({
  bytes: new Uint8Array(await sharp({ create: { width, height, channels: 3, background: colour } }).png().toBuffer()),
  name: 'cover.png',
  type: 'image/png',
});

/** A tiny PNG whose header claims width × height (a decompression bomb's trick); its pixel data is not even complete. */
function pngClaiming(width: number, height: number): UploadFile {
  const chunk = (type: string, data: Buffer) => {
    const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const frame = Buffer.alloc(8);
    frame.writeUInt32BE(data.length, 0);
    frame.writeUInt32BE(crc32(typed), 4);
    return Buffer.concat([frame.subarray(0, 4), typed, frame.subarray(4)]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2], 8); // 8-bit RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return { bytes: new Uint8Array(Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.alloc(1000))), chunk('IEND', Buffer.alloc(0))])), name: 'bomb.png', type: 'image/png' };
}

const coverUrlIn = (html: string, courseId: string) => new RegExp(`src="(/courses/${courseId}/cover/[0-9a-f]{64}\\.webp)"`).exec(html)?.[1] ?? null;

async function storedKeys(prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of app.deps.storage.list(prefix)) keys.push(object.key);
  return keys;
}

const uploadTempFiles = async () => readdir(path.join(app.dataDir, 'tmp', 'uploads')).catch(() => [] as string[]);

async function coverKeyOf(courseId: string): Promise<string | null> {
  const [row] = await app.deps.database.db.select({ key: courses.coverImageKey }).from(courses).where(eq(courses.id, courseId));
  return row!.key;
}

beforeAll(async () => {
  app = await startTestApp();
  const db = app.deps.database.db;
  openCourseId = (await insertCourse(db, { title: 'Cover Basics', status: 'published' })).id;
  distributorCourseId = (await insertCourse(db, { title: 'Distribution Covers', status: 'published', visiblePartnerTypes: ['distributor'] })).id;
  await Promise.all(
    ACCOUNTS.map(async (email) => {
      const client = new TestClient(app.baseUrl);
      await client.signIn(email, DEMO_PASSWORD);
      signedIn.set(email, client);
    }),
  );
});
afterAll(async () => app?.stop());

describe('uploading a cover', () => {
  it('stores a PNG as WebP within 1280 × 720 and shows it on the settings page, the catalogue, the course page and My learning', async () => {
    const manager = as('enablement@vendor.test');
    const res = await postCover(manager, openCourseId, await png(2000, 1500));
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/courses/${openCourseId}/settings#cover-heading`);

    const settings = await manager.get(`/courses/${openCourseId}/settings`);
    expect(settings.text).toContain('The cover of &quot;Cover Basics&quot; is updated.');
    const url = coverUrlIn(settings.text, openCourseId);
    expect(url).not.toBeNull();
    expect(settings.text).toContain('Remove the cover');

    const key = await coverKeyOf(openCourseId);
    expect(key).toBe(`covers/${openCourseId}/${/([0-9a-f]{64})\.webp$/.exec(url!)![1]}.webp`);
    expect(await storedKeys(`covers/${openCourseId}/`)).toEqual([key]);

    const rep = as('rep@acme.test');
    const catalogue = await rep.get('/courses');
    expect(coverUrlIn(catalogue.text, openCourseId)).toBe(url);
    // Decorative: the title stands next to it.
    expect(catalogue.text).toMatch(new RegExp(`<img class="cover cover--image" src="${url}" alt=""`));
    const detail = await rep.get(`/courses/${openCourseId}`);
    expect(coverUrlIn(detail.text, openCourseId)).toBe(url);
    expect((await rep.post(`/courses/${openCourseId}/enrol`)).status).toBe(303);
    expect(coverUrlIn((await rep.get('/my/courses')).text, openCourseId)).toBe(url);

    const image = await fetchImage(rep, url!);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/webp');
    expect(image.headers.get('x-content-type-options')).toBe('nosniff');
    expect(image.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    const decoded = await sharp(image.bytes).metadata();
    expect(decoded).toMatchObject({ format: 'webp', width: 960, height: 720 });
  });

  it('turns a JPEG upright by its EXIF orientation, drops its metadata, and never enlarges a small image', async () => {
    const manager = as('enablement@vendor.test');
    // 1600 × 900 stored sideways (orientation 6: rotate 90° clockwise to show), so it is 900 × 1600 upright.
    const sideways = await sharp({ create: { width: 1600, height: 900, channels: 3, background: '#aa3300' } })
      .jpeg()
      .withMetadata({ orientation: 6, exif: { IFD0: { Copyright: 'Northwind', Artist: 'A Photographer' } } })
      .toBuffer();
    expect((await sharp(sideways).metadata()).orientation).toBe(6);
    expect((await postCover(manager, distributorCourseId, { bytes: new Uint8Array(sideways), name: 'photo.jpg', type: 'image/jpeg' })).status).toBe(303);
    const upright = await fetchImage(manager, coverUrlIn((await manager.get(`/courses/${distributorCourseId}`)).text, distributorCourseId)!);
    const uprightMeta = await sharp(upright.bytes).metadata();
    expect(uprightMeta).toMatchObject({ format: 'webp', width: 405, height: 720 });
    expect(uprightMeta.orientation).toBeUndefined();
    expect(uprightMeta.exif).toBeUndefined();
    expect(uprightMeta.icc).toBeUndefined();

    // A WebP is accepted too, and a small one keeps its size.
    const small = await sharp({ create: { width: 200, height: 100, channels: 4, background: '#00996680' } }).webp().toBuffer();
    expect((await postCover(manager, distributorCourseId, { bytes: new Uint8Array(small), name: 'small.webp', type: 'image/webp' })).status).toBe(303);
    const kept = await fetchImage(manager, coverUrlIn((await manager.get(`/courses/${distributorCourseId}`)).text, distributorCourseId)!);
    expect(await sharp(kept.bytes).metadata()).toMatchObject({ format: 'webp', width: 200, height: 100 });
  });

  it('judges the file by its bytes: a text file named cover.png is refused on the settings page, storing nothing and leaving no temp file', async () => {
    const manager = as('enablement@vendor.test');
    const keyBefore = await coverKeyOf(openCourseId);
    const storedBefore = await storedKeys();
    const res = await postCover(manager, openCourseId, { bytes: new TextEncoder().encode('This is not an image.\nJust text.\n'), name: 'cover.png', type: 'image/png' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('<h1>Course settings</h1>');
    expect(res.text).toContain('The cover must be a PNG, JPEG or WebP image; this file is text, not an image.');
    expect(res.text).toMatch(/<input id="cover" name="cover" type="file"[^>]* aria-describedby="cover-hint cover-error" aria-invalid="true">/);
    expect(await storedKeys()).toEqual(storedBefore);
    expect(await uploadTempFiles()).toEqual([]);
    expect(await coverKeyOf(openCourseId)).toBe(keyBefore);
  });

  it.each([
    ['a GIF', Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64'), 'picture.png', 'this file is a GIF image.'],
    ['an SVG', Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'), 'cover.webp', 'this file is an SVG drawing.'],
    ['a PDF', Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n', 'latin1'), 'cover.jpg', 'this file is a PDF document.'],
    ['random bytes', Buffer.from([0x00, 0x01, 0xfe, 0x7f, 0x80, 0x00, 0x13, 0x37]), 'cover.png', 'this file is not an image format we recognise.'],
    ['an empty file', Buffer.alloc(0), 'cover.png', 'this file is empty.'],
  ])('says what the file is when it is %s', async (_what, bytes, name, expected) => {
    const manager = as('enablement@vendor.test');
    const res = await postCover(manager, openCourseId, { bytes: new Uint8Array(bytes), name, type: 'image/png' });
    expect(res.status).toBe(400);
    expect(res.text).toContain(`The cover must be a PNG, JPEG or WebP image; ${expected}`);
    expect(await uploadTempFiles()).toEqual([]);
  });

  it('refuses a PNG that cannot be decoded, and answers the settings page’s script in JSON', async () => {
    const manager = as('enablement@vendor.test');
    const whole = Buffer.from((await png(400, 300)).bytes);
    const storedBefore = await storedKeys();
    const res = await postCover(manager, openCourseId, { bytes: new Uint8Array(whole.subarray(0, 60)), name: 'cut.png', type: 'image/png' }, 'application/json');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error).toMatchObject({
      code: 'catalogue.cover_not_image',
      message: expect.stringContaining('this file is a PNG image that cannot be decoded'),
    });
    expect(await storedKeys()).toEqual(storedBefore);
    expect(await uploadTempFiles()).toEqual([]);
  });

  it('refuses an image claiming more than 100 million pixels from its header, before decoding it', async () => {
    const res = await postCover(as('enablement@vendor.test'), openCourseId, pngClaiming(20_000, 20_000));
    expect(res.status).toBe(400);
    expect(res.text).toContain('The image is 20000 × 20000 pixels; a cover may have at most 100 million pixels.');
    expect(await uploadTempFiles()).toEqual([]);
  });

  it('answers JSON with the next location to the settings page’s script', async () => {
    const manager = as('enablement@vendor.test');
    const res = await postCover(manager, openCourseId, await png(640, 360, '#226644'), 'application/json');
    expect(res.status).toBe(200);
    // No #fragment: the script is on the settings page, and a fragment-only change would not reload it.
    expect(JSON.parse(res.text)).toEqual({ location: `/courses/${openCourseId}/settings` });
  });

  it('asks for a file when none was sent, and refuses one over 10 MB while it is being sent (413), leaving no temp file', async () => {
    const manager = as('enablement@vendor.test');
    const none = await postCover(manager, openCourseId, null);
    expect(none.status).toBe(400);
    expect(none.text).toContain('Choose a PNG, JPEG or WebP image to upload as the cover.');

    const huge = new Uint8Array(MAX_COVER_BYTES + 1);
    huge.set((await png(10, 10)).bytes);
    const storedBefore = await storedKeys();
    const res = await postCover(manager, openCourseId, { bytes: huge, name: 'huge.png', type: 'image/png' }, 'application/json');
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text).error.code).toBe('catalogue.cover_too_large');
    expect(JSON.parse(res.text).error.message).toContain('10 MiB');
    expect(await storedKeys()).toEqual(storedBefore);
    expect(await uploadTempFiles()).toEqual([]);
  });
});

describe('who may see and change a cover', () => {
  it('answers 404 for the cover of a course the caller may not see, exactly like a missing course', async () => {
    const globexRep = as('rep@globex.test');
    const url = coverUrlIn((await globexRep.get(`/courses/${distributorCourseId}`)).text, distributorCourseId)!;
    expect(url).not.toBeNull();
    expect((await fetchImage(globexRep, url)).status).toBe(200);

    const acmeRep = as('rep@acme.test');
    const hidden = await fetchImage(acmeRep, url);
    const missing = await fetchImage(acmeRep, url.replace(distributorCourseId, '00000000-0000-4000-8000-000000000000'));
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    const messageOf = (bytes: Buffer) => /<p[^>]*>(We could not find[^<]*)<\/p>/.exec(bytes.toString('utf8'))?.[1];
    expect(messageOf(hidden.bytes)).toBe(messageOf(missing.bytes));
    expect(messageOf(hidden.bytes)).toContain('We could not find that course');
    expect(hidden.headers.get('content-type')).toBe(missing.headers.get('content-type'));

    // Signed out: sent to sign in, never the image.
    const anonymous = await fetchImage(null, url);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toMatch(/^\/login\?next=/);
  });

  it('serves a draft course’s cover only to the enablement team, who may preview drafts', async () => {
    const manager = as('enablement@vendor.test');
    await app.deps.database.db.update(courses).set({ status: 'draft' }).where(eq(courses.id, distributorCourseId));
    try {
      const url = coverUrlIn((await manager.get(`/courses/${distributorCourseId}/settings`)).text, distributorCourseId)!;
      expect((await fetchImage(manager, url)).status).toBe(200);
      expect((await fetchImage(as('rep@globex.test'), url)).status).toBe(404);
      expect((await fetchImage(as('admin@vendor.test'), url)).status).toBe(200);
    } finally {
      await app.deps.database.db.update(courses).set({ status: 'published' }).where(eq(courses.id, distributorCourseId));
    }
  });

  it('does not let partner users upload or remove a cover (403), and writes nothing for them', async () => {
    const keyBefore = await coverKeyOf(openCourseId);
    for (const email of ['rep@acme.test', 'admin@acme.test'] as const) {
      const client = as(email);
      const res = await postCover(client, openCourseId, await png(300, 200, '#ff0000'));
      expect(res.status).toBe(403);
      const token = csrfOf((await client.get('/profile')).text);
      expect((await client.post(`/courses/${openCourseId}/cover/delete`, { _csrf: token })).status).toBe(403);
    }
    expect(await coverKeyOf(openCourseId)).toBe(keyBefore);
    expect(await uploadTempFiles()).toEqual([]);
  });
});

describe('replacing and removing a cover', () => {
  it('deletes the old image when a cover is replaced, keeps one object for the same image uploaded twice, and goes back to the initials when removed', async () => {
    const manager = as('enablement@vendor.test');
    const rep = as('rep@acme.test');
    const first = await png(800, 450, '#112233');
    expect((await postCover(manager, openCourseId, first)).status).toBe(303);
    const firstUrl = coverUrlIn((await rep.get('/courses')).text, openCourseId)!;
    const firstKey = await coverKeyOf(openCourseId);

    expect((await postCover(manager, openCourseId, first)).status).toBe(303);
    expect(await coverKeyOf(openCourseId)).toBe(firstKey);
    expect(await storedKeys(`covers/${openCourseId}/`)).toEqual([firstKey]);
    expect((await fetchImage(rep, firstUrl)).status).toBe(200);

    expect((await postCover(manager, openCourseId, await png(800, 450, '#445566'))).status).toBe(303);
    const secondKey = await coverKeyOf(openCourseId);
    expect(secondKey).not.toBe(firstKey);
    expect(await storedKeys(`covers/${openCourseId}/`)).toEqual([secondKey]);
    expect((await fetchImage(rep, firstUrl)).status).toBe(404);
    const secondUrl = coverUrlIn((await rep.get('/courses')).text, openCourseId)!;
    expect(secondUrl).not.toBe(firstUrl);
    expect((await fetchImage(rep, secondUrl)).status).toBe(200);

    const token = csrfOf((await manager.get(`/courses/${openCourseId}/settings`)).text);
    const removed = await manager.post(`/courses/${openCourseId}/cover/delete`, { _csrf: token });
    expect(removed.status).toBe(303);
    expect(removed.location).toBe(`/courses/${openCourseId}/settings#cover-heading`);
    const settings = await manager.get(`/courses/${openCourseId}/settings`);
    expect(settings.text).toContain('Cover removed.');
    expect(settings.text).not.toContain('Remove the cover');
    expect(await coverKeyOf(openCourseId)).toBeNull();
    expect(await storedKeys(`covers/${openCourseId}/`)).toEqual([]);
    expect((await fetchImage(rep, secondUrl)).status).toBe(404);

    // The generated initials cover is back everywhere.
    const catalogue = await rep.get('/courses');
    expect(coverUrlIn(catalogue.text, openCourseId)).toBeNull();
    const card = catalogue.text.slice(catalogue.text.lastIndexOf('<li class="course-card">', catalogue.text.indexOf(`href="/courses/${openCourseId}"`)));
    expect(card).toMatch(/^<li class="course-card">\s*<div class="cover cover--\d" aria-hidden="true"><span class="cover__initials">CB<\/span><\/div>/);
    expect((await rep.get(`/courses/${openCourseId}`)).text).toContain('<span class="cover__initials">CB</span>');

    // A second remove (a double-submitted form) changes nothing and says so.
    const again = await manager.post(`/courses/${openCourseId}/cover/delete`, { _csrf: csrfOf(settings.text) });
    expect(again.status).toBe(303);
    expect((await manager.get(`/courses/${openCourseId}/settings`)).text).toContain('The course had no cover image to remove.');
  });
});
