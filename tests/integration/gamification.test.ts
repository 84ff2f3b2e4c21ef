import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { and, eq } from 'drizzle-orm';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { DEMO_PASSWORD, signedInClients, startTestApp, type TestApp } from '../helpers/test-app.js';
import { TestClient } from '../helpers/http-client.js';
import { importPublishedPackage } from '../helpers/courses.js';
import { packageWithPage } from './search-package.js';
import { findUserByEmail } from '../../server/users/users.repository.js';
import { users } from '../../server/users/users.table.js';
import { organisations } from '../../server/organisations/organisations.table.js';
import { listTiers } from '../../server/organisations/organisations.repository.js';
import { insertAsset, insertVersion, updateAsset } from '../../assets/library/library.repository.js';
import { awardOutcome } from '../../courses/gamification/gamification.service.js';
import { badges, pointsLedger, seasons, userBadges, userPoints } from '../../courses/gamification/gamification.table.js';

jest.setTimeout(180_000);

let app: TestApp;
let as: (email: string) => Promise<TestClient>;
let courseA: string;

beforeAll(async () => {
  // Sessions outlive the month the clock test moves forward (the cookie's expiry is real time, the store's clock is the app's).
  app = await startTestApp({ SESSION_MAX_AGE_HOURS: '2000' });
  as = signedInClients(() => app);
  // Initech has 2 active members (its marketer's account is disabled), Acme and Globex 3 each. Disabled before any
  // board is read: the boards cache headcounts for 30 seconds.
  await db().update(users).set({ status: 'disabled' }).where(eq(users.email, 'marketer@initech.test'));
  ({ courseId: courseA } = await importPublishedPackage(app, await packageWithPage('<p>Scored lesson</p>'), 'Scored course'));
});
afterAll(async () => app?.stop());

const db = () => app.deps.database.db;
const userId = async (email: string) => (await findUserByEmail(db(), email))!.id;
const ledgerOf = async (email: string) => db().select().from(pointsLedger).where(eq(pointsLedger.userId, await userId(email)));
const seasonIdOf = async (name: string) => (await db().select({ id: seasons.id }).from(seasons).where(eq(seasons.name, name)))[0]!.id;
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

