import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { and, eq } from 'drizzle-orm';
import { linkIn, signedInClients, startTestApp, type TestApp } from '../helpers/test-app.js';
import { TestClient } from '../helpers/http-client.js';
import { importPublishedPackage } from '../helpers/courses.js';
import { textPdf, uploadAsset } from '../helpers/assets.js';
import { packageWithPage } from './search-package.js';
import { commitThroughPlayer } from './certifications-player.js';
import { findUserByEmail } from '../../server/users/users.repository.js';
import { listOrganisations, listTiers } from '../../server/organisations/organisations.repository.js';
import { attempts } from '../../courses/tracking/tracking.table.js';
import { learningPathEnrolments, learningPathRules, learningPathSteps } from '../../courses/paths/paths.table.js';
import { createPathsService, type PathsService } from '../../courses/paths/paths.service.js';
import { createPathReminders } from '../../courses/paths/path-reminders.js';

jest.setTimeout(120_000);

const DAY = 86_400_000;

let app: TestApp;
let paths: PathsService;
let as: (email: string) => Promise<TestClient>;
let courseA: string;
let courseB: string;
let assetId: string;

beforeAll(async () => {
  app = await startTestApp();
  paths = createPathsService(app.deps);
  as = signedInClients(() => app);
  ({ courseId: courseA } = await importPublishedPackage(app, await packageWithPage('<p>Lesson A</p>'), 'Path course A'));
  ({ courseId: courseB } = await importPublishedPackage(app, await packageWithPage('<p>Lesson B</p>'), 'Path course B'));
  assetId = await uploadAsset(await as('enablement@vendor.test'), { filename: 'reading.pdf', bytes: await textPdf(['Required reading']), fields: { title: 'Path reading' } });
});
afterAll(async () => app?.stop());

const db = () => app.deps.database.db;
const userId = async (email: string) => (await findUserByEmail(db(), email))!.id;

/** Creates a path through the editor's routes: details, steps (in order), then published. */
async function createPath(title: string, steps: { target: string; requiresPrevious?: boolean }[], dueDays = ''): Promise<string> {
  const manager = await as('enablement@vendor.test');
  await manager.get('/paths/new');
  const created = await manager.post('/paths', { title, description: `About ${title}`, status: 'draft', dueDays });
  expect(created.status).toBe(303);
  const id = /^\/paths\/([0-9a-f-]{36})\/edit$/.exec(created.location!)![1]!;
  for (const step of steps) {
    const added = await manager.post(`/paths/${id}/steps`, { target: step.target, ...(step.requiresPrevious ? { requiresPrevious: 'yes' } : {}) });
    expect(added.status).toBe(303);
  }
  const published = await manager.post(`/paths/${id}`, { title, status: 'published', dueDays });
  expect(published.status).toBe(303);
  return id;
}

async function addRule(pathId: string, rule: Record<string, string>) {
  const res = await (await as('enablement@vendor.test')).post(`/paths/${pathId}/rules`, rule);
  expect(res.status).toBe(303);
  const rows = await db().select().from(learningPathRules).where(eq(learningPathRules.pathId, pathId));
  return rows[rows.length - 1]!.id;
}

async function enrolmentOf(pathId: string, email: string) {
  const rows = await db()
    .select()
    .from(learningPathEnrolments)
    .where(and(eq(learningPathEnrolments.pathId, pathId), eq(learningPathEnrolments.userId, await userId(email))));
  return rows[0] ?? null;
}

/** Passes a course as `email` through the real player and LMS commit endpoint (the path a browser's SCORM API takes). */
const passCourse = async (email: string, courseId: string) => commitThroughPlayer(await as(email), courseId, { lesson_status: 'passed' });

