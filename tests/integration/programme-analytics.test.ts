import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { eq, sql } from 'drizzle-orm';
import { signedInClients, startTestApp, type TestApp } from '../helpers/test-app.js';
import type { TestClient } from '../helpers/http-client.js';
import { importPublishedPackage } from '../helpers/courses.js';
import { packageWithPage } from './search-package.js';
import { commitThroughPlayer } from './certifications-player.js';
import { findUserByEmail } from '../../server/users/users.repository.js';
import { organisations, partnerTiers } from '../../server/organisations/organisations.table.js';
import { courses } from '../../courses/catalogue/courses.table.js';
import { certificates, certificationRequirements, certifications, tierCertificationRequirements } from '../../courses/certifications/certifications.table.js';

jest.setTimeout(180_000);

let app: TestApp;
let as: (email: string) => Promise<TestClient>;
let examCourse: string;
const db = () => app.deps.database.db;
const orgId = async (slug: string) => (await db().select({ id: organisations.id }).from(organisations).where(eq(organisations.slug, slug)))[0]!.id;

/** The text of each cell of a table's body rows (tags stripped). */
function tableRows(html: string, id: string): string[][] {
  const table = new RegExp(`<table[^>]*id="${id}"[\\s\\S]*?<tbody>([\\s\\S]*?)</tbody>`).exec(html)?.[1] ?? '';
  return [...table.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((m) =>
    [...m[1]!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()),
  );
}
const statOf = (html: string, label: string) => new RegExp(`stat__value">([^<]+)</span><span class="stat__label">${label}<`).exec(html)?.[1];

beforeAll(async () => {
  app = await startTestApp();
  as = signedInClients(() => app);
  ({ courseId: examCourse } = await importPublishedPackage(app, await packageWithPage('<p>Exam</p>'), 'Platform exam'));
  // An exam certification (passing 70) the gold tier (Acme) needs two certified people in.
  const [certification] = await db().insert(certifications).values({ name: 'Platform Certified', validityMonths: 12 }).returning();
  await db().insert(certificationRequirements).values({ certificationId: certification!.id, kind: 'exam', courseId: examCourse, passingScore: 70 });
  const gold = (await db().select().from(partnerTiers).where(eq(partnerTiers.key, 'gold')))[0]!;
  await db().insert(tierCertificationRequirements).values({ tierId: gold.id, certificationId: certification!.id, requiredCount: 2 });

  // Acme: the rep scores 80 (passes, certified), the admin starts without finishing. Globex: the rep scores 60 (fails the exam).
  await commitThroughPlayer(await as('rep@acme.test'), examCourse, { lesson_status: 'completed', score: { raw: '80', max: '100' } });
  await commitThroughPlayer(await as('admin@acme.test'), examCourse, { lesson_status: 'incomplete' });
  await commitThroughPlayer(await as('rep@globex.test'), examCourse, { lesson_status: 'completed', score: { raw: '60', max: '100' } });
  // The Acme rep's certificate expires within 90 days.
  const acmeRep = (await findUserByEmail(db(), 'rep@acme.test'))!.id;
  await db().update(certificates).set({ expiresAt: sql`now() + interval '30 days'` }).where(eq(certificates.userId, acmeRep));
});
afterAll(async () => app?.stop());

describe('programme dashboard', () => {
  it('counts enrolments, completions, completion rate, average score and active learners across partners', async () => {
    const res = await (await as('enablement@vendor.test')).get('/analytics?period=30');
    expect(res.status).toBe(200);
    // 3 enrolled (Acme rep and admin, Globex rep), 2 completed: 67%; best scores 80 and 60 average 70%.
    expect(tableRows(res.text, 'courses-table')).toEqual([['Platform exam', '3', '2', '67%', '70%', '1 min']]);
    expect(statOf(res.text, 'Enrolments')).toBe('3');
    expect(statOf(res.text, 'Completions')).toBe('2');
    expect(statOf(res.text, 'Active learners')).toBe('3');
    expect(statOf(res.text, 'Certifications earned')).toBe('1');
    expect(statOf(res.text, 'Expiring in 90 days')).toBe('1');
    expect(tableRows(res.text, 'certifications-table')).toEqual([['Platform Certified', '1', '1']]);
    // The chart is drawn with the library's partial and carries its numbers on hover.
    expect(res.text).toMatch(/<svg class="usage-chart"[\s\S]*?<title>[^<]*: 3 enrolments, 2 completions<\/title>/);
  });

  it('filters by partner type, and scopes a partner admin to their organisation whatever the query asks', async () => {
    const distributors = await (await as('admin@vendor.test')).get('/analytics?period=30&partnerType=distributor');
    expect(tableRows(distributors.text, 'courses-table')).toEqual([['Platform exam', '1', '1', '100%', '60%', '1 min']]);

    const acme = await (await as('admin@acme.test')).get(`/analytics?period=30&organisationId=${await orgId('globex')}`);
    expect(acme.status).toBe(200);
    expect(tableRows(acme.text, 'courses-table')).toEqual([['Platform exam', '2', '1', '50%', '80%', '1 min']]);
    expect(statOf(acme.text, 'Active learners')).toBe('2');
    expect(acme.text).not.toContain('Globex');
    expect(acme.text).not.toContain('name="organisationId"');
    const readiness = await (await as('admin@acme.test')).get('/analytics/readiness');
    expect(readiness.text).toContain('Acme Systems');
    expect(readiness.text).not.toMatch(/Globex|Initech/);
    expect(readiness.text).not.toContain('/nudge');
    const csv = await (await as('admin@acme.test')).get(`/analytics/readiness.csv?organisationId=${await orgId('globex')}`);
    expect(csv.text).toContain('Acme Systems');
    expect(csv.text).not.toMatch(/Globex|Initech/);
  });

  it('refuses reps and marketers, and an unknown organisation filter is a 400 with the field marked', async () => {
    expect((await (await as('rep@acme.test')).get('/analytics')).status).toBe(403);
    expect((await (await as('marketer@globex.test')).get('/analytics/readiness')).status).toBe(403);
    const unknown = await (await as('admin@vendor.test')).get('/analytics?organisationId=00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('Choose one of the listed partner organisations.');
  });

  it('exports every table as CSV, with formula-like cells neutralised', async () => {
    await db().update(courses).set({ title: '=HYPERLINK("http://evil.example","x")' }).where(eq(courses.id, examCourse));
    try {
      const res = await (await as('enablement@vendor.test')).get('/analytics/courses.csv?period=30');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/csv');
      const lines = res.text.replace(/^\uFEFF/, '').trim().split('\r\n');
      expect(lines[0]).toBe('Course,Enrolled in period,Completed,Completion rate (%),Average best score (%),Average time (minutes)');
      expect(lines[1]).toBe(`"'=HYPERLINK(""http://evil.example"",""x"")",3,2,66.7,70,1`);
      const trend = await (await as('enablement@vendor.test')).get('/analytics/trend.csv?period=30');
      expect(trend.text.trim().split('\r\n')).toHaveLength(31);
      const certs = await (await as('enablement@vendor.test')).get('/analytics/certifications.csv');
      expect(certs.text).toContain('Platform Certified,1,1');
    } finally {
      await db().update(courses).set({ title: 'Platform exam' }).where(eq(courses.id, examCourse));
    }
  });
});

describe('partner readiness', () => {
  it('flags organisations at risk with the reasons in words', async () => {
    const res = await (await as('enablement@vendor.test')).get('/analytics/readiness');
    expect(res.status).toBe(200);
    const rows = Object.fromEntries(tableRows(res.text, 'readiness-table').map((cells) => [cells[0]!.split(' ').slice(0, 2).join(' '), cells]));
    const acme = rows['Acme Systems']!;
    expect(acme[1]).toBe('Platform Certified: 1 of 2');
    expect(acme[2]).toBe('1'); // expiring
    expect(acme[3]).toBe('1 of 3'); // the marketer did nothing
    expect(acme[6]).toContain('At risk');
    expect(acme[6]).toContain('Gold tier needs 2 certified people in Platform Certified; 1 is certified.');
    expect(acme[6]).toContain('1 certification expires within 90 days.');
    expect(acme[6]).toContain('No library downloads in 90 days.');
    expect(acme[6]).not.toContain('had no course or library activity');
    const globex = rows['Globex Distribution']!;
    expect(globex[4]).toBe('Platform exam: 60% (passing 70%)');
    expect(globex[6]).toContain('Average exam score on Platform exam is 60%, below the 70% passing score.');
    expect(globex[6]).toContain('2 of 3 people had no course or library activity in 60 days.');
    expect(rows['Initech Consulting']![6]).toContain('3 of 3 people had no course or library activity in 60 days.');

    const distributors = await (await as('enablement@vendor.test')).get('/analytics/readiness?partnerType=distributor');
    expect(tableRows(distributors.text, 'readiness-table').map((cells) => cells[0])).toEqual(['Globex Distribution Platinum']);
  });

  it('the enablement manager nudges an organisation: one mail to each partner admin, nobody else', async () => {
    const manager = await as('enablement@vendor.test');
    await manager.get('/analytics/readiness');
    const res = await manager.post(`/analytics/readiness/${await orgId('acme')}/nudge`, {});
    expect(res.status).toBe(303);
    expect(res.location).toBe('/analytics/readiness');
    const mails = await app.mailTo('admin@acme.test');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('Partner readiness for Acme Systems');
    expect(mails[0]!.text).toContain('Gold tier needs 2 certified people in Platform Certified; 1 is certified.');
    expect(await app.mailTo('rep@acme.test')).toHaveLength(0);
    expect(await app.mailTo('admin@globex.test')).toHaveLength(0);
    expect((await manager.get('/analytics/readiness')).text).toContain('Nudge sent to the partner admin of Acme Systems.');

    const admin = await as('admin@acme.test');
    await admin.get('/analytics/readiness');
    expect((await admin.post(`/analytics/readiness/${await orgId('acme')}/nudge`, {})).status).toBe(403);
    expect((await manager.post(`/analytics/readiness/${await orgId('vendor')}/nudge`, {})).status).toBe(404);
    expect(await app.mailTo('admin@acme.test')).toHaveLength(1);
  });
});
