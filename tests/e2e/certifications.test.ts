import { describe, expect, it, jest } from '@jest/globals';
import { eq } from 'drizzle-orm';
import { DEMO_PASSWORD } from '../helpers/test-app.js';
import { appAndBrowserForFile, describeWithBrowser, MOBILE, newContext, signedInPage as signedInPageOf, screenshotAndAudit } from '../helpers/browser.js';
import { importPublishedPackage } from '../helpers/courses.js';
import { packageWithPage } from '../integration/search-package.js';
import { findUserByEmail } from '../../server/users/users.repository.js';
import { certificates } from '../../courses/certifications/certifications.table.js';
import { TestClient } from '../helpers/http-client.js';
import { commitThroughPlayer } from '../integration/certifications-player.js';

jest.setTimeout(120_000);

const suite = appAndBrowserForFile();

const signedInPage = (email: string, viewport?: { width: number; height: number }) => signedInPageOf(suite, email, viewport);

const audit = screenshotAndAudit;

describeWithBrowser(describe)('certifications in the browser', () => {
  it('the manager defines a certification; the holder, the verification page and the organisation view pass axe', async () => {
    const { courseId } = await importPublishedPackage(suite.app, await packageWithPage('<p>Lesson</p>'), 'Certified seller foundations');

    const manager = await signedInPage('enablement@vendor.test');
    await manager.goto('/certifications/manage');
    await manager.getByRole('link', { name: 'New certification' }).first().click();
    await manager.getByLabel('Name').fill('Certified Seller');
    await manager.getByLabel('Certified seller foundations').check();
    await manager.getByLabel('Valid for (months)').fill('2');
    await manager.getByLabel('Recertification window (days)').fill('30');
    await audit(manager, 'desktop-certification-form');
    await Promise.all([manager.waitForURL(/\/certifications\/[0-9a-f-]{36}\/holders$/), manager.getByRole('button', { name: 'Create certification' }).click()]);

    // The rep passes the course through the real player commit path; the tracking hook issues the certificate.
    const db = suite.app.deps.database.db;
    const rep = (await findUserByEmail(db, 'rep@acme.test'))!;
    const learner = new TestClient(suite.app.baseUrl);
    await learner.signIn('rep@acme.test', DEMO_PASSWORD);
    await commitThroughPlayer(learner, courseId, { lesson_status: 'passed' });
    const [certificate] = await db.select().from(certificates).where(eq(certificates.userId, rep.id));
    expect(certificate).toBeDefined();

    const player = await signedInPage('rep@acme.test');
    await player.goto('/certifications');
    await expect(player.getByRole('link', { name: /Download PDF/ }).count()).resolves.toBe(1);
    await audit(player, 'desktop-my-certifications');

    const visitor = await (await newContext(suite.browser, suite.app.baseUrl)).newPage();
    await visitor.goto(`/verify/${certificate!.id}`);
    await expect(visitor.getByRole('heading', { name: 'Certificate check' }).count()).resolves.toBe(1);
    await expect(visitor.getByText('Riley Nguyen').count()).resolves.toBe(1);
    await audit(visitor, 'desktop-verify');
    const phone = await (await newContext(suite.browser, suite.app.baseUrl, { viewport: MOBILE })).newPage();
    await phone.goto(`/verify/${certificate!.id}`);
    await audit(phone, 'mobile-verify');

    // Gold (Acme's tier) needs two certified reps.
    await manager.goto('/certifications/tier-requirements');
    await manager.getByLabel('Tier').selectOption({ label: 'Gold' });
    await manager.getByLabel('Certification', { exact: true }).selectOption({ label: 'Certified Seller' });
    await manager.getByLabel('Role').selectOption({ label: 'Partner rep' });
    await manager.getByLabel('Certified people needed').fill('2');
    await Promise.all([manager.waitForURL(/\/certifications\/tier-requirements$/), manager.getByRole('button', { name: 'Add requirement' }).click()]);
    await expect(manager.getByRole('row', { name: /Gold Certified Seller Partner rep 2/ }).count()).resolves.toBe(1);
    await audit(manager, 'desktop-tier-requirements');

    await manager.goto('/certifications/organisations');
    await expect(manager.getByRole('heading', { name: /Acme Systems/ }).count()).resolves.toBe(1);
    await expect(manager.getByText('1 of 2 (Partner rep)').count()).resolves.toBe(1);
    await audit(manager, 'desktop-certifications-organisations');
    await manager.goto(`/certifications/${certificate!.certificationId}/holders`);
    await audit(manager, 'desktop-certification-holders');
  });
});
