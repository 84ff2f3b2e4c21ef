import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { eq } from 'drizzle-orm';
import { signedInClients, startTestApp, type TestApp } from '../helpers/test-app.js';
import { findUserByEmail } from '../../server/users/users.repository.js';
import { awardOutcome } from '../../courses/gamification/gamification.service.js';
import { badges, pointsLedger, seasons, userBadges, userPoints } from '../../courses/gamification/gamification.table.js';

jest.setTimeout(180_000);

let app: TestApp;
let as: ReturnType<typeof signedInClients>;

beforeAll(async () => {
  app = await startTestApp();
  as = signedInClients(() => app);
});
afterAll(async () => app?.stop());

const db = () => app.deps.database.db;
const userId = async (email: string) => (await findUserByEmail(db(), email))!.id;
const seasonByName = async (name: string) => (await db().select().from(seasons).where(eq(seasons.name, name)))[0];
const badgeByName = async (name: string) => (await db().select().from(badges).where(eq(badges.name, name)))[0];
const seasonTotals = async (seasonId: string) =>
  (await db().select({ userId: userPoints.userId, points: userPoints.points }).from(userPoints).where(eq(userPoints.periodKey, `s:${seasonId}`))).map((r) => r.points).sort();
const manager = () => as('enablement@vendor.test');
/** The manage page, which also gives the client a fresh CSRF token. */
const managePage = async () => {
  const page = await (await manager()).get('/leaderboards/manage');
  expect(page.status).toBe(200);
  return page.text;
};

