import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { and, asc, eq } from 'drizzle-orm';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';
import { TestClient } from '../helpers/http-client.js';
import { scormFixture } from '../helpers/scorm-fixtures.js';
import { courses, enrolments, courseAssignments } from '../../courses/catalogue/courses.table.js';
import { courseItems } from '../../courses/scorm/scorm.table.js';
import { attempts, scoStates } from '../../courses/tracking/tracking.table.js';
import { users } from '../../server/users/users.table.js';
import { findUserByEmail } from '../../server/users/users.repository.js';
import { listOrganisations, listTiers } from '../../server/organisations/organisations.repository.js';
import { insertCourse } from '../../courses/catalogue/courses.repository.js';

/**
 * The learner catalogue, course settings, assignments and the course report over real HTTP on a real database.
 * Courses are created the way enablement does it: a real SCORM package uploaded through POST /courses, then
 * POST /courses/:id/settings.
 */

let app: TestApp;
let manager: TestClient;
const clients = new Map<string, TestClient>();
const orgIds: Record<string, string> = {};
const tierIds: Record<string, string> = {};

const db = () => app.deps.database.db;

async function as(email: string): Promise<TestClient> {
  let client = clients.get(email);
  if (!client) {
    client = new TestClient(app.baseUrl);
    await client.signIn(email, DEMO_PASSWORD);
    clients.set(email, client);
  }
  return client;
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** A form post with repeated fields (checkbox groups), as a browser sends it. */
async function postForm(client: TestClient, path: string, entries: [string, string][], tokenFrom = '/courses') {
  const token = csrfOf((await client.get(tokenFrom)).text);
  const body = new URLSearchParams([...entries, ['_csrf', token]]).toString();
  return client.request('POST', path, { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

/** Uploads a real fixture through the enablement upload form's endpoint; returns the new course's id. */
async function uploadCourse(title: string, fixture = 'singlescobasic.zip'): Promise<string> {
  const token = csrfOf((await manager.get('/courses/new')).text);
  const form = new FormData();
  form.set('title', title);
  form.set('package', new Blob([new Uint8Array(await readFile(scormFixture(fixture)))], { type: 'application/zip' }), fixture);
  const res = await fetch(`${app.baseUrl}/courses`, { method: 'POST', body: form, headers: { accept: 'application/json', 'x-csrf-token': token, cookie: `pa.sid=${manager.cookie('pa.sid')}` } });
  expect(res.status).toBe(201);
  const { location } = (await res.json()) as { location: string };
  return /\/courses\/([0-9a-f-]{36})\/manage/.exec(location)![1]!;
}

interface Settings {
  title: string;
  description?: string;
  durationMinutes?: string;
  tags?: string;
  language?: string;
  status?: string;
  allowNewAttemptAfterCompletion?: boolean;
  visiblePartnerTypes?: string[];
  visibleTierIds?: string[];
  visibleRegions?: string[];
}

function settingsEntries(s: Settings): [string, string][] {
  const entries: [string, string][] = [
    ['title', s.title],
    ['description', s.description ?? ''],
    ['durationMinutes', s.durationMinutes ?? ''],
    ['tags', s.tags ?? ''],
    ['language', s.language ?? 'en'],
    ['status', s.status ?? 'published'],
  ];
  if (s.allowNewAttemptAfterCompletion ?? true) entries.push(['allowNewAttemptAfterCompletion', 'yes']);
  for (const v of s.visiblePartnerTypes ?? []) entries.push(['visiblePartnerTypes', v]);
  for (const v of s.visibleTierIds ?? []) entries.push(['visibleTierIds', v]);
  for (const v of s.visibleRegions ?? []) entries.push(['visibleRegions', v]);
  return entries;
}

async function saveSettings(id: string, s: Settings) {
  const res = await postForm(manager, `/courses/${id}/settings`, settingsEntries(s), `/courses/${id}/settings`);
  return res;
}

async function createCourse(s: Settings, fixture?: string): Promise<string> {
  const id = await uploadCourse(s.title, fixture);
  const res = await saveSettings(id, s);
  expect(res.status).toBe(303);
  return id;
}

const decode = (s: string) => s.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

/** Titles of the course links (/courses/<id>, nothing after) on a page: the catalogue's cards or My learning's rows. */
function courseTitles(html: string): string[] {
  return [...html.matchAll(/<a (?:class="[^"]*" )?href="\/courses\/[0-9a-f-]{36}"[^>]*>([^<]+)<\/a>/g)].map((m) => decode(m[1]!)).sort();
}

async function catalogueOf(email: string, query = ''): Promise<string[]> {
  const res = await (await as(email)).get(`/courses${query}`);
  expect(res.status).toBe(200);
  return courseTitles(res.text);
}

async function myLearningOf(email: string): Promise<string[]> {
  const res = await (await as(email)).get('/my/courses');
  expect(res.status).toBe(200);
  return courseTitles(res.text);
}

const ids: Record<string, string> = {};

beforeAll(async () => {
  app = await startTestApp();
  manager = await as('enablement@vendor.test');
  const { rows } = await listOrganisations(db(), { kind: 'all' }, { limit: 10, offset: 0 });
  for (const o of rows) orgIds[o.slug] = o.id;
  for (const t of await listTiers(db())) tierIds[t.key] = t.id;

  ids.resellers = await createCourse({ title: 'Reseller Essentials', description: 'Pricing and deal registration for resellers.', tags: 'sales, pricing', durationMinutes: '45', visiblePartnerTypes: ['reseller'] });
  ids.platinum = await createCourse({ title: 'Platinum Insider', visibleTierIds: [tierIds.platinum!] });
  ids.apac = await createCourse({ title: 'APAC Consulting Playbook', visibleRegions: ['APAC'] });
  ids.everyone = await createCourse({ title: 'Everyone Welcome', description: 'The partner programme in 20 minutes.', tags: 'onboarding', durationMinutes: '80' });
  ids.goldResellersNa = await createCourse({ title: 'Gold Resellers North America', visiblePartnerTypes: ['reseller', 'isv'], visibleTierIds: [tierIds.gold!], visibleRegions: ['North America'] });
  ids.resellersEmea = await createCourse({ title: 'Resellers in EMEA', visiblePartnerTypes: ['reseller'], visibleRegions: ['EMEA'] });
  ids.draft = await createCourse({ title: 'Secret Draft', status: 'draft' });
  ids.archived = await createCourse({ title: 'Old Archived Course', status: 'archived' });
  ids.nested = await createCourse({ title: 'Golf Nested Outline', description: 'Chapters and lessons.' }, 'RuntimeMinimumCalls_SCORM12-mini.zip');
}, 60_000);
afterAll(async () => app?.stop());

const PUBLISHED_FOR_ALL = ['Everyone Welcome', 'Golf Nested Outline'];

describe('catalogue visibility', () => {
  it('shows a partner only the published courses whose every non-empty visibility list matches its organisation', async () => {
    // Acme: reseller, Gold, North America.
    expect(await catalogueOf('rep@acme.test')).toEqual([...PUBLISHED_FOR_ALL, 'Gold Resellers North America', 'Reseller Essentials'].sort());
    // Globex: distributor, Platinum, EMEA. "Resellers in EMEA" needs both: region matches, type does not.
    expect(await catalogueOf('rep@globex.test')).toEqual([...PUBLISHED_FOR_ALL, 'Platinum Insider'].sort());
    // Initech: consultant, Silver, APAC.
    expect(await catalogueOf('admin@initech.test')).toEqual([...PUBLISHED_FOR_ALL, 'APAC Consulting Playbook'].sort());
  });

  it('shows the vendor staff every published course, and nobody drafts or archived courses', async () => {
    const all = ['APAC Consulting Playbook', 'Everyone Welcome', 'Gold Resellers North America', 'Golf Nested Outline', 'Platinum Insider', 'Reseller Essentials', 'Resellers in EMEA'];
    expect(await catalogueOf('admin@vendor.test')).toEqual(all);
    expect(await catalogueOf('enablement@vendor.test')).toEqual(all);
    for (const email of ['admin@vendor.test', 'rep@acme.test', 'rep@globex.test']) {
      const titles = await catalogueOf(email);
      expect(titles).not.toContain('Secret Draft');
      expect(titles).not.toContain('Old Archived Course');
    }
  });

  it('answers 404 for a course outside the caller’s visibility exactly like a missing one, and refuses to enrol in it', async () => {
    const globex = await as('rep@globex.test');
    const hidden = await globex.get(`/courses/${ids.resellers}`);
    const missing = await globex.get('/courses/00000000-0000-4000-8000-000000000000');
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    const strip = (html: string) => html.replace(/value="[^"]*"/g, '');
    expect(strip(hidden.text)).toBe(strip(missing.text));
    expect(hidden.text).not.toContain('Reseller Essentials');
    const enrol = await globex.post(`/courses/${ids.resellers}/enrol`);
    expect(enrol.status).toBe(404);
    const globexRep = await findUserByEmail(db(), 'rep@globex.test');
    expect(await db().select().from(enrolments).where(eq(enrolments.userId, globexRep!.id))).toEqual([]);
  });

  it('hides drafts from learners (404) but lets the enablement team preview them', async () => {
    expect((await (await as('rep@acme.test')).get(`/courses/${ids.draft}`)).status).toBe(404);
    expect((await (await as('admin@acme.test')).post(`/courses/${ids.draft}/enrol`)).status).toBe(404);
    const preview = await manager.get(`/courses/${ids.draft}`);
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Draft: only the enablement team can open this page');
    expect(preview.text).not.toContain(`action="/courses/${ids.draft}/enrol"`);
  });

  it('searches title, description and tags, with % and _ taken literally', async () => {
    expect(await catalogueOf('rep@acme.test', '?q=PRICING')).toEqual(['Reseller Essentials']);
    expect(await catalogueOf('rep@acme.test', '?q=programme')).toEqual(['Everyone Welcome']);
    expect(await catalogueOf('rep@acme.test', '?q=onboard')).toEqual(['Everyone Welcome']);
    expect(await catalogueOf('rep@acme.test', '?q=%25')).toEqual([]);
    // Search never widens visibility.
    expect(await catalogueOf('rep@globex.test', '?q=pricing')).toEqual([]);
    const empty = await (await as('rep@acme.test')).get('/courses?q=nothing-like-this');
    expect(empty.text).toContain('No courses match');
  });

  it('shows each card with its description, duration, tags, language and the caller’s state', async () => {
    const page = await (await as('marketer@acme.test')).get('/courses');
    const card = page.text.slice(page.text.indexOf(`href="/courses/${ids.resellers}"`));
    const cardHtml = card.slice(0, card.indexOf('<li class="course-card">'));
    expect(cardHtml).toContain('Pricing and deal registration for resellers.');
    expect(cardHtml).toContain('45 min');
    expect(cardHtml).toMatch(/<li class="tag">sales<\/li><li class="tag">pricing<\/li>/);
    expect(cardHtml).toContain('English');
    expect(cardHtml).toContain('Not enrolled');
    expect(page.text).toContain('1 h 20 min');
  });
});

describe('enrolment and My learning', () => {
  it('enrols a partner rep once, shows the Start button, and lists the course in My learning', async () => {
    const rep = await as('rep@acme.test');
    expect(await myLearningOf('rep@acme.test')).toEqual([]);
    const first = await rep.post(`/courses/${ids.resellers}/enrol`);
    expect(first.status).toBe(303);
    expect(first.location).toBe(`/courses/${ids.resellers}`);
    const again = await rep.post(`/courses/${ids.resellers}/enrol`);
    expect(again.status).toBe(303);
    const repUser = await findUserByEmail(db(), 'rep@acme.test');
    const rows = await db().select().from(enrolments).where(and(eq(enrolments.userId, repUser!.id), eq(enrolments.courseId, ids.resellers!)));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.source).toBe('self');
    expect(rows[0]!.organisationId).toBe(orgIds.acme);

    const detail = await rep.get(`/courses/${ids.resellers}`);
    expect(detail.text).toContain('You were already enrolled');
    expect(detail.text).toMatch(new RegExp(`<a class="btn btn--primary btn--block course-aside__action" href="/courses/${ids.resellers}/play">Start</a>`));
    expect(detail.text).not.toContain(`action="/courses/${ids.resellers}/enrol"`);
    expect(await myLearningOf('rep@acme.test')).toEqual(['Reseller Essentials']);
    // Another person of the same organisation is not enrolled by it.
    expect(await myLearningOf('marketer@acme.test')).toEqual([]);
  });

  it('refuses enrolment in an archived course (409), which learners cannot open at all', async () => {
    const rep = await as('rep@initech.test');
    expect((await rep.get(`/courses/${ids.archived}`)).status).toBe(404);
    expect((await rep.post(`/courses/${ids.archived}/enrol`)).status).toBe(404);
    // The enablement team can open it, but not enrol in it.
    expect((await manager.get(`/courses/${ids.archived}`)).text).toContain('This course has been archived');
    const refused = await manager.post(`/courses/${ids.archived}/enrol`);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('archived and takes no new enrolments');
  });

  it('shows the outline nested by depth (chapters vs lessons), attempts history and progress', async () => {
    const rep = await as('rep@initech.test');
    expect((await rep.post(`/courses/${ids.nested}/enrol`)).status).toBe(303);
    const user = (await findUserByEmail(db(), 'rep@initech.test'))!;
    const [course] = await db().select().from(courses).where(eq(courses.id, ids.nested!));
    const items = await db().select().from(courseItems).where(eq(courseItems.versionId, course!.currentVersionId!)).orderBy(asc(courseItems.position));
    const lessons = items.filter((i) => i.launchHref !== null);
    await db().insert(attempts).values([
      { courseId: course!.id, versionId: course!.currentVersionId!, userId: user.id, organisationId: user.organisationId, attemptNumber: 1, completionStatus: 'completed', successStatus: 'failed', scoreScaled: 0.4, totalTimeSeconds: 1500, lastAccessedAt: new Date('2026-01-10T10:00:00Z') },
    ]);
    const [second] = await db()
      .insert(attempts)
      .values({ courseId: course!.id, versionId: course!.currentVersionId!, userId: user.id, organisationId: user.organisationId, attemptNumber: 2, completionStatus: 'incomplete', scoreScaled: 0.85, totalTimeSeconds: 3900, lastAccessedAt: new Date('2026-02-01T10:00:00Z') })
      .returning();
    await db().insert(scoStates).values({ attemptId: second!.id, itemId: lessons[0]!.id, cmi: {}, commitSequence: 1, commitDigest: 'x', completionStatus: 'completed' });

    const detail = await rep.get(`/courses/${ids.nested}`);
    expect(detail.status).toBe(200);
    const html = detail.text;
    expect(html.match(/outline__item--chapter/g)).toHaveLength(2);
    expect(html.match(/outline__item--lesson/g)).toHaveLength(9);
    // Lessons sit in a list nested inside their chapter's item.
    const firstChapter = items.find((i) => i.launchHref === null)!;
    const chapterStart = html.indexOf(`<span class="outline__title">${firstChapter.title}</span>`);
    const nestedList = html.indexOf('<ol class="outline__list">', chapterStart);
    expect(chapterStart).toBeGreaterThan(0);
    expect(nestedList).toBeGreaterThan(chapterStart);
    expect(html.indexOf(`<span class="outline__title">${lessons[0]!.title}</span>`)).toBeGreaterThan(nestedList);
    expect(html).toContain('9 lessons');
    // The first lesson is marked from the latest attempt.
    expect(html).toMatch(/outline__title">[^<]+<\/span>\s*<span class="badge badge--ok">Completed<\/span>/);
    // Attempts, newest first, with status, score and time.
    const table = html.slice(html.indexOf('Your attempts'));
    expect(table).toMatch(/<th scope="row">2<\/th>\s*<td><span class="badge badge--progress">In progress<\/span><\/td>\s*<td class="num">85%<\/td>\s*<td class="num">1:05<\/td>/);
    expect(table).toMatch(/<th scope="row">1<\/th>\s*<td><span class="badge badge--danger">Completed · Failed<\/span><\/td>\s*<td class="num">40%<\/td>\s*<td class="num">0:25<\/td>/);
    expect(table.indexOf('<th scope="row">2</th>')).toBeLessThan(table.indexOf('<th scope="row">1</th>'));
    expect(html).toContain(`href="/courses/${ids.nested}/play">Resume</a>`);

    const mine = await rep.get('/my/courses');
    expect(courseTitles(mine.text)).toEqual(['Golf Nested Outline']);
    expect(mine.text).toMatch(/<span class="badge badge--progress">In progress<\/span><\/div>\s*<dl class="learning-item__facts">\s*<div><dt>Score<\/dt><dd>85%<\/dd><\/div>\s*<div><dt>Last access<\/dt><dd>1 Feb 2026<\/dd><\/div>/);
    expect(mine.text).toContain(`href="/courses/${ids.nested}/play">Resume`);
  });

  it('offers Review (and a new attempt when allowed) after completion', async () => {
    const rep = await as('marketer@initech.test');
    expect((await rep.post(`/courses/${ids.everyone}/enrol`)).status).toBe(303);
    const user = (await findUserByEmail(db(), 'marketer@initech.test'))!;
    const [course] = await db().select().from(courses).where(eq(courses.id, ids.everyone!));
    await db().insert(attempts).values({ courseId: course!.id, versionId: course!.currentVersionId!, userId: user.id, organisationId: user.organisationId, attemptNumber: 1, completionStatus: 'completed', successStatus: 'passed', scoreScaled: 0.9 });
    const detail = await rep.get(`/courses/${ids.everyone}`);
    expect(detail.text).toContain(`href="/courses/${ids.everyone}/play">Review</a>`);
    expect(detail.text).toContain(`href="/courses/${ids.everyone}/play?attempt=new">Start a new attempt</a>`);
    const catalogue = await rep.get('/courses');
    expect(catalogue.text).toContain('Completed · 90%');
  });
});

describe('assignments', () => {
  async function assign(courseId: string, organisationId: string, role: string) {
    return postForm(manager, `/courses/${courseId}/assignments`, [['organisationId', organisationId], ['role', role]], `/courses/${courseId}/settings`);
  }

  it('puts an assigned course in My learning for the people it reaches, and only them', async () => {
    // A role within one organisation: Globex's reps, for a course visible only in APAC.
    expect((await assign(ids.apac!, orgIds.globex!, 'partner_rep')).status).toBe(303);
    // A whole organisation: everyone at Initech.
    expect((await assign(ids.platinum!, orgIds.initech!, '')).status).toBe(303);
    // A role everywhere: every partner marketer.
    expect((await assign(ids.goldResellersNa!, '', 'partner_marketer')).status).toBe(303);

    expect(await myLearningOf('rep@globex.test')).toEqual(['APAC Consulting Playbook']);
    expect(await myLearningOf('admin@globex.test')).toEqual([]);
    expect(await myLearningOf('marketer@globex.test')).toEqual(['Gold Resellers North America']);
    expect(await myLearningOf('rep@acme.test')).toEqual(['Reseller Essentials']);
    expect(await myLearningOf('marketer@acme.test')).toEqual(['Gold Resellers North America']);
    expect(await myLearningOf('admin@initech.test')).toEqual(['Platinum Insider']);
    expect((await myLearningOf('rep@initech.test')).sort()).toEqual(['Golf Nested Outline', 'Platinum Insider']);

    // The assignment opens the course to them (the catalogue filter alone would hide it), as "assigned".
    const globexRep = await as('rep@globex.test');
    const detail = await globexRep.get(`/courses/${ids.apac}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('Assigned to you');
    expect(await catalogueOf('rep@globex.test')).toContain('APAC Consulting Playbook');
    expect((await (await as('admin@globex.test')).get(`/courses/${ids.apac}`)).status).toBe(404);
    expect((await globexRep.post(`/courses/${ids.apac}/enrol`)).status).toBe(303);
    const user = (await findUserByEmail(db(), 'rep@globex.test'))!;
    const [enrolment] = await db().select().from(enrolments).where(and(eq(enrolments.userId, user.id), eq(enrolments.courseId, ids.apac!)));
    expect(enrolment!.source).toBe('assigned');
  });

  it('lists assignments with the people they reach, refuses duplicates and impossible ones, and removes them', async () => {
    const settings = await manager.get(`/courses/${ids.goldResellersNa}/settings`);
    expect(settings.text).toContain('All partner marketers');
    // Three partner marketers are active.
    expect(settings.text).toMatch(/All partner marketers<\/th>\s*<td class="num">3<\/td>/);

    const duplicate = await assign(ids.goldResellersNa!, '', 'partner_marketer');
    expect(duplicate.status).toBe(409);
    expect(duplicate.text).toContain('already assigned to exactly these people');
    const neither = await assign(ids.goldResellersNa!, '', '');
    expect(neither.status).toBe(400);
    expect(neither.text).toContain('choose an organisation, a role, or both');
    const wrongRole = await assign(ids.goldResellersNa!, orgIds.vendor!, 'partner_rep');
    expect(wrongRole.status).toBe(400);
    expect(wrongRole.text).toContain('Nobody at Northwind Software can have that role');
    const unknownOrg = await assign(ids.goldResellersNa!, '00000000-0000-4000-8000-000000000000', '');
    expect(unknownOrg.status).toBe(400);

    const [row] = await db().select().from(courseAssignments).where(eq(courseAssignments.courseId, ids.goldResellersNa!));
    const removed = await postForm(manager, `/courses/${ids.goldResellersNa}/assignments/${row!.id}/delete`, [], `/courses/${ids.goldResellersNa}/settings`);
    expect(removed.status).toBe(303);
    expect(await myLearningOf('marketer@globex.test')).toEqual([]);
    // Removing it again is harmless; a malformed id is a missing assignment.
    const again = await postForm(manager, `/courses/${ids.goldResellersNa}/assignments/${row!.id}/delete`, [], `/courses/${ids.goldResellersNa}/settings`);
    expect(again.status).toBe(303);
    expect((await postForm(manager, `/courses/${ids.goldResellersNa}/assignments/not-a-uuid/delete`, [], `/courses/${ids.goldResellersNa}/settings`)).status).toBe(404);
  });
});

describe('course settings', () => {
  it('saves every field, normalises tags, and shows them back in the form', async () => {
    const res = await saveSettings(ids.everyone!, {
      title: 'Everyone Welcome',
      description: 'The partner programme in 20 minutes.',
      durationMinutes: '80',
      tags: ' onboarding , Programme,,onboarding, partner   basics ',
      language: 'de',
      status: 'published',
      allowNewAttemptAfterCompletion: false,
      visiblePartnerTypes: ['reseller', 'distributor', 'consultant'],
    });
    expect(res.status).toBe(303);
    const [course] = await db().select().from(courses).where(eq(courses.id, ids.everyone!));
    expect(course!.tags).toEqual(['onboarding', 'Programme', 'partner basics']);
    expect(course!.language).toBe('de');
    expect(course!.durationMinutes).toBe(80);
    expect(course!.allowNewAttemptAfterCompletion).toBe(false);
    expect(course!.visiblePartnerTypes).toEqual(['reseller', 'distributor', 'consultant']);
    const form = await manager.get(`/courses/${ids.everyone}/settings`);
    expect(form.text).toContain('value="onboarding, Programme, partner basics"');
    expect(form.text).toMatch(/name="visiblePartnerTypes" value="distributor" checked/);
    expect(form.text).not.toMatch(/name="visiblePartnerTypes" value="isv" checked/);
    expect(form.text).toMatch(/<option value="de" selected>German<\/option>/);
    expect(form.text).not.toMatch(/name="allowNewAttemptAfterCompletion" value="yes" checked/);
    // The completed learner may no longer start a new attempt.
    const detail = await (await as('marketer@initech.test')).get(`/courses/${ids.everyone}`);
    expect(detail.text).not.toContain('?attempt=new');
    expect(detail.text).toContain('lang="de"');
  });

  it('re-renders the form with field errors and keeps what was typed', async () => {
    const res = await saveSettings(ids.platinum!, { title: '', durationMinutes: 'soon', tags: 'a'.repeat(41), visibleRegions: ['Atlantis'], visibleTierIds: [tierIds.gold!] });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Title is required');
    expect(res.text).toContain('enter a number of minutes');
    expect(res.text).toContain('keep each tag to 40 characters');
    expect(res.text).toContain('choose listed regions only');
    expect(res.text).toContain('value="soon"');
    expect(res.text).toMatch(new RegExp(`name="visibleTierIds" value="${tierIds.gold}" checked`));
    const [course] = await db().select().from(courses).where(eq(courses.id, ids.platinum!));
    expect(course!.title).toBe('Platinum Insider');
  });

  it('refuses to publish a course without a package, and unknown tiers', async () => {
    const empty = await insertCourse(db(), { title: 'No package yet' });
    const publish = await saveSettings(empty.id, { title: 'No package yet', status: 'published' });
    expect(publish.status).toBe(409);
    expect(publish.text).toContain('cannot be published');
    const tier = await saveSettings(ids.platinum!, { title: 'Platinum Insider', visibleTierIds: ['00000000-0000-4000-8000-000000000000'] });
    expect(tier.status).toBe(400);
    expect(tier.text).toContain('One of the chosen tiers no longer exists');
    expect((await manager.get('/courses/00000000-0000-4000-8000-000000000000/settings')).status).toBe(404);
  });

  it('is linked from the course management page', async () => {
    const page = await manager.get(`/courses/${ids.resellers}/manage`);
    expect(page.text).toContain(`href="/courses/${ids.resellers}/settings"`);
    expect(page.text).toContain(`href="/courses/${ids.resellers}/report"`);
  });
});

describe('course report', () => {
  const EVIL_NAME = '=2+3 Jonas';
  let reportCourse: string;

  beforeAll(async () => {
    reportCourse = await createCourse({ title: 'Report: Partner Basics!' });
    const [course] = await db().select().from(courses).where(eq(courses.id, reportCourse));
    const [item] = await db().select().from(courseItems).where(eq(courseItems.versionId, course!.currentVersionId!));
    const acmeRep = (await findUserByEmail(db(), 'rep@acme.test'))!;
    const globexRep = (await findUserByEmail(db(), 'rep@globex.test'))!;
    const acmeMarketer = (await findUserByEmail(db(), 'marketer@acme.test'))!;
    await db().update(users).set({ name: EVIL_NAME }).where(eq(users.id, globexRep.id));
    const base = { courseId: reportCourse, versionId: course!.currentVersionId! };
    await db().insert(attempts).values([
      { ...base, userId: acmeRep.id, organisationId: acmeRep.organisationId, attemptNumber: 1, completionStatus: 'incomplete', totalTimeSeconds: 600, lastAccessedAt: new Date('2026-03-01T09:00:00Z') },
      { ...base, userId: acmeRep.id, organisationId: acmeRep.organisationId, attemptNumber: 2, completionStatus: 'completed', successStatus: 'passed', scoreScaled: 0.92, totalTimeSeconds: 4200, lastAccessedAt: new Date('2026-03-05T09:00:00Z') },
    ]);
    const [globexAttempt] = await db()
      .insert(attempts)
      .values({ ...base, userId: globexRep.id, organisationId: globexRep.organisationId, attemptNumber: 1, completionStatus: 'completed', successStatus: 'failed', totalTimeSeconds: 59, lastAccessedAt: new Date('2026-03-02T09:00:00Z') })
      .returning();
    // A 1.2 package that reports only a raw score.
    await db().insert(scoStates).values({ attemptId: globexAttempt!.id, itemId: item!.id, cmi: {}, commitSequence: 1, commitDigest: 'x', completionStatus: 'completed', successStatus: 'failed', scoreRaw: 42, scoreMax: 50 });
    // Enrolled, not started.
    await db().insert(enrolments).values({ courseId: reportCourse, userId: acmeMarketer.id, organisationId: acmeMarketer.organisationId, source: 'self' });
  });

  /** The report table's rows as [name, organisation, status, score, time, attempts, last access]. */
  function reportRows(html: string): string[][] {
    const body = html.slice(html.indexOf('<tbody>'), html.indexOf('</tbody>'));
    return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) =>
      [...m[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => decode(c[1]!.replace(/<span class="muted small report-email">[^<]*<\/span>/, '').replace(/<[^>]+>/g, '').trim())),
    );
  }

  it('shows the vendor one row per learner of every organisation, with status, score, time, attempts and last access', async () => {
    const res = await manager.get(`/courses/${reportCourse}/report`);
    expect(res.status).toBe(200);
    expect(reportRows(res.text)).toEqual([
      ['Morgan Diaz', 'Acme Systems', 'Not started', '—', '0:00', '0', '—'],
      ['Riley Nguyen', 'Acme Systems', 'Completed · Passed', '92%', '1:20', '2', '5 Mar 2026'],
      [EVIL_NAME, 'Globex Distribution', 'Completed · Failed', '42 / 50', '0:00', '1', '2 Mar 2026'],
    ]);
    expect(res.text).toMatch(/<span class="stat__value">3<\/span><span class="stat__label">Learners/);
    expect(res.text).toMatch(/<span class="stat__value">2<\/span><span class="stat__label">Completed/);
    // The vendor filters by organisation.
    const globexOnly = await manager.get(`/courses/${reportCourse}/report?organisationId=${orgIds.globex}`);
    expect(reportRows(globexOnly.text).map((r) => r[0])).toEqual([EVIL_NAME]);
    expect(decode(globexOnly.text)).toContain(`href="/courses/${reportCourse}/report.csv?organisationId=${orgIds.globex}"`);
  });

  it('shows a partner admin only their own organisation’s learners, whatever filter they send', async () => {
    const acmeAdmin = await as('admin@acme.test');
    const res = await acmeAdmin.get(`/courses/${reportCourse}/report`);
    expect(res.status).toBe(200);
    expect(reportRows(res.text).map((r) => r[0])).toEqual(['Morgan Diaz', 'Riley Nguyen']);
    expect(res.text).not.toContain('Globex');
    expect(res.text).not.toContain('Jonas');
    expect(res.text).not.toContain('name="organisationId"');
    const forged = await acmeAdmin.get(`/courses/${reportCourse}/report?organisationId=${orgIds.globex}`);
    expect(reportRows(forged.text)).toEqual([]);
    const globexAdmin = await as('admin@globex.test');
    expect(reportRows((await globexAdmin.get(`/courses/${reportCourse}/report`)).text).map((r) => r[0])).toEqual([EVIL_NAME]);
    // A course that has nothing to do with Acme (visible to Platinum only, no Acme learners) is missing for its admin.
    expect((await acmeAdmin.get(`/courses/${ids.platinum}/report`)).status).toBe(404);
    expect((await acmeAdmin.get(`/courses/${ids.platinum}/report.csv`)).status).toBe(404);
    // Reps have no reports at all.
    expect((await (await as('rep@acme.test')).get(`/courses/${reportCourse}/report`)).status).toBe(403);
    expect((await (await as('rep@acme.test')).get(`/courses/${reportCourse}/report.csv`)).status).toBe(403);
  });

  it('exports the same rows as CSV, as an attachment, with formulas neutralised', async () => {
    const res = await manager.get(`/courses/${reportCourse}/report.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="?report-partner-basics-report-\d{4}-\d{2}-\d{2}\.csv"?$/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const lines = res.text.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(lines[0]).toBe('Learner,Email,Organisation,Completion,Success,Score,Total time (h:mm),Attempts,Last access (UTC),Enrolled (UTC),Enrolment');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^Morgan Diaz,marketer@acme\.test,Acme Systems,Not started,,,0:00,0,,\d{4}-\d{2}-\d{2} \d{2}:\d{2},Self-enrolled$/);
    expect(lines[2]).toBe('Riley Nguyen,rep@acme.test,Acme Systems,Completed,Passed,92%,1:20,2,2026-03-05 09:00,,');
    expect(lines[3]).toBe(`'${EVIL_NAME},rep@globex.test,Globex Distribution,Completed,Failed,42 / 50,0:00,1,2026-03-02 09:00,,`);
    expect(lines.some((l) => /(^|,)[=+@-]/.test(l))).toBe(false);

    const acmeOnly = await (await as('admin@acme.test')).get(`/courses/${reportCourse}/report.csv`);
    expect(acmeOnly.status).toBe(200);
    expect(acmeOnly.text).not.toContain('Globex');
    expect(acmeOnly.text.trimEnd().split('\r\n')).toHaveLength(3);
  });
});

describe('navigation', () => {
  it('gives learners "Courses" and "My learning", and keeps the enablement team on course management', async () => {
    const rep = await (await as('rep@acme.test')).get('/my/courses');
    expect(rep.text).toContain('<li><a href="/courses">Courses</a></li>');
    expect(rep.text).toContain('<li><a href="/my/courses" aria-current="page">My learning</a></li>');
    const catalogue = await (await as('rep@acme.test')).get(`/courses/${ids.resellers}`);
    expect(catalogue.text).toContain('<li><a href="/courses" aria-current="page">Courses</a></li>');
    const staff = await manager.get('/courses');
    expect(staff.text).toContain('<li><a href="/courses/manage" aria-current="page">Courses</a></li>');
    expect(staff.text).not.toContain('<li><a href="/my/courses"');
  });
});
