import http from 'node:http';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eq } from 'drizzle-orm';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';
import { TestClient } from '../helpers/http-client.js';
import { findUserByEmail } from '../../server/users/users.repository.js';
import { users } from '../../server/users/users.table.js';
import { courses } from '../../courses/catalogue/courses.table.js';
import { courseVersions } from '../../courses/scorm/scorm.table.js';
import { attempts } from '../../courses/tracking/tracking.table.js';
import { packagePath } from '../../courses/delivery/content-server.js';
import { createLaunchToken, deriveLaunchTokenKey, verifyLaunchToken, contentBaseUrl, type LaunchClaims, type LaunchTokenKey } from '../../courses/delivery/launch-token.js';

const HOUR = 3600_000;

let app: TestApp;
let key: LaunchTokenKey;
let courseId: string;
let v1: string;
let v2: string;
let repId: string;
let otherId: string;
/** rep@acme.test on version 1 */
let repAttempt: string;
/** rep@globex.test on version 1 */
let otherAttempt: string;
/** rep@acme.test on version 2 */
let repAttemptV2: string;
/** A valid token for (rep, repAttempt, v1), one hour. */
let token: string;
const video = randomBytes(1024 * 1024);

const FILES: Record<string, string | Buffer> = {
  'index.html': '<!doctype html><title>Course start</title><a href="sub/page.html">Start</a>',
  'sub/page.html': '<!doctype html><link rel="stylesheet" href="style.css"><script src="app.js"></script><a href="../index.html">Back</a><img src="../img/logo.svg">',
  'sub/app.js': 'window.courseLoaded = true; // V1 SCRIPT',
  'sub/style.css': 'body { color: #123456 }',
  'img/logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
  'data/quiz.json': '{"questions":[]}',
  'data/manifest.xml': '<manifest/>',
  'media/captions.vtt': 'WEBVTT\n',
  'media/voice.mp3': Buffer.from([0xff, 0xfb, 0x90, 0x00]),
  'fonts/body.woff2': Buffer.from('wOF2fake'),
  'docs/handout.pdf': Buffer.from('%PDF-1.4 fake'),
  'legacy/intro.swf': Buffer.from('FWS fake'),
  'notes.txt': 'plain notes',
  'blob.unknownext': Buffer.from([0, 1, 2, 3]),
  'empty.js': '',
  'with space/é.html': '<p>encoded names</p>',
  'video.mp4': video,
};

beforeAll(async () => {
  app = await startTestApp();
  const db = app.deps.database.db;
  key = deriveLaunchTokenKey(app.deps.sessionSecret);
  const rep = (await findUserByEmail(db, 'rep@acme.test'))!;
  const other = (await findUserByEmail(db, 'rep@globex.test'))!;
  repId = rep.id;
  otherId = other.id;

  const [course] = await db.insert(courses).values({ title: 'Content origin course', status: 'published' }).returning();
  courseId = course!.id;
  v1 = randomUUID();
  v2 = randomUUID();
  const version = (id: string, n: number) => ({
    id,
    courseId,
    versionNumber: n,
    standard: 'scorm12' as const,
    storagePrefix: `courses/${courseId}/${id}/`,
    originalFilename: `course-v${n}.zip`,
    fileCount: 1,
    totalBytes: 1,
    manifest: {},
  });
  await db.insert(courseVersions).values([version(v1, 1), version(v2, 2)]);
  const attempt = (userId: string, organisationId: string, versionId: string, attemptNumber: number) => ({ courseId, versionId, userId, organisationId, attemptNumber });
  const rows = await db
    .insert(attempts)
    .values([attempt(rep.id, rep.organisationId, v1, 1), attempt(other.id, other.organisationId, v1, 1), attempt(rep.id, rep.organisationId, v2, 2)])
    .returning();
  [repAttempt, otherAttempt, repAttemptV2] = rows.map((r) => r.id) as [string, string, string];

  const storage = app.deps.storage;
  for (const [name, body] of Object.entries(FILES)) await storage.put(`courses/${courseId}/${v1}/${name}`, Buffer.isBuffer(body) ? body : Buffer.from(body));
  await storage.put(`courses/${courseId}/${v2}/index.html`, Buffer.from('<title>V2 SECRET</title>'));
  await storage.put(`courses/${courseId}/outside.txt`, Buffer.from('OUTSIDE THE PACKAGE'));
  await storage.put(`outside.txt`, Buffer.from('OUTSIDE THE PACKAGE AT THE ROOT'));

  token = mint({ userId: repId, attemptId: repAttempt, versionId: v1 });
});
afterAll(async () => app?.stop());