describe('editing and deleting seasons', () => {
  let seasonId: string;

  beforeAll(async () => {
    // 2031: 1 outcome in February (course 100), 1 in May (exam 150), outside a February-to-March season at first.
    await awardOutcome(db(), { kind: 'course_completed', userId: await userId('rep@acme.test'), subjectId: randomUUID(), occurredAt: new Date('2031-02-10T10:00:00Z') });
    await awardOutcome(db(), { kind: 'exam_passed', userId: await userId('rep@acme.test'), subjectId: randomUUID(), occurredAt: new Date('2031-05-10T10:00:00Z') });
    await managePage();
    expect((await (await manager()).post('/leaderboards/seasons', { name: 'Early 2031', startsOn: '2031-02-01', endsOn: '2031-03-31' })).status).toBe(303);
    seasonId = (await seasonByName('Early 2031'))!.id;
    expect(await seasonTotals(seasonId)).toEqual([100]);
  });

  it('the manage page links each season to its edit page, which shows its current values', async () => {
    expect(await managePage()).toContain(`href="/leaderboards/seasons/${seasonId}/edit"`);
    const page = await (await manager()).get(`/leaderboards/seasons/${seasonId}/edit`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/id="name"[^>]*value="Early 2031"/);
    expect(page.text).toMatch(/id="startsOn"[^>]*value="2031-02-01"/);
    expect(page.text).toMatch(/id="endsOn"[^>]*value="2031-03-31"/);
  });

  it('renames a season and moves its days; its board is rebuilt from the ledger', async () => {
    const res = await (await manager()).post(`/leaderboards/seasons/${seasonId}`, { name: 'First half 2031', startsOn: '2031-02-01', endsOn: '2031-06-30' });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/leaderboards/manage#seasons-heading');
    const season = (await db().select().from(seasons).where(eq(seasons.id, seasonId)))[0]!;
    expect(season.name).toBe('First half 2031');
    expect(season.endsAt.toISOString()).toBe('2031-07-01T00:00:00.000Z');
    expect(await seasonTotals(seasonId)).toEqual([250]);
    expect(await managePage()).toContain('Season “First half 2031” saved.');
  });

  it('refuses an invalid edit with 400 and the field messages, and changes nothing', async () => {
    await (await manager()).get(`/leaderboards/seasons/${seasonId}/edit`);
    const backwards = await (await manager()).post(`/leaderboards/seasons/${seasonId}`, { name: 'Backwards', startsOn: '2031-05-01', endsOn: '2031-04-01' });
    expect(backwards.status).toBe(400);
    expect(backwards.text).toContain('the last day cannot be before the first');
    expect(backwards.text).toContain('Nothing was saved');
    const notADay = await (await manager()).post(`/leaderboards/seasons/${seasonId}`, { name: 'Bad day', startsOn: '2031-02-30', endsOn: '2031-04-01' });
    expect(notADay.status).toBe(400);
    expect(notADay.text).toContain('That is not a calendar day');
    const noName = await (await manager()).post(`/leaderboards/seasons/${seasonId}`, { name: ' ', startsOn: '2031-02-01', endsOn: '2031-04-01' });
    expect(noName.status).toBe(400);
    expect(noName.text).toContain('Name is required');
    expect((await db().select().from(seasons).where(eq(seasons.id, seasonId)))[0]!.name).toBe('First half 2031');
  });

  it('refuses a form without the CSRF token', async () => {
    const res = await (await manager()).post(`/leaderboards/seasons/${seasonId}`, { name: 'Forged', startsOn: '2031-02-01', endsOn: '2031-06-30' }, { withCsrf: false });
    expect(res.status).toBe(403);
    expect((await db().select().from(seasons).where(eq(seasons.id, seasonId)))[0]!.name).toBe('First half 2031');
  });

  it('answers 404 for a season that does not exist, and refuses a partner admin', async () => {
    expect((await (await manager()).get(`/leaderboards/seasons/${randomUUID()}/edit`)).status).toBe(404);
    expect((await (await manager()).get('/leaderboards/seasons/not-an-id/edit')).status).toBe(404);
    await managePage();
    expect((await (await manager()).post(`/leaderboards/seasons/${randomUUID()}`, { name: 'Ghost', startsOn: '2031-01-01', endsOn: '2031-01-31' })).status).toBe(404);
    const partner = await as('admin@acme.test');
    expect((await partner.get(`/leaderboards/seasons/${seasonId}/edit`)).status).toBe(403);
    expect((await partner.post(`/leaderboards/seasons/${seasonId}/delete`, { confirm: 'yes' })).status).toBe(403);
    expect(await seasonByName('First half 2031')).toBeDefined();
  });

  it('deletes only after the confirmation box is ticked, and leaves the ledger and other boards untouched', async () => {
    const rep = await userId('rep@acme.test');
    const ledgerBefore = await db().select().from(pointsLedger).where(eq(pointsLedger.userId, rep));
    const allTimeBefore = await db().select().from(userPoints).where(eq(userPoints.periodKey, 'all'));

    await (await manager()).get(`/leaderboards/seasons/${seasonId}/edit`);
    const unconfirmed = await (await manager()).post(`/leaderboards/seasons/${seasonId}/delete`, {});
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.text).toContain('tick the box to confirm the deletion');
    expect(await seasonByName('First half 2031')).toBeDefined();

    const res = await (await manager()).post(`/leaderboards/seasons/${seasonId}/delete`, { confirm: 'yes' });
    expect(res.status).toBe(303);
    expect(await seasonByName('First half 2031')).toBeUndefined();
    expect(await seasonTotals(seasonId)).toEqual([]);
    expect(await db().select().from(pointsLedger).where(eq(pointsLedger.userId, rep))).toEqual(ledgerBefore);
    expect(await db().select().from(userPoints).where(eq(userPoints.periodKey, 'all'))).toEqual(allTimeBefore);
    expect(await managePage()).toContain('Season “First half 2031” deleted.');
    // Its board is gone: the period answers as a missing season.
    expect((await (await as('rep@acme.test')).get(`/leaderboards?period=season:${seasonId}`)).status).toBe(404);
    // Deleting it again: 404.
    await managePage();
    expect((await (await manager()).post(`/leaderboards/seasons/${seasonId}/delete`, { confirm: 'yes' })).status).toBe(404);
  });
});

