import { describe, expect, it, jest } from '@jest/globals';
import { appAndBrowserForFile, describeWithBrowser, signedInPage as signedInPageOf, screenshotAndAudit } from '../helpers/browser.js';
import { findUserByEmail } from '../../server/users/users.repository.js';
import { awardOutcome } from '../../courses/gamification/gamification.service.js';

jest.setTimeout(120_000);

const suite = appAndBrowserForFile();

const signedInPage = (email: string, viewport?: { width: number; height: number }) => signedInPageOf(suite, email, viewport);

const audit = screenshotAndAudit;

describeWithBrowser(describe)('leaderboards in the browser', () => {
  it('shows people and organisations boards, the hide toggle and the enablement settings; pages pass axe', async () => {
    const db = suite.app.deps.database.db;
    const now = suite.app.deps.clock();
    const award = async (email: string, kind: 'course_completed' | 'exam_passed' | 'cobrand_used', subjectId: string) =>
      awardOutcome(db, { kind, userId: (await findUserByEmail(db, email))!.id, subjectId, occurredAt: now });
    await award('rep@initech.test', 'exam_passed', '00000000-0000-4000-8000-000000000001');
    await award('rep@globex.test', 'course_completed', '00000000-0000-4000-8000-000000000002');
    await award('marketer@acme.test', 'cobrand_used', '00000000-0000-4000-8000-000000000003');

    const rep = await signedInPage('marketer@acme.test');
    // The main navigation groups the learning pages in a menu.
    await rep.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /^Learning/ }).click();
    await rep.getByRole('link', { name: 'Leaderboards' }).first().click();
    await rep.waitForURL(/\/leaderboards/);
    await expect(rep.getByRole('row', { name: /Wei Lin Tan/ }).count()).resolves.toBe(1);
    await expect(rep.getByText('Your rank:').count()).resolves.toBe(1);
    await audit(rep, 'desktop-leaderboards-people');

    await rep.getByRole('link', { name: 'Organisations' }).click();
    await rep.waitForURL(/board=organisations/);
    await expect(rep.getByRole('row', { name: /Acme Systems/ }).count()).resolves.toBe(1);
    await audit(rep, 'desktop-leaderboards-organisations');

    await rep.getByLabel('Hide me from public leaderboards').check();
    await Promise.all([rep.waitForURL(/#privacy-heading$/), rep.getByRole('button', { name: 'Save' }).click()]);
    await expect(rep.getByLabel('Hide me from public leaderboards').isChecked()).resolves.toBe(true);

    const manager = await signedInPage('enablement@vendor.test');
    await manager.goto('/leaderboards/manage');
    await manager.getByLabel('Course completed').fill('75');
    await Promise.all([manager.waitForURL(/#rules-heading$/), manager.getByRole('button', { name: 'Save point rules' }).click()]);
    await expect(manager.getByLabel('Course completed').inputValue()).resolves.toBe('75');
    await audit(manager, 'desktop-leaderboards-manage');
  });
});
