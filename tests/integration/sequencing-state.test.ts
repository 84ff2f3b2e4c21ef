import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eq } from 'drizzle-orm';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';
import { TestClient } from '../helpers/http-client.js';
import { importPublishedCourse, importPublishedPackage } from '../helpers/courses.js';
import { sequencedPackage } from '../helpers/sequenced-package.js';
import { attempts } from '../../courses/tracking/tracking.table.js';
import { attemptSequencingStates } from '../../courses/player/sequencing.table.js';

let app: TestApp;
let sequencedCourseId: string;

beforeAll(async () => {
  app = await startTestApp();
  ({ courseId: sequencedCourseId } = await importPublishedPackage(app, await sequencedPackage({ choice: false, flow: true, gateThird: true }), 'Sequenced'));
});
afterAll(async () => app?.stop());

/** Opens the player as `email` and returns the LMS base URL of its launch (content origin) and the lesson asked for. */
async function openPlayer(email: string, courseId: string): Promise<{ lms: string; itemId: string }> {
  const learner = new TestClient(app.baseUrl);
  await learner.signIn(email, DEMO_PASSWORD);
  const player = await learner.get(`/courses/${courseId}/play`);
  expect(player.status).toBe(200);
  const hostUrl = new URL(/<iframe[^>]+src="([^"]+)"/.exec(player.text)![1]!.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&'));
  return { lms: hostUrl.href.replace(/host\.html.*$/, ''), itemId: hostUrl.searchParams.get('item')! };
}

const postState = (lms: string, body: string, contentType = 'application/json') => fetch(`${lms}sequencing`, { method: 'POST', headers: { 'content-type': contentType }, body });

describe('SCORM 2004 sequencing data for the player', () => {
  it('a SCORM 2004 launch carries the activity tree built from the manifest, the item ids, and no state before the first save', async () => {
    const { lms, itemId } = await openPlayer('rep@acme.test', sequencedCourseId);
    const launch = (await (await fetch(`${lms}launch?item=${itemId}`)).json()) as {
      sequencing: { activityTree: { id: string; sequencingControls: unknown; children: Array<{ id: string }> }; itemIds: Record<string, string>; state: string | null };
    };
    expect(launch.sequencing.activityTree.id).toBe('org');
    expect(launch.sequencing.activityTree.sequencingControls).toEqual({ choice: false, flow: true, forwardOnly: false });
    expect(launch.sequencing.activityTree.children.map((c) => c.id)).toEqual(['item_1', 'item_2', 'item_3']);
    expect(launch.sequencing.itemIds['item_1']).toBe(itemId);
    expect(launch.sequencing.state).toBeNull();
  });

  it('SCORM 1.2 launches carry no sequencing', async () => {
    const { courseId } = await importPublishedCourse(app, 'singlescobasic.zip', 'Golf 1.2');
    const { lms, itemId } = await openPlayer('rep@acme.test', courseId);
    const launch = (await (await fetch(`${lms}launch?item=${itemId}`)).json()) as { sequencing: unknown };
    expect(launch.sequencing).toBeNull();
  });

  it('stores the state per attempt (JSON, or text/plain from a beacon), gives it back on the next launch, and refuses what is not a state', async () => {
    const { lms, itemId } = await openPlayer('rep@globex.test', sequencedCourseId);
    const first = await postState(lms, JSON.stringify({ state: '{"currentActivityId":"item_1"}' }));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ result: true, stored: true });
    const beacon = await postState(lms, JSON.stringify({ state: '{"currentActivityId":"item_2"}' }), 'text/plain;charset=UTF-8');
    expect((await beacon.json()) as unknown).toEqual({ result: true, stored: true });
    const launch = (await (await fetch(`${lms}launch?item=${itemId}`)).json()) as { sequencing: { state: string } };
    expect(launch.sequencing.state).toBe('{"currentActivityId":"item_2"}');

    for (const body of ['not json', JSON.stringify({}), JSON.stringify({ state: 42 }), JSON.stringify({ state: 'x'.repeat(600 * 1024) })]) {
      const res = await postState(lms, body);
      expect([400, 413]).toContain(res.status);
    }
    const [row] = await app.deps.database.db.select().from(attemptSequencingStates).innerJoin(attempts, eq(attempts.id, attemptSequencingStates.attemptId)).where(eq(attempts.courseId, sequencedCourseId));
    expect(row!.attempt_sequencing_states.state).toBe('{"currentActivityId":"item_2"}');
  });

  it('a completed attempt (opened for review) keeps the state it had', async () => {
    const { lms } = await openPlayer('rep@initech.test', sequencedCourseId);
    expect(await (await postState(lms, JSON.stringify({ state: '{"v":1}' }))).json()).toEqual({ result: true, stored: true });
    await app.deps.database.db.update(attempts).set({ completedAt: new Date() }).where(eq(attempts.courseId, sequencedCourseId));
    expect(await (await postState(lms, JSON.stringify({ state: '{"v":2}' }))).json()).toEqual({ result: true, stored: false });
  });

  it('without a valid launch token nothing is stored, and the app origin has no such endpoint', async () => {
    const { lms } = await openPlayer('admin@acme.test', sequencedCourseId);
    const forged = lms.replace(/\/c\/([^/]+)\//, (_m, token: string) => `/c/${token.slice(0, -2)}xx/`);
    expect((await postState(forged, JSON.stringify({ state: '{}' }))).status).toBe(403);
    const path = new URL(lms).pathname;
    expect((await fetch(`${app.baseUrl}${path}launch`)).status).toBe(404);
    expect((await fetch(`${app.baseUrl}${path}sequencing`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"state":"{}"}' })).status).toBeGreaterThanOrEqual(400);
  });
});