describe('assignment rules', () => {
  let resellerPath: string;

  it('a rule by partner type and role assigns Acme reseller reps, not Globex (a distributor) nor other Acme roles', async () => {
    resellerPath = await createPath('Reseller onboarding', [{ target: `course:${courseA}` }], '30');
    await addRule(resellerPath, { partnerTypes: 'reseller', roles: 'partner_rep' });

    // Written when the rule was saved, with the due date fixed from then.
    const enrolment = await enrolmentOf(resellerPath, 'rep@acme.test');
    expect(enrolment?.status).toBe('assigned');
    expect(enrolment!.dueAt!.getTime() - enrolment!.assignedAt.getTime()).toBe(30 * DAY);
    expect(await enrolmentOf(resellerPath, 'rep@globex.test')).toBeNull();

    const acmeRep = await (await as('rep@acme.test')).get('/paths');
    expect(acmeRep.status).toBe(200);
    expect(acmeRep.text).toContain('Reseller onboarding');
    expect(acmeRep.text).toContain('0 of 1 step complete');
    expect((await (await as('rep@globex.test')).get('/paths')).text).not.toContain('Reseller onboarding');
    expect((await (await as('admin@acme.test')).get('/paths')).text).not.toContain(`href="/paths/${resellerPath}"`);
    // Someone the path is not assigned to cannot open it: 404 like a missing one.
    expect((await (await as('rep@globex.test')).get(`/paths/${resellerPath}`)).status).toBe(404);
    // My learning lists it too.
    expect((await (await as('rep@acme.test')).get('/my/courses')).text).toContain('Reseller onboarding');
  });

  it('the report shows per learner progress; a partner admin sees their own organisation only, and another partner gets 404', async () => {
    const vendor = await (await as('enablement@vendor.test')).get(`/paths/${resellerPath}/report`);
    expect(vendor.status).toBe(200);
    expect(vendor.text).toContain('Riley Nguyen');
    const csv = await (await as('enablement@vendor.test')).get(`/paths/${resellerPath}/report.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text).toContain('Learner,Email,Organisation,Assignment,Status,Steps completed,Steps,Assigned (UTC),Due (UTC),Overdue,Completed (UTC)');
    expect(csv.text).toMatch(/Riley Nguyen,rep@acme\.test,Acme Systems,Assigned,Not started,0,1,/);

    const acmeAdmin = await (await as('admin@acme.test')).get(`/paths/${resellerPath}/report`);
    expect(acmeAdmin.status).toBe(200);
    expect(acmeAdmin.text).toContain('Riley Nguyen');
    expect((await (await as('admin@acme.test')).get('/paths')).text).toContain(`/paths/${resellerPath}/report`);
    expect((await (await as('admin@globex.test')).get(`/paths/${resellerPath}/report`)).status).toBe(404);
    expect((await (await as('rep@acme.test')).get(`/paths/${resellerPath}/report`)).status).toBe(403);

    // A path of every partner's reps: each partner admin sees only their own people, the vendor side everyone.
    const everyRep = await createPath('Every rep', [{ target: `course:${courseB}` }]);
    await addRule(everyRep, { roles: 'partner_rep' });
    const own = await (await as('admin@acme.test')).get(`/paths/${everyRep}/report.csv`);
    expect(own.text).toContain('rep@acme.test');
    expect(own.text).not.toContain('rep@globex.test');
    const all = await (await as('admin@vendor.test')).get(`/paths/${everyRep}/report.csv`);
    expect(all.text).toContain('rep@acme.test');
    expect(all.text).toContain('rep@globex.test');
  });

  it('a user invited later into a matching organisation has the path', async () => {
    const admin = await as('admin@vendor.test');
    const acmeId = (await listOrganisations(db(), { kind: 'all' }, { limit: 10, offset: 0 })).rows.find((o) => o.slug === 'acme')!.id;
    await admin.get('/users/invite');
    expect((await admin.post('/users/invite', { organisationId: acmeId, email: 'later.rep@acme.test', name: 'Later Rep', role: 'partner_rep' })).status).toBe(303);
    const link = linkIn((await app.mailTo('later.rep@acme.test'))[0]!.text, '/invitations/');
    const invitee = new TestClient(app.baseUrl);
    await invitee.get(link);
    expect((await invitee.post(link, { name: 'Later Rep', password: 'a-good-password-1', confirmPassword: 'a-good-password-1' })).status).toBe(303);
    expect(await enrolmentOf(resellerPath, 'later.rep@acme.test')).toBeNull();

    const page = await invitee.get('/paths');
    expect(page.text).toContain('Reseller onboarding');
    expect((await enrolmentOf(resellerPath, 'later.rep@acme.test'))?.status).toBe('assigned');
  });

  it("an organisation changing to a matching tier gets the path", async () => {
    const tiers = await listTiers(db());
    const registered = tiers.find((t) => t.key === 'registered')!;
    const gold = tiers.find((t) => t.key === 'gold')!;
    const tierPath = await createPath('Registered partner basics', [{ target: `course:${courseB}` }]);
    await addRule(tierPath, { tierIds: registered.id });
    expect((await (await as('marketer@acme.test')).get('/paths')).text).not.toContain('Registered partner basics');

    const admin = await as('admin@vendor.test');
    const acmeId = (await listOrganisations(db(), { kind: 'all' }, { limit: 10, offset: 0 })).rows.find((o) => o.slug === 'acme')!.id;
    const acmeForm = (tierId: string) => ({ name: 'Acme Systems', slug: 'acme', partnerType: 'reseller', tierId, region: 'North America', country: 'US', website: 'https://acme.example' });
    await admin.get(`/organisations/${acmeId}/edit`);
    expect((await admin.post(`/organisations/${acmeId}`, acmeForm(registered.id))).status).toBe(303);
    try {
      const page = await (await as('marketer@acme.test')).get('/paths');
      expect(page.text).toContain('Registered partner basics');
      expect(page.text).toContain('No due date');
    } finally {
      expect((await admin.post(`/organisations/${acmeId}`, acmeForm(gold.id))).status).toBe(303);
    }
    // Back at gold, the rule no longer reaches Acme: the next look turns the assignment 'unassigned', and keeps it.
    expect((await (await as('marketer@acme.test')).get('/paths')).text).not.toContain('Registered partner basics');
    expect((await enrolmentOf(tierPath, 'marketer@acme.test'))?.status).toBe('unassigned');
  });

  it('removing a rule keeps the assignment row and the course progress; re-adding restores the path with its progress', async () => {
    const path = await createPath('Globex essentials', [{ target: `course:${courseA}` }], '14');
    const globexId = (await listOrganisations(db(), { kind: 'all' }, { limit: 10, offset: 0 })).rows.find((o) => o.slug === 'globex')!.id;
    const ruleId = await addRule(path, { organisationIds: globexId, roles: 'partner_rep' });
    await passCourse('rep@globex.test', courseA);
    const learner = await as('rep@globex.test');
    const before = await learner.get(`/paths/${path}`);
    expect(before.status).toBe(200);
    expect(before.text).toContain('1 / 1');
    const globexRep = await userId('rep@globex.test');
    expect(await paths.isPathComplete(globexRep, path)).toBe(true);
    const original = (await enrolmentOf(path, 'rep@globex.test'))!;
    expect(original.completedAt).not.toBeNull();

    expect((await (await as('enablement@vendor.test')).post(`/paths/${path}/rules/${ruleId}/delete`)).status).toBe(303);
    const removed = (await enrolmentOf(path, 'rep@globex.test'))!;
    expect(removed.id).toBe(original.id);
    expect(removed.status).toBe('unassigned');
    expect(await db().select().from(attempts).where(and(eq(attempts.userId, globexRep), eq(attempts.courseId, courseA)))).toHaveLength(1);
    expect((await learner.get('/paths')).text).not.toContain('Globex essentials');
    expect((await learner.get(`/paths/${path}`)).status).toBe(404);
    expect((await paths.pathProgressFor(globexRep)).map((p) => p.path.id)).not.toContain(path);

    await addRule(path, { organisationIds: globexId });
    const restored = (await enrolmentOf(path, 'rep@globex.test'))!;
    expect(restored).toMatchObject({ id: original.id, status: 'assigned', assignedAt: original.assignedAt, dueAt: original.dueAt });
    const again = await learner.get('/paths');
    expect(again.text).toContain('Globex essentials');
    expect(again.text).toContain('1 of 1 step complete');
    const progress = (await paths.pathProgressFor(globexRep)).find((p) => p.path.id === path)!;
    expect(progress).toMatchObject({ complete: true, completedSteps: 1, totalSteps: 1, state: 'completed' });
  });
});

describe('steps', () => {
  it('a step with a prerequisite stays locked (no link) until the earlier steps are done; reading an asset completes its step', async () => {
    const path = await createPath('Read, then learn', [{ target: `asset:${assetId}` }, { target: `course:${courseB}`, requiresPrevious: true }]);
    await addRule(path, { partnerTypes: 'consultant', roles: 'partner_admin' });
    const learner = await as('admin@initech.test');
    const locked = await learner.get(`/paths/${path}`);
    expect(locked.status).toBe(200);
    expect(locked.text).toContain('Locked');
    expect(locked.text).toContain('opens when the earlier steps are complete');
    expect(locked.text).not.toContain(`href="/courses/${courseB}"`);
    expect(locked.text).toContain(`href="/library/assets/${assetId}"`);

    expect((await learner.get(`/library/assets/${assetId}`)).status).toBe(200);
    const open = await learner.get(`/paths/${path}`);
    expect(open.text).not.toContain('Locked');
    expect(open.text).toContain(`href="/courses/${courseB}"`);
    expect(open.text).toContain('1 / 2');
  });

  it('the editor reorders and removes steps, and refuses a step that is already there', async () => {
    const manager = await as('enablement@vendor.test');
    const path = await createPath('Reorder me', [{ target: `course:${courseA}` }, { target: `course:${courseB}` }]);
    const titlesInOrder = async () => [...(await manager.get(`/paths/${path}/edit`)).text.matchAll(/<th scope="row">(Path course [AB])<\/th>/g)].map((m) => m[1]);
    expect(await titlesInOrder()).toEqual(['Path course A', 'Path course B']);
    const steps = await db().select().from(learningPathSteps).where(eq(learningPathSteps.pathId, path)).orderBy(learningPathSteps.position);
    expect((await manager.post(`/paths/${path}/steps/${steps[1]!.id}/move`, { direction: 'up' })).status).toBe(303);
    expect(await titlesInOrder()).toEqual(['Path course B', 'Path course A']);
    const duplicate = await manager.post(`/paths/${path}/steps`, { target: `course:${courseA}` });
    expect(duplicate.status).toBe(409);
    expect(duplicate.text).toContain('already a step of this path');
    expect((await manager.post(`/paths/${path}/steps/${steps[0]!.id}/delete`)).status).toBe(303);
    expect(await titlesInOrder()).toEqual(['Path course B']);
    const unpublishable = await manager.post('/paths', { title: 'Empty', status: 'published' });
    expect(unpublishable.status).toBe(409);
  });
});

describe('reminders', () => {
  it('mails once when a path comes within the reminder window, not again inside the interval, again after it, never for a completed path', async () => {
    const title = 'Consultant certification prep';
    const path = await createPath(title, [{ target: `asset:${assetId}` }], '30');
    await addRule(path, { partnerTypes: 'consultant' });
    // The marketer has read the only step: the path is complete for them.
    expect((await (await as('marketer@initech.test')).get(`/library/assets/${assetId}`)).status).toBe(200);
    const reminders = createPathReminders(paths, app.deps.logger);
    const remindersTo = async (email: string) => (await app.mailTo(email)).filter((m) => m.subject.includes(title));

    await reminders.runOnce();
    expect(await remindersTo('rep@initech.test')).toHaveLength(0);

    app.advanceClock(24 * DAY);
    await reminders.runOnce();
    const first = await remindersTo('rep@initech.test');
    expect(first).toHaveLength(1);
    expect(first[0]!.subject).toContain('Reminder');
    expect(first[0]!.text).toContain(`/paths/${path}`);
    expect(first[0]!.text).toContain('0 of 1 steps');
    expect(await remindersTo('marketer@initech.test')).toHaveLength(0);

    app.advanceClock(24 * 3600_000);
    await reminders.runOnce();
    expect(await remindersTo('rep@initech.test')).toHaveLength(1);

    app.advanceClock(49 * 3600_000);
    await reminders.runOnce();
    expect(await remindersTo('rep@initech.test')).toHaveLength(2);
    expect(await remindersTo('marketer@initech.test')).toHaveLength(0);

    // Past the due date: flagged overdue for the learner, no more "before the due date" reminders.
    app.advanceClock(4 * DAY);
    await reminders.runOnce();
    expect(await remindersTo('rep@initech.test')).toHaveLength(2);
    const progress = (await paths.pathProgressFor(await userId('rep@initech.test'))).find((p) => p.path.id === path);
    expect(progress).toMatchObject({ overdue: true, complete: false });
    await reminders.stop();
  });
});