/** Passes a course as `client` through the real player and LMS commit endpoint; `newAttempt` re-takes it. */
async function passCourse(client: TestClient, courseId: string, options: { newAttempt?: boolean; extraCommits?: number } = {}) {
  const player = await client.get(`/courses/${courseId}/play${options.newAttempt ? '?attempt=new' : ''}`);
  expect(player.status).toBe(200);
  const hostUrl = new URL(/<iframe[^>]+src="([^"]+)"/.exec(player.text)![1]!.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&'));
  const lms = hostUrl.href.replace(/host\.html.*$/, '');
  const launch = (await (await fetch(`${lms}launch?item=${hostUrl.searchParams.get('item')}`)).json()) as { sequenceBase: number; item: { identifier: string } };
  for (let n = 1; n <= 1 + (options.extraCommits ?? 0); n++) {
    const res = await fetch(`${lms}commit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ item: launch.item.identifier, sequence: launch.sequenceBase + n, cmi: { core: { lesson_status: 'passed', session_time: `0000:0${n}:00.00` } } }),
    });
    expect(((await res.json()) as { result: boolean }).result).toBe(true);
  }
}

async function setRules(rules: Record<string, number>) {
  const manager = await as('enablement@vendor.test');
  const page = await manager.get('/leaderboards/manage');
  expect(page.status).toBe(200);
  const res = await manager.post('/leaderboards/rules', Object.fromEntries(Object.entries(rules).map(([k, v]) => [k, String(v)])));
  expect(res.status).toBe(303);
}

type Row = { rank: number; name: string; cells: string[] };

/** The board table's rows as shown: rank, the row heading (name), then the other cells. */
async function board(client: TestClient, query: string): Promise<{ rows: Row[]; html: string }> {
  const res = await client.get(`/leaderboards?${query}`);
  expect(res.status).toBe(200);
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(res.text)?.[1] ?? '';
  const rows = [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => {
    const cells = [...m[1]!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, '').trim());
    return { rank: Number(cells[0]), name: cells[1]!.replace(/\s+(You|Yours)$/, ''), cells: cells.slice(2) };
  });
  return { rows, html: res.text };
}

const summary = (rows: Row[]) => rows.map((r) => `${r.rank} ${r.name} ${r.cells.join(' ')}`.trim());

describe('scoring verified outcomes', () => {
  it('the enablement team sets the point rules; a badge for the first course is defined before anyone scores', async () => {
    await setRules({ course_completed: 50, exam_passed: 150, certification_earned: 300, path_completed: 100, cobrand_used: 20 });
    const res = await (await as('enablement@vendor.test')).post('/leaderboards/badges', { name: 'First course', description: 'Completed a course', criterion: 'course_completed', threshold: '1' });
    expect(res.status).toBe(303);
  });

  it('refuses a negative rule with a message and stores nothing', async () => {
    const res = await (await as('enablement@vendor.test')).post('/leaderboards/rules', { course_completed: '-5', exam_passed: '1', certification_earned: '1', path_completed: '1', cobrand_used: '1' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('enter at least 0');
    expect((await (await as('enablement@vendor.test')).get('/leaderboards/manage')).text).toMatch(/id="course_completed"[^>]*value="50"/);
  });

  it('completing a course scores once through the real commit path; more commits and a re-take never score again', async () => {
    const rep = await as('rep@acme.test');
    await passCourse(rep, courseA, { extraCommits: 2 });
    let ledger = await ledgerOf('rep@acme.test');
    expect(ledger.map((l) => [l.kind, l.subjectId, l.points])).toEqual([['course_completed', courseA, 50]]);
    expect(ledger[0]!.outcomeKey).toBe(`course_completed:${courseA}:${await userId('rep@acme.test')}`);

    await passCourse(rep, courseA, { newAttempt: true });
    ledger = await ledgerOf('rep@acme.test');
    expect(ledger).toHaveLength(1);
    const badgeRows = await db().select({ name: badges.name }).from(userBadges).innerJoin(badges, eq(badges.id, userBadges.badgeId)).where(eq(userBadges.userId, await userId('rep@acme.test')));
    expect(badgeRows.map((b) => b.name)).toEqual(['First course']);
  });

  it('a co-branded download scores once per person and asset; repeat downloads do not', async () => {
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    pdf.addPage([595, 842]).drawText('Brochure', { x: 60, y: 420, size: 20, font });
    const bytes = Buffer.from(await pdf.save());
    const asset = await insertAsset(db(), { title: 'Scored brochure', visiblePartnerTypes: [], expiresAt: null });
    const storageKey = `library/${asset.id}/v1/file`;
    await app.deps.storage.put(storageKey, bytes);
    const version = await insertVersion(db(), {
      assetId: asset.id,
      versionNumber: 1,
      storageKey,
      originalFilename: 'brochure.pdf',
      format: 'pdf',
      mimeType: 'application/pdf',
      byteSize: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      pageCount: 1,
      width: null,
      height: null,
      cobrandBlocker: null,
    });
    await updateAsset(db(), asset.id, { currentVersionId: version.id });
    const manager = await as('enablement@vendor.test');
    const editor = await manager.get(`/library/assets/${asset.id}/cobranding`);
    const form = new URLSearchParams({ _csrf: csrfOf(editor.text), save: '1', kind: 'name', page: '1', x: '40', y: '40', width: '300', height: '40', fontSize: '14', colour: '#000000', align: 'left' });
    const saved = await manager.request('POST', `/library/assets/${asset.id}/cobranding`, { body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(saved.status).toBe(303);

    const marketer = await as('marketer@acme.test');
    for (let i = 0; i < 3; i++) expect((await marketer.get(`/library/assets/${asset.id}/cobranded`)).status).toBe(200);
    const ledger = await ledgerOf('marketer@acme.test');
    expect(ledger.map((l) => [l.kind, l.subjectId, l.points])).toEqual([['cobrand_used', asset.id, 20]]);
  });

  it('a changed rule applies to outcomes from then on; points already awarded stay', async () => {
    await setRules({ course_completed: 80, exam_passed: 150, certification_earned: 300, path_completed: 100, cobrand_used: 20 });
    await passCourse(await as('rep@globex.test'), courseA);
    expect((await ledgerOf('rep@globex.test')).map((l) => l.points)).toEqual([80]);
    expect((await ledgerOf('rep@acme.test')).map((l) => l.points)).toEqual([50]);
  });

  it('concurrent reports of the same outcome score once', async () => {
    const rep = await userId('rep@initech.test');
    const examId = randomUUID();
    const results = await Promise.all(Array.from({ length: 6 }, () => awardOutcome(db(), { kind: 'exam_passed', userId: rep, subjectId: examId, occurredAt: app.deps.clock() })));
    expect(results.filter((r) => r !== null)).toEqual([150]);
    expect(await ledgerOf('rep@initech.test')).toHaveLength(1);
    const [total] = await db().select().from(userPoints).where(and(eq(userPoints.periodKey, 'all'), eq(userPoints.userId, rep)));
    expect(total!.points).toBe(150);
  });

  it('vendor staff never score (only partner organisations compete)', async () => {
    const points = await awardOutcome(db(), { kind: 'exam_passed', userId: await userId('enablement@vendor.test'), subjectId: randomUUID(), occurredAt: app.deps.clock() });
    expect(points).toBeNull();
    expect(await ledgerOf('enablement@vendor.test')).toHaveLength(0);
  });
});

// Hand-computed from the outcomes above, all this month: Wei Lin Tan (Initech) 150, Jonas Weber (Globex) 80,
// Riley Nguyen (Acme) 50, Morgan Diaz (Acme) 20. Organisations per active member: Initech 150/2 = 75,
// Globex 80/3 = 26.7, Acme 70/3 = 23.3.
describe('boards', () => {
  it('people this month and all time, ranked by points, names and organisations but no emails', async () => {
    const viewer = await as('admin@globex.test');
    for (const period of ['month', 'quarter', 'all']) {
      const { rows, html } = await board(viewer, `board=people&period=${period}`);
      expect(summary(rows)).toEqual(['1 Wei Lin Tan Initech Consulting 150', '2 Jonas Weber Globex Distribution 80', '3 Riley Nguyen Acme Systems 50', '4 Morgan Diaz Acme Systems 20']);
      expect(html).not.toContain('rep@acme.test');
      expect(html).not.toContain('rep@initech.test');
    }
  });

  it('filters by region, partner type and tier', async () => {
    const viewer = await as('admin@globex.test');
    expect(summary((await board(viewer, 'board=people&period=month&region=EMEA')).rows)).toEqual(['1 Jonas Weber Globex Distribution 80']);
    expect(summary((await board(viewer, 'board=people&period=month&partnerType=reseller')).rows)).toEqual(['1 Riley Nguyen Acme Systems 50', '2 Morgan Diaz Acme Systems 20']);
    const silver = (await listTiers(db())).find((t) => t.name === 'Silver')!;
    expect(summary((await board(viewer, `board=people&period=month&tierId=${silver.id}`)).rows)).toEqual(['1 Wei Lin Tan Initech Consulting 150']);
    expect(summary((await board(viewer, `board=organisations&period=month&region=APAC`)).rows)).toEqual(['1 Initech Consulting 75 150 2']);
  });

  it('follows an organisation that moves region: filtered boards use its new region at once', async () => {
    const vendorAdmin = await as('admin@vendor.test');
    const [initech] = await db().select().from(organisations).where(eq(organisations.slug, 'initech'));
    const form = { name: initech!.name, slug: initech!.slug, partnerType: initech!.partnerType!, tierId: initech!.tierId!, region: 'EMEA', country: initech!.country ?? 'SG', website: initech!.website ?? '' };
    expect((await vendorAdmin.get(`/organisations/${initech!.id}/edit`)).status).toBe(200);
    expect((await vendorAdmin.post(`/organisations/${initech!.id}`, form)).status).toBe(303);
    const viewer = await as('admin@globex.test');
    expect(summary((await board(viewer, 'board=people&period=month&region=EMEA')).rows)).toEqual(['1 Wei Lin Tan Initech Consulting 150', '2 Jonas Weber Globex Distribution 80']);
    expect((await board(viewer, 'board=people&period=month&region=APAC')).rows).toEqual([]);
    expect((await vendorAdmin.post(`/organisations/${initech!.id}`, { ...form, region: initech!.region! })).status).toBe(303);
    expect(summary((await board(viewer, 'board=people&period=month&region=APAC')).rows)).toEqual(['1 Wei Lin Tan Initech Consulting 150']);
  });

  it('organisations rank by points per active member, with total and headcount', async () => {
    const { rows } = await board(await as('rep@acme.test'), 'board=organisations&period=all');
    expect(summary(rows)).toEqual(['1 Initech Consulting 75 150 2', '2 Globex Distribution 26.7 80 3', '3 Acme Systems 23.3 70 3']);
  });

  it('a person can hide from people boards; their points still count for their organisation; they still see their own rank', async () => {
    const rep = await as('rep@acme.test');
    const page = await rep.get('/leaderboards');
    expect((await rep.post('/leaderboards/privacy', { hidden: 'yes', _csrf: csrfOf(page.text) })).status).toBe(303);
    const others = await board(await as('admin@globex.test'), 'board=people&period=month');
    expect(summary(others.rows)).toEqual(['1 Wei Lin Tan Initech Consulting 150', '2 Jonas Weber Globex Distribution 80', '3 Morgan Diaz Acme Systems 20']);
    expect(others.html).not.toContain('Riley Nguyen');
    expect(summary((await board(await as('admin@globex.test'), 'board=organisations&period=month')).rows)).toContain('3 Acme Systems 23.3 70 3');
    const own = await board(rep, 'board=people&period=month');
    expect(own.html).toMatch(/Your rank: <strong>#3<\/strong> with 50 points \(you are hidden/);
    expect(own.html).toContain('checked');
  });

  it('shows the viewer their own rank below the top when they are outside it', async () => {
    const { html } = await board(await as('marketer@acme.test'), 'board=people&period=month');
    expect(html).toMatch(/Your rank: <strong>#3<\/strong> with 20 points\./);
    expect(html).toContain('My points and badges');
  });
});

describe('seasons and per-head normalisation', () => {
  // Spring 2030 (1 January to 31 March, UTC): Initech 100 with 2 active members (one disabled) = 50 per head beats
  // Globex 120 with 3 = 40; Acme 100 (Alex Carter, the last minute of the season) with 3 = 33.3.
  const at = (iso: string) => new Date(iso);

  it('counts only outcomes inside the season, and a 2-person organisation with 100 points beats a 3-person one with 120', async () => {
    const manager = await as('enablement@vendor.test');
    expect((await manager.post('/leaderboards/seasons', { name: 'Spring 2030', startsOn: '2030-01-01', endsOn: '2030-03-31' })).status).toBe(303);
    const seasonId = await seasonIdOf('Spring 2030');

    await awardOutcome(db(), { kind: 'path_completed', userId: await userId('rep@initech.test'), subjectId: randomUUID(), occurredAt: at('2030-02-01T10:00:00Z') });
    for (let i = 0; i < 6; i++) await awardOutcome(db(), { kind: 'cobrand_used', userId: await userId('rep@globex.test'), subjectId: randomUUID(), occurredAt: at('2030-02-10T10:00:00Z') });
    await awardOutcome(db(), { kind: 'path_completed', userId: await userId('admin@acme.test'), subjectId: randomUUID(), occurredAt: at('2030-03-31T23:59:00Z') });
    await awardOutcome(db(), { kind: 'exam_passed', userId: await userId('rep@acme.test'), subjectId: randomUUID(), occurredAt: at('2030-04-01T00:00:00Z') });
    await awardOutcome(db(), { kind: 'exam_passed', userId: await userId('marketer@acme.test'), subjectId: randomUUID(), occurredAt: at('2029-12-31T23:59:59Z') });

    const viewer = await as('admin@globex.test');
    const people = await board(viewer, `board=people&period=season:${seasonId}`);
    expect(summary(people.rows)).toEqual(['1 Jonas Weber Globex Distribution 120', '2 Alex Carter Acme Systems 100', '2 Wei Lin Tan Initech Consulting 100']);
    const orgs = await board(viewer, `board=organisations&period=season:${seasonId}`);
    expect(summary(orgs.rows)).toEqual(['1 Initech Consulting 50 100 2', '2 Globex Distribution 40 120 3', '3 Acme Systems 33.3 100 3']);
  });

  it('a season created after the fact is built from the points already earned in it', async () => {
    const manager = await as('enablement@vendor.test');
    expect((await manager.post('/leaderboards/seasons', { name: 'December 2029', startsOn: '2029-12-01', endsOn: '2029-12-31' })).status).toBe(303);
    const seasonId = await seasonIdOf('December 2029');
    expect(summary((await board(await as('admin@globex.test'), `board=people&period=season:${seasonId}`)).rows)).toEqual(['1 Morgan Diaz Acme Systems 150']);
  });

  it('refuses a season that ends before it starts', async () => {
    const res = await (await as('enablement@vendor.test')).post('/leaderboards/seasons', { name: 'Backwards', startsOn: '2030-05-01', endsOn: '2030-04-01' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('the last day cannot be before the first');
  });

  it('a badge defined later is given to everyone who already meets it', async () => {
    const res = await (await as('enablement@vendor.test')).post('/leaderboards/badges', { name: 'Big scorer', criterion: 'points', threshold: '240' });
    expect(res.status).toBe(303);
    const holders = await db().select({ userId: userBadges.userId }).from(userBadges).innerJoin(badges, eq(badges.id, userBadges.badgeId)).where(eq(badges.name, 'Big scorer'));
    // All time: Wei Lin Tan 150 + 100 = 250 is the only one at 240 or more (Jonas 200, Riley 200, Alex 100, Morgan 170).
    expect(holders.map((h) => h.userId)).toEqual([await userId('rep@initech.test')]);
  });
});

describe('periods move with the clock', () => {
  it('after the month turns, this month starts empty while all time keeps everything; a new completion shows at once', async () => {
    const now = app.deps.clock();
    // To an hour into next month (UTC), whatever today is.
    app.advanceClock(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1, 1) - now.getTime());
    const viewer = new TestClient(app.baseUrl);
    await viewer.signIn('admin@globex.test', DEMO_PASSWORD);
    expect((await board(viewer, 'board=people&period=month')).rows).toEqual([]);
    const admin = new TestClient(app.baseUrl);
    await admin.signIn('admin@acme.test', DEMO_PASSWORD);
    await passCourse(admin, courseA);
    expect(summary((await board(viewer, 'board=people&period=month')).rows)).toEqual(['1 Alex Carter Acme Systems 80']);
    expect(summary((await board(viewer, 'board=people&period=all')).rows)).toEqual([
      '1 Wei Lin Tan Initech Consulting 250',
      '2 Jonas Weber Globex Distribution 200',
      '3 Alex Carter Acme Systems 180',
      '4 Morgan Diaz Acme Systems 170',
    ]);
  });
});