describe('editing and deleting badges', () => {
  it('edits a badge: name, description, criterion and threshold; people who now meet it receive it, holders keep it', async () => {
    await managePage();
    // rep@acme.test has 250 points all time (the seasons block above); nobody else has any.
    expect((await (await manager()).post('/leaderboards/badges', { name: 'High roller', criterion: 'points', threshold: '100000' })).status).toBe(303);
    const badge = (await badgeByName('High roller'))!;
    expect(await db().select().from(userBadges).where(eq(userBadges.badgeId, badge.id))).toEqual([]);
    expect(await managePage()).toContain(`href="/leaderboards/badges/${badge.id}/edit"`);

    const page = await (await manager()).get(`/leaderboards/badges/${badge.id}/edit`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<option value="points" selected>/);
    expect(page.text).toContain('Nobody holds this badge yet.');

    const res = await (await manager()).post(`/leaderboards/badges/${badge.id}`, { name: 'Exam ace', description: 'Passed an exam', criterion: 'exam_passed', threshold: '1' });
    expect(res.status).toBe(303);
    const saved = (await db().select().from(badges).where(eq(badges.id, badge.id)))[0]!;
    expect(saved).toMatchObject({ name: 'Exam ace', description: 'Passed an exam', criterion: 'exam_passed', threshold: 1 });
    const holders = await db().select({ userId: userBadges.userId }).from(userBadges).where(eq(userBadges.badgeId, badge.id));
    expect(holders.map((h) => h.userId)).toEqual([await userId('rep@acme.test')]);
  });

  it('refuses invalid badge edits with 400 and the field messages', async () => {
    const badge = (await badgeByName('Exam ace'))!;
    await (await manager()).get(`/leaderboards/badges/${badge.id}/edit`);
    const res = await (await manager()).post(`/leaderboards/badges/${badge.id}`, { name: 'Exam ace', criterion: 'downloads', threshold: '0' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('choose what the badge counts');
    expect(res.text).toContain('enter at least 1');
    expect((await db().select().from(badges).where(eq(badges.id, badge.id)))[0]!.threshold).toBe(1);
    expect((await (await manager()).post(`/leaderboards/badges/${randomUUID()}`, { name: 'Ghost', criterion: 'points', threshold: '1' })).status).toBe(404);
  });

  it('refuses to delete a badge someone has earned (409, with the reason), and it stays on their board', async () => {
    const badge = (await badgeByName('Exam ace'))!;
    const page = await (await manager()).get(`/leaderboards/badges/${badge.id}/edit`);
    expect(page.text).toContain('This badge cannot be deleted');
    expect(page.text).not.toContain(`action="/leaderboards/badges/${badge.id}/delete"`);
    const res = await (await manager()).post(`/leaderboards/badges/${badge.id}/delete`, { confirm: 'yes' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('1 person has already earned it');
    expect(await badgeByName('Exam ace')).toBeDefined();
    expect((await (await as('rep@acme.test')).get('/leaderboards')).text).toContain('Exam ace');
  });

  it('deletes a badge nobody holds, after confirmation', async () => {
    await managePage();
    expect((await (await manager()).post('/leaderboards/badges', { name: 'Unreachable', criterion: 'points', threshold: '99999' })).status).toBe(303);
    const badge = (await badgeByName('Unreachable'))!;
    const page = await (await manager()).get(`/leaderboards/badges/${badge.id}/edit`);
    expect(page.text).toContain(`action="/leaderboards/badges/${badge.id}/delete"`);
    const unconfirmed = await (await manager()).post(`/leaderboards/badges/${badge.id}/delete`, {});
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.text).toContain('tick the box to confirm the deletion');
    expect(await badgeByName('Unreachable')).toBeDefined();
    const res = await (await manager()).post(`/leaderboards/badges/${badge.id}/delete`, { confirm: 'yes' });
    expect(res.status).toBe(303);
    expect(await badgeByName('Unreachable')).toBeUndefined();
    expect(await managePage()).toContain('Badge “Unreachable” deleted.');
  });
});
