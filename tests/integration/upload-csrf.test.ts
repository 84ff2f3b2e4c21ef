import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';
import { TestClient } from '../helpers/http-client.js';
import { scormFixture } from '../helpers/scorm-fixtures.js';
import { eq } from 'drizzle-orm';
import { courses } from '../../courses/catalogue/courses.table.js';

// A plain HTML form (no JavaScript) sends its CSRF token as a multipart field, which only the upload route's
// multer middleware can read: the app defers the check to the route for such requests.
let app: TestApp;
let manager: TestClient;

beforeAll(async () => {
  app = await startTestApp();
  manager = new TestClient(app.baseUrl);
  await manager.signIn('enablement@vendor.test', DEMO_PASSWORD);
});
afterAll(async () => app?.stop());

const uploadTemp = () => readdir(path.join(app.dataDir, 'tmp', 'uploads')).catch(() => [] as string[]);

async function postPackageForm(csrfField: string | null): Promise<Response> {
  const form = new FormData();
  if (csrfField !== null) form.set('_csrf', csrfField);
  form.set('title', 'Uploaded without JavaScript');
  form.set('package', new Blob([new Uint8Array(await readFile(scormFixture('singlesco_scorm12.zip')))], { type: 'application/zip' }), 'singlesco_scorm12.zip');
  return fetch(`${app.baseUrl}/courses`, { method: 'POST', body: form, redirect: 'manual', headers: { accept: 'text/html', cookie: `pa.sid=${manager.cookie('pa.sid')}` } });
}

describe('uploads from a plain HTML form', () => {
  it('the token in the multipart body is checked after parsing: right token → the course is created', async () => {
    const token = /name="_csrf" value="([^"]+)"/.exec((await manager.get('/courses/new')).text)![1]!;
    const res = await postPackageForm(token);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/courses\/[0-9a-f-]{36}\/manage/);
    expect(await uploadTemp()).toEqual([]);
  });

  it('a wrong or missing token → 403, and the uploaded file is not left behind', async () => {
    const countCourses = async () => (await app.deps.database.db.select().from(courses).where(eq(courses.title, 'Uploaded without JavaScript'))).length;
    const before = await countCourses();
    for (const field of ['not-the-token', null]) {
      const res = await postPackageForm(field);
      expect(res.status).toBe(403);
      expect(await uploadTemp()).toEqual([]);
    }
    expect(await countCourses()).toBe(before);
  });

  it('a signed-out cross-site post never reaches the upload', async () => {
    const form = new FormData();
    form.set('package', new Blob([new Uint8Array(8)]), 'x.zip');
    const res = await fetch(`${app.baseUrl}/courses`, { method: 'POST', body: form, redirect: 'manual' });
    expect([302, 303, 401]).toContain(res.status);
    expect(await uploadTemp()).toEqual([]);
  });
});
