import { readFile } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import type { TestApp } from './test-app.js';
import { DEMO_PASSWORD } from './test-app.js';
import { TestClient } from './http-client.js';
import { scormFixture } from './scorm-fixtures.js';
import { courses } from '../../courses/catalogue/courses.table.js';

/** Imports a shared SCORM fixture through the real upload route as the enablement manager, and publishes it. */
export async function importPublishedCourse(app: TestApp, fixtureName: string, title: string): Promise<{ courseId: string }> {
  const manager = new TestClient(app.baseUrl);
  await manager.signIn('enablement@vendor.test', DEMO_PASSWORD);
  const { courseId } = await uploadCourse(app.baseUrl, manager, fixtureName, title);
  await app.deps.database.db.update(courses).set({ status: 'published' }).where(eq(courses.id, courseId));
  return { courseId };
}

/** Imports a package built in test code (zip bytes) and publishes it, like importPublishedCourse. */
export async function importPublishedPackage(app: TestApp, zip: Buffer, title: string): Promise<{ courseId: string }> {
  const manager = new TestClient(app.baseUrl);
  await manager.signIn('enablement@vendor.test', DEMO_PASSWORD);
  const { courseId } = await uploadPackage(app.baseUrl, manager, zip, 'package.zip', title);
  await app.deps.database.db.update(courses).set({ status: 'published' }).where(eq(courses.id, courseId));
  return { courseId };
}

/** Uploads a shared SCORM fixture as a new course through POST /courses, as the upload page does; `manager` is signed in. */
export async function uploadCourse(baseUrl: string, manager: TestClient, fixtureName: string, title: string): Promise<{ courseId: string }> {
  return uploadPackage(baseUrl, manager, await readFile(scormFixture(fixtureName)), fixtureName, title);
}

async function uploadPackage(baseUrl: string, manager: TestClient, zip: Buffer, fileName: string, title: string): Promise<{ courseId: string }> {
  const token = /name="_csrf" value="([^"]+)"/.exec((await manager.get('/courses/new')).text)![1]!;
  const form = new FormData();
  form.set('title', title);
  form.set('package', new Blob([new Uint8Array(zip)], { type: 'application/zip' }), fileName);
  const res = await fetch(`${baseUrl}/courses`, { method: 'POST', body: form, headers: { accept: 'application/json', 'x-csrf-token': token, cookie: `pa.sid=${manager.cookie('pa.sid')}` } });
  const body = (await res.json()) as { location?: string; error?: { message: string } };
  if (res.status !== 201) throw new Error(`import of ${fileName} failed: ${res.status} ${body.error?.message}`);
  return { courseId: /\/courses\/([0-9a-f-]{36})\/manage/.exec(body.location!)![1]! };
}
