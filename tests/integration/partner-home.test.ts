import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { eq } from 'drizzle-orm';
import { signedInClients, startTestApp, type TestApp } from '../helpers/test-app.js';
import type { TestClient } from '../helpers/http-client.js';
import { seedDemoLibrary } from '../../assets/library/demo-library.js';
import { seedDemoProgramme, CERTIFICATION_NAME, ONBOARDING_PATH_TITLE, type DemoProgrammeSummary } from '../../courses/demo-programme.js';
import { learningPathEnrolments } from '../../courses/paths/paths.table.js';
import { findUserByEmail } from '../../server/users/users.repository.js';

/**
 * The partner home page over real HTTP, on the demo programme `npm start` seeds: the person's learning paths with
 * progress and the next step, their certificates, their points, a partner admin's readiness, and nothing of other
 * partners.
 */

jest.setTimeout(180_000);

let app: TestApp;
let as: (email: string) => Promise<TestClient>;
let summary: DemoProgrammeSummary;

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#x27;/g, "'").replace(/\s+/g, ' ');
/** The HTML of one section of the home page, from its heading's id to the end of its section. */
const sectionOf = (html: string, headingId: string) => {
  const start = html.indexOf(`aria-labelledby="${headingId}"`);
  expect(start).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</section>', start));
};

beforeAll(async () => {
  app = await startTestApp();
  as = signedInClients(() => app);
  await seedDemoLibrary(app.deps);
  summary = (await seedDemoProgramme(app.deps))!;
  await app.drainSearchOutbox();
});
afterAll(async () => app?.stop());

describe('partner home page', () => {
  it("lists the rep's onboarding path with its progress, due date and next step", async () => {
    const home = await (await as('rep@acme.test')).get('/');
    expect(home.status).toBe(200);
    const learning = sectionOf(home.text, 'learning-heading');
    expect(learning).toContain(`href="/paths/${summary.onboardingPathId}"`);
    expect(text(learning)).toContain(ONBOARDING_PATH_TITLE);
    // Essentials done; Selling started (its lesson stopped half way); the brochure not read.
    expect(text(learning)).toContain('1 of 3 steps complete (33%)');
    expect(text(learning)).toMatch(/Due \d{1,2} \w{3} \d{4}/);
    expect(text(learning)).toContain('In progress');
    // The next step is the course in progress, as the main button.
    expect(learning).toMatch(new RegExp(`<a class="btn btn--primary" href="/courses/${summary.courseIds.selling}">Continue the course`));
    expect(text(learning)).toContain('Up next in Reseller onboarding');
    expect(text(learning)).not.toContain('overdue');
    // The placeholder is gone.
    expect(home.text).not.toContain('What comes next');
  });

  it('shows an overdue path clearly', async () => {
    const rep = await findUserByEmail(app.deps.database.db, 'rep@acme.test');
    const db = app.deps.database.db;
    const [before] = await db.select().from(learningPathEnrolments).where(eq(learningPathEnrolments.userId, rep!.id));
    await db.update(learningPathEnrolments).set({ dueAt: new Date(Date.now() - 2 * 86_400_000) }).where(eq(learningPathEnrolments.id, before!.id));
    try {
      const learning = text(sectionOf((await (await as('rep@acme.test')).get('/')).text, 'learning-heading'));
      expect(learning).toContain('1 learning path is overdue.');
      expect(learning).toContain('Overdue: was due');
      expect(learning).toContain('Overdue');
    } finally {
      await db.update(learningPathEnrolments).set({ dueAt: before!.dueAt }).where(eq(learningPathEnrolments.id, before!.id));
    }
  });

  it("lists the certified admin's certificate with its expiry, their points, and their organisation's readiness", async () => {
    const home = await (await as('admin@acme.test')).get('/');
    expect(home.status).toBe(200);
    const certificates = text(sectionOf(home.text, 'certificates-heading'));
    expect(certificates).toContain(CERTIFICATION_NAME);
    expect(certificates).toContain('Valid');
    expect(certificates).toMatch(/Valid until \d{1,2} \w{3} \d{4}/);
    expect(sectionOf(home.text, 'certificates-heading')).toContain('href="/certifications"');
    // Points: the path, the courses, the exam and the certificate scored, all this month (the seed ran just now).
    const points = text(sectionOf(home.text, 'points-heading'));
    const [, month, allTime] = /This month (\d[\d,]*) .*All time (\d[\d,]*)/.exec(points) ?? [];
    expect(Number(month)).toBeGreaterThan(0);
    expect(month).toBe(allTime);
    expect(points).toMatch(/rank \d+/);
    // Readiness, scoped to Acme.
    const readiness = sectionOf(home.text, 'readiness-heading');
    expect(readiness).toContain('href="/analytics/readiness"');
    expect(text(readiness)).toMatch(/Ready|At risk/);
  });

  it('tells people with nothing yet what to do', async () => {
    // Initech is a consultancy: the onboarding path (for resellers and distributors) is not assigned to its rep.
    const home = text((await (await as('rep@initech.test')).get('/')).text);
    expect(home).toContain('No learning paths assigned to you yet');
    expect(home).toContain('Browse courses');
    expect(home).toContain('No certifications yet.');
    // A rep sees no readiness card: that is for partner admins.
    expect(home).not.toContain("Your organisation's readiness");
  });

  it("never shows another partner's people, certificates or figures", async () => {
    for (const email of ['rep@acme.test', 'admin@acme.test']) {
      const home = (await (await as(email)).get('/')).text;
      for (const other of ['Globex', 'globex', 'Initech', 'Jonas Weber', 'Greta Hoffmann']) expect(home).not.toContain(other);
    }
    // The Acme rep is not certified: the Globex rep's and the Acme admin's certificates stay theirs.
    const rep = text(sectionOf((await (await as('rep@acme.test')).get('/')).text, 'certificates-heading'));
    expect(rep).not.toContain(CERTIFICATION_NAME);
    expect(rep).toContain('No certifications yet.');
  });

  it("gives the same rank as the leaderboard, also to a person hidden from it", async () => {
    const rep = await as('rep@acme.test');
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await rep.get('/leaderboards')).text)![1]!;
    expect((await rep.post('/leaderboards/privacy', { hidden: 'yes', _csrf: csrf })).status).toBe(303);
    try {
      const board = (await rep.get('/leaderboards?board=people&period=month')).text;
      const [, boardRank, boardPoints] = /Your rank: <strong>#(\d+)<\/strong> with (\d+) points/.exec(board) ?? [];
      expect(boardRank).toBeDefined();
      const points = text(sectionOf((await rep.get('/')).text, 'points-heading'));
      expect(points).toContain(`This month ${boardPoints} rank ${boardRank}`);
      expect(points).toContain('You are hidden from public leaderboards: only you see your rank.');
    } finally {
      await rep.post('/leaderboards/privacy', { _csrf: csrf });
    }
    expect(text(sectionOf((await rep.get('/')).text, 'points-heading'))).not.toContain('You are hidden');
  });

  it('keeps the partner figures on the vendor home, without the partner learning sections', async () => {
    const home = await (await as('admin@vendor.test')).get('/');
    expect(home.status).toBe(200);
    expect(home.text).toMatch(/<span class="stat__label">Partner organisations/);
    // The static "What comes next" list became set-up steps shown only while something is missing (tests/integration/vendor-home.test.ts).
    expect(home.text).not.toContain('What comes next');
    expect(home.text).not.toContain('Continue learning');
  });
});
