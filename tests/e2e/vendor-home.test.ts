import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { appAndBrowserForFile, describeWithBrowser, DESKTOP, MOBILE, screenshotAndAudit, signedInPage } from '../helpers/browser.js';
import { seedDemoLibrary } from '../../assets/library/demo-library.js';
import { seedDemoProgramme } from '../../courses/demo-programme.js';

/** The enablement team's home on the demo programme, at desktop and phone widths: screenshots, axe, no sideways scrolling. */

jest.setTimeout(180_000);

const suite = appAndBrowserForFile();

describeWithBrowser(describe)('vendor home in the browser', () => {
  beforeAll(async () => {
    await seedDemoLibrary(suite.app.deps);
    await seedDemoProgramme(suite.app.deps);
    await suite.app.drainSearchOutbox();
  });

  it.each([
    ['desktop', DESKTOP],
    ['mobile', MOBILE],
  ] as const)('shows the programme at a glance on %s', async (name, viewport) => {
    const page = await signedInPage(suite, 'enablement@vendor.test', viewport);
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 2, name: 'Programme, last 90 days' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('heading', { name: 'Needs attention' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('link', { name: /Organisations at risk, of/ }).getAttribute('href')).resolves.toBe('/analytics/readiness?show=at_risk');
    await screenshotAndAudit(page, `${name}-dashboard-vendor-programme`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
    await page.context().close();
  });
});