function mint(claims: LaunchClaims, ttlMs = HOUR, withKey: LaunchTokenKey = key): string {
  return createLaunchToken(claims, withKey, ttlMs, app.deps.clock());
}

function fileUrl(path: string, withToken = token): string {
  return `${contentBaseUrl(app.contentUrl, withToken)}${path}`;
}

/** Sends the path exactly as written: fetch would normalise "..", "%2e%2e" and backslashes before sending. */
function rawRequest(base: string, rawPath: string, options: { method?: string; headers?: Record<string, string> } = {}) {
  const url = new URL(base);
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: rawPath, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function bytesOf(res: Response): Promise<Buffer> {
  return Buffer.from(await res.arrayBuffer());
}

describe('package files on the content origin', () => {
  it('serves each file with the Content-Type of its extension, nosniff and its exact bytes', async () => {
    const expected: Record<string, string> = {
      'index.html': 'text/html',
      'sub/page.html': 'text/html',
      'sub/app.js': 'text/javascript; charset=utf-8',
      'sub/style.css': 'text/css; charset=utf-8',
      'img/logo.svg': 'image/svg+xml',
      'data/quiz.json': 'application/json; charset=utf-8',
      'data/manifest.xml': 'application/xml',
      'media/captions.vtt': 'text/vtt; charset=utf-8',
      'media/voice.mp3': 'audio/mpeg',
      'fonts/body.woff2': 'font/woff2',
      'docs/handout.pdf': 'application/pdf',
      'legacy/intro.swf': 'application/x-shockwave-flash',
      'notes.txt': 'text/plain; charset=utf-8',
      'blob.unknownext': 'application/octet-stream',
      'empty.js': 'text/javascript; charset=utf-8',
      'video.mp4': 'video/mp4',
    };
    for (const [name, type] of Object.entries(expected)) {
      const res = await fetch(fileUrl(name));
      expect({ name, status: res.status, type: res.headers.get('content-type') }).toEqual({ name, status: 200, type });
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('accept-ranges')).toBe('bytes');
      const body = await bytesOf(res);
      const stored = FILES[name]!;
      expect(body.equals(Buffer.isBuffer(stored) ? stored : Buffer.from(stored))).toBe(true);
      expect(res.headers.get('content-length')).toBe(String(body.length));
    }
  });

  it('decodes percent-encoded names once, as the browser encoded them', async () => {
    const res = await fetch(new URL('with space/é.html', contentBaseUrl(app.contentUrl, token)));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<p>encoded names</p>');
  });

  it('resolves relative links from a page in a subfolder, as the browser would', async () => {
    const pageUrl = fileUrl('sub/page.html');
    const page = await (await fetch(pageUrl)).text();
    const links = [...page.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => new URL(m[1]!, pageUrl));
    expect(links.map((l) => l.pathname.split('/').slice(3).join('/'))).toEqual(['sub/style.css', 'sub/app.js', 'index.html', 'img/logo.svg']);
    for (const link of links) {
      const res = await fetch(link);
      expect({ link: link.pathname, status: res.status }).toEqual({ link: link.pathname, status: 200 });
    }
    expect(await (await fetch(links[1]!)).text()).toContain('V1 SCRIPT');
  });

  it('serves the whole 1 MB video, with validators and a private cache lifetime bounded by the token', async () => {
    const res = await fetch(fileUrl('video.mp4'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(video.length));
    expect((await bytesOf(res)).equals(video)).toBe(true);
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-z]+-[0-9a-z]+"$/);
    expect(Date.parse(res.headers.get('last-modified')!)).not.toBeNaN();
    const cache = res.headers.get('cache-control')!;
    expect(cache).toMatch(/^private, max-age=\d+, immutable$/);
    const maxAge = Number(/max-age=(\d+)/.exec(cache)![1]);
    expect(maxAge).toBeGreaterThan(HOUR / 1000 - 120);
    expect(maxAge).toBeLessThanOrEqual(HOUR / 1000);

    const short = mint({ userId: repId, attemptId: repAttempt, versionId: v1 }, 90_000);
    const shortMaxAge = Number(/max-age=(\d+)/.exec((await fetch(fileUrl('notes.txt', short))).headers.get('cache-control')!)![1]);
    expect(shortMaxAge).toBeLessThanOrEqual(90);
    expect(shortMaxAge).toBeGreaterThan(60);
  });

  it('answers a byte range with 206, Content-Range and exactly those bytes', async () => {
    const cases: [string, number, number][] = [
      ['bytes=100-199', 100, 199],
      ['bytes=0-0', 0, 0],
      ['bytes=1048000-', 1048000, video.length - 1],
      ['bytes=-500', video.length - 500, video.length - 1],
      ['bytes=1048500-9999999', 1048500, video.length - 1],
    ];
    for (const [range, start, end] of cases) {
      const res = await fetch(fileUrl('video.mp4'), { headers: { range } });
      expect({ range, status: res.status }).toEqual({ range, status: 206 });
      expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/${video.length}`);
      expect(res.headers.get('content-length')).toBe(String(end - start + 1));
      expect(res.headers.get('content-type')).toBe('video/mp4');
      expect((await bytesOf(res)).equals(video.subarray(start, end + 1))).toBe(true);
    }
  });

  it('answers 416 with the size for a range past the end, and the whole file for ranges it does not serve', async () => {
    for (const range of ['bytes=1048576-', 'bytes=2000000-2000100']) {
      const res = await fetch(fileUrl('video.mp4'), { headers: { range } });
      expect(res.status).toBe(416);
      expect(res.headers.get('content-range')).toBe(`bytes */${video.length}`);
      expect((await res.text()).length).toBeLessThan(100);
    }
    const empty = await fetch(fileUrl('empty.js'), { headers: { range: 'bytes=0-10' } });
    expect(empty.status).toBe(416);
    expect(empty.headers.get('content-range')).toBe('bytes */0');

    // Several ranges or a malformed header: the RFC lets a server ignore Range and send everything.
    for (const range of ['bytes=0-9,100-109', 'bytes=abc', 'items=0-5']) {
      const res = await fetch(fileUrl('video.mp4'), { headers: { range } });
      expect({ range, status: res.status }).toEqual({ range, status: 200 });
      expect((await bytesOf(res)).length).toBe(video.length);
    }
  });

  it('honours If-Range: the range only while the validator still matches', async () => {
    const etag = (await fetch(fileUrl('video.mp4'), { method: 'HEAD' })).headers.get('etag')!;
    const matching = await fetch(fileUrl('video.mp4'), { headers: { range: 'bytes=10-19', 'if-range': etag } });
    expect(matching.status).toBe(206);
    expect((await bytesOf(matching)).equals(video.subarray(10, 20))).toBe(true);
    const stale = await fetch(fileUrl('video.mp4'), { headers: { range: 'bytes=10-19', 'if-range': '"stale-etag"' } });
    expect(stale.status).toBe(200);
    expect((await bytesOf(stale)).equals(video)).toBe(true);
  });

  it('answers HEAD with the headers and no body, and 304 to a matching If-None-Match', async () => {
    const head = await rawRequest(app.contentUrl, new URL(fileUrl('video.mp4')).pathname, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(video.length));
    expect(head.headers['content-type']).toBe('video/mp4');
    expect(head.body.length).toBe(0);

    // Raw requests, as a browser revalidating its cache sends them (fetch() would add Cache-Control: no-cache).
    const path = new URL(fileUrl('video.mp4')).pathname;
    const again = await rawRequest(app.contentUrl, path, { headers: { 'if-none-match': head.headers.etag! } });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(head.headers.etag);
    expect(again.headers['cache-control']).toMatch(/^private, max-age=\d+, immutable$/);
    const sinceThen = await rawRequest(app.contentUrl, path, { headers: { 'if-modified-since': head.headers['last-modified']! } });
    expect(sinceThen.status).toBe(304);
    const changed = await rawRequest(app.contentUrl, path, { headers: { 'if-none-match': '"something-else"' } });
    expect(changed.status).toBe(200);
    expect(changed.body.equals(video)).toBe(true);
  });

  it('answers 404, saying nothing, for a missing file, a folder, the bare launch and other methods', async () => {
    for (const path of ['missing.html', 'sub/missing.js', 'sub/', 'sub', '']) {
      const res = await fetch(fileUrl(path));
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.headers.get('cache-control')).toBe('no-store');
      const text = await res.text();
      expect(text).not.toContain(courseId);
      expect(text).not.toContain(v1);
    }
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await fetch(fileUrl('index.html'), { method });
      expect({ method, status: res.status }).toEqual({ method, status: 404 });
    }
  });

  it('reserves _lms for the player: 404 behind a valid token, 403 without one', async () => {
    expect((await fetch(fileUrl('_lms/anything'))).status).toBe(404);
    expect((await fetch(fileUrl('_lms/anything', token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')))).status).toBe(403);
  });
});

describe('the two origins stay apart', () => {
  it('the app origin never serves package files', async () => {
    for (const path of [`/c/${token}/index.html`, `/c/${token}/video.mp4`, `/courses/${courseId}/${v1}/index.html`, `/storage/courses/${courseId}/${v1}/index.html`]) {
      const res = await fetch(app.baseUrl + path, { redirect: 'manual' });
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      const text = await res.text();
      expect(text).not.toContain('Course start');
    }
  });

  it('the content origin never serves the app', async () => {
    for (const path of ['/', '/login', '/healthz', '/readyz', '/users', '/static/app.css', '/favicon.ico', '/c']) {
      const res = await fetch(app.contentUrl + path, { redirect: 'manual' });
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      const text = await res.text();
      expect(text).not.toMatch(/<html|Sign in|Partner Academy/i);
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    // Same check with the paths of the app served from under a valid launch.
    for (const path of ['login', 'healthz', 'static/app.css']) expect((await fetch(fileUrl(path))).status).toBe(404);
  });

  it('the content origin is a different origin from the app', () => {
    expect(new URL(app.contentUrl).origin).not.toBe(new URL(app.baseUrl).origin);
    expect(app.contentUrl).toBe(app.deps.config.content.origin);
  });
});

describe('launch tokens', () => {
  const REFUSAL = 'This course link is not valid or has expired. Open the course again from Partner Academy.\n';

  async function expectRefused(url: string, label: string) {
    const res = await fetch(url);
    expect({ label, status: res.status }).toEqual({ label, status: 403 });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toBe(REFUSAL);
  }

  it('refuses a request without a token', async () => {
    await expectRefused(`${app.contentUrl}/c/index.html`, 'token segment is a file name');
    await expectRefused(`${app.contentUrl}/c/x/index.html`, 'a word for a token');
    expect((await fetch(`${app.contentUrl}/index.html`)).status).toBe(404);
    expect((await fetch(`${app.contentUrl}/c//index.html`)).status).toBeGreaterThanOrEqual(403);
  });

  it('refuses a tampered token, whichever character changed', async () => {
    for (const position of [0, 5, 40, 73, 74, 75, 100, token.length - 1]) {
      const chars = [...token];
      if (chars[position] === '.') continue;
      chars[position] = chars[position] === 'A' ? 'B' : 'A';
      await expectRefused(fileUrl('index.html', chars.join('')), `changed at ${position}`);
    }
    // Every one-character change, checked directly (no HTTP): none verifies.
    const now = app.deps.clock();
    for (let i = 0; i < token.length; i++) {
      if (token[i] === '.') continue;
      for (const c of ['A', 'g', '_', '-', '0']) {
        if (c === token[i]) continue;
        expect(verifyLaunchToken(token.slice(0, i) + c + token.slice(i + 1), key, now)).toBeNull();
      }
    }
    await expectRefused(fileUrl('index.html', token + 'A'), 'longer');
    await expectRefused(fileUrl('index.html', token.slice(0, -1)), 'shorter');
    await expectRefused(fileUrl('index.html', token.split('.').reverse().join('.')), 'parts swapped');
  });

  it('refuses a token signed with another key, or with the raw session secret', async () => {
    const claims = { userId: repId, attemptId: repAttempt, versionId: v1 };
    await expectRefused(fileUrl('index.html', mint(claims, HOUR, deriveLaunchTokenKey('another-secret-that-is-long-enough-0123456789'))), 'other key');
    await expectRefused(fileUrl('index.html', mint(claims, HOUR, Buffer.from(app.deps.sessionSecret) as LaunchTokenKey)), 'raw session secret');
    // Proof the refusal is about the key: the same payload re-signed with the derived key works.
    const payload = mint(claims).split('.')[0]!;
    const resigned = `${payload}.${createHmac('sha256', key).update(Buffer.from(payload, 'base64url')).digest('base64url')}`;
    expect((await fetch(fileUrl('index.html', resigned))).status).toBe(200);
  });

  it('refuses an expired token', async () => {
    const shortLived = mint({ userId: repId, attemptId: repAttempt, versionId: v1 }, 60_000);
    expect((await fetch(fileUrl('index.html', shortLived))).status).toBe(200);
    app.advanceClock(59_000);
    expect((await fetch(fileUrl('index.html', shortLived))).status).toBe(200);
    app.advanceClock(1_000);
    await expectRefused(fileUrl('index.html', shortLived), 'expired');
    // The long-lived token is unaffected.
    expect((await fetch(fileUrl('index.html'))).status).toBe(200);
  });

  it("refuses a token for another user's attempt", async () => {
    await expectRefused(fileUrl('index.html', mint({ userId: repId, attemptId: otherAttempt, versionId: v1 })), "rep with globex's attempt");
    await expectRefused(fileUrl('index.html', mint({ userId: otherId, attemptId: repAttempt, versionId: v1 })), "globex with rep's attempt");
    // The other learner's own token works: the refusals above are about the binding, not the user.
    expect((await fetch(fileUrl('index.html', mint({ userId: otherId, attemptId: otherAttempt, versionId: v1 })))).status).toBe(200);
  });

  it('refuses a token for another version than the attempt is on, or for an attempt that does not exist', async () => {
    await expectRefused(fileUrl('index.html', mint({ userId: repId, attemptId: repAttempt, versionId: v2 })), 'attempt on v1, token for v2');
    await expectRefused(fileUrl('index.html', mint({ userId: repId, attemptId: randomUUID(), versionId: v1 })), 'no such attempt');
    // The v2 attempt's token serves v2's files, and only v2's.
    const v2Token = mint({ userId: repId, attemptId: repAttemptV2, versionId: v2 });
    expect(await (await fetch(fileUrl('index.html', v2Token))).text()).toBe('<title>V2 SECRET</title>');
    expect((await fetch(fileUrl('video.mp4', v2Token))).status).toBe(404);
  });

  it('refuses the open launches of a disabled account at once', async () => {
    const db = app.deps.database.db;
    await db.update(users).set({ status: 'disabled' }).where(eq(users.id, repId));
    try {
      await expectRefused(fileUrl('index.html'), 'disabled user');
    } finally {
      await db.update(users).set({ status: 'active' }).where(eq(users.id, repId));
    }
    expect((await fetch(fileUrl('index.html'))).status).toBe(200);
  });

  it('round-trips its claims and stays URL-path safe', () => {
    const now = app.deps.clock();
    const claims = { userId: repId, attemptId: repAttempt, versionId: v1 };
    const t = createLaunchToken(claims, key, 5000, now);
    expect(t).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(encodeURIComponent(t)).toBe(t);
    expect(verifyLaunchToken(t, key, now)).toEqual({ ...claims, expiresAt: new Date(now.getTime() + 5000) });
    expect(verifyLaunchToken(t, key, new Date(now.getTime() + 4999))).not.toBeNull();
    expect(verifyLaunchToken(t, key, new Date(now.getTime() + 5000))).toBeNull();
    expect(() => createLaunchToken({ ...claims, userId: 'not-a-uuid' }, key, 5000, now)).toThrow(/UUID/);
    expect(() => createLaunchToken(claims, key, 0, now)).toThrow(RangeError);
    expect(deriveLaunchTokenKey(app.deps.sessionSecret).equals(Buffer.from(app.deps.sessionSecret))).toBe(false);
  });
});

describe('path traversal', () => {
  const SECRETS = ['V2 SECRET', 'OUTSIDE THE PACKAGE'];

  it('refuses every way of climbing out of the package with 404, never serving what lies outside', async () => {
    const base = `/c/${token}/`;
    const attacks = [
      `../${v2}/index.html`,
      `%2e%2e/${v2}/index.html`,
      `%2E%2E/outside.txt`,
      `.%2e/outside.txt`,
      `..%2f${v2}%2findex.html`,
      `..%2Foutside.txt`,
      `sub/..%2f..%2foutside.txt`,
      `sub/../../outside.txt`,
      `..%5c${v2}%5cindex.html`,
      `sub%5c..%5c..%5coutside.txt`,
      `sub\\..\\..\\outside.txt`,
      `%252e%252e%252f${v2}%252findex.html`,
      `%252e%252e/outside.txt`,
      `..%252foutside.txt`,
      `%2foutside.txt`,
      `%2f%2e%2e%2foutside.txt`,
      `index.html%00.png`,
      `sub/%00`,
      `./index.html`,
      `sub//app.js`,
      `%`,
      `%zz/index.html`,
      `%c0%ae%c0%ae/outside.txt`,
    ];
    for (const attack of attacks) {
      const res = await rawRequest(app.contentUrl, base + attack);
      const body = res.body.toString('latin1');
      expect({ attack, status: res.status }).toEqual({ attack, status: 404 });
      for (const secret of SECRETS) expect(body).not.toContain(secret);
    }
    // A dot-dot that stays inside the package is resolved by the browser before it asks, so it is fine as a link
    // but never reaches the server as "..".
    expect((await fetch(fileUrl('sub/../index.html'))).status).toBe(200);
  });

  it('refuses climbing paths itself, not only through the storage driver\'s own key checks', () => {
    for (const raw of ['/..', '/%2e%2e/x', '/.%2E/x', '/..%2fx', '/a/..%2F..%2Fx', '/a%5c..%5cx', '/a\\b', '/%2fetc', '/a/%00', '/a//b', '/./a', '/', '/%', '/%c0%ae']) {
      expect({ raw, path: packagePath(raw) }).toEqual({ raw, path: null });
    }
    expect(packagePath('/sub/app.js')).toBe('sub/app.js');
    expect(packagePath('/with%20space/%C3%A9.html')).toBe('with space/é.html');
    expect(packagePath('/%252e%252e/x')).toBe('%2e%2e/x');
  });

  it('also refuses the attempts hidden in the token segment', async () => {
    for (const attack of [`/c/${token}%2f..%2f..%2f${v2}/index.html`, `/c/..%2f${token}/index.html`, `/c/%2e%2e/${token}/index.html`]) {
      const res = await rawRequest(app.contentUrl, attack);
      expect([403, 404]).toContain(res.status);
      for (const secret of SECRETS) expect(res.body.toString('latin1')).not.toContain(secret);
    }
  });
});

describe('content responses and cookies', () => {
  it('sets no cookie and ignores the cookies it is sent, even a signed-in session of the app', async () => {
    const client = new TestClient(app.baseUrl);
    await client.signIn('rep@acme.test', DEMO_PASSWORD);
    const session = client.cookie('pa.sid');
    expect(session).toBeDefined();
    const cookie = `pa.sid=${session}; other=1`;

    const withCookie = await fetch(fileUrl('sub/app.js'), { headers: { cookie } });
    const without = await fetch(fileUrl('sub/app.js'));
    expect(withCookie.status).toBe(200);
    expect(await withCookie.text()).toBe(await without.text());
    expect(withCookie.headers.getSetCookie()).toEqual([]);
    expect(without.headers.getSetCookie()).toEqual([]);

    // A session does not stand in for a token.
    const noToken = await fetch(fileUrl('sub/app.js', 'x'), { headers: { cookie } });
    expect(noToken.status).toBe(403);
    expect(noToken.headers.getSetCookie()).toEqual([]);
    const missing = await fetch(fileUrl('missing.js'), { headers: { cookie } });
    expect(missing.status).toBe(404);
    expect(missing.headers.getSetCookie()).toEqual([]);
  });

  it('sends a CSP that lets the package run but only our player frame it, and no-referrer', async () => {
    const appOrigin = new URL(app.deps.config.appUrl).origin;
    for (const url of [fileUrl('index.html'), fileUrl('missing.html'), fileUrl('index.html', 'bad'), `${app.contentUrl}/nothing`]) {
      const res = await fetch(url);
      const csp = res.headers.get('content-security-policy') ?? '';
      const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
      expect(directives.get('frame-ancestors')).toEqual(["'self'", appOrigin]);
      expect(directives.get('script-src')).toEqual(expect.arrayContaining(["'self'", "'unsafe-inline'"]));
      expect(directives.get('frame-src')).toEqual(["'self'"]);
      expect(directives.get('default-src')).toEqual(["'self'"]);
      expect(csp).not.toContain('*');
      expect(res.headers.get('x-frame-options')).toBeNull();
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-powered-by')).toBeNull();
      await res.arrayBuffer();
    }
  });
});
