import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { eq } from 'drizzle-orm';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';
import { TestClient } from '../helpers/http-client.js';
import { uploadAsset } from '../helpers/assets.js';
import { checkAccessibility, describeWithBrowser, formatViolations, launchBrowser, newContext, signInThroughForm } from '../helpers/browser.js';
import { cobrandTemplates } from '../../assets/cobranding/cobranding.table.js';
import { organisations } from '../../server/organisations/organisations.table.js';
import sharp from 'sharp';

jest.setTimeout(90_000);

let app: TestApp | undefined;
let browser: Browser | undefined;
let page: Page;
let assetId: string;

async function brochurePdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.HelveticaBold);
  for (let n = 1; n <= 2; n++) {
    const sheet = doc.addPage([595, 842]);
    sheet.drawText('Northwind Cloud Suite', { x: 60, y: 600, size: 32, font });
    sheet.drawText(`Product brochure, page ${n}`, { x: 60, y: 560, size: 18, font });
  }
  return Buffer.from(await doc.save());
}

const numberIn = async (label: string) => Number(await page.getByLabel(label, { exact: true }).inputValue());

beforeAll(async () => {
  app = await startTestApp();
  browser = await launchBrowser();
  const manager = new TestClient(app.baseUrl);
  await manager.signIn('enablement@vendor.test', DEMO_PASSWORD);
  assetId = await uploadAsset(manager, { filename: 'brochure.pdf', bytes: await brochurePdf(), fields: { title: 'Product brochure' } });
  page = await (await newContext(browser, app.baseUrl)).newPage();
  await signInThroughForm(page, 'enablement@vendor.test', DEMO_PASSWORD);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describeWithBrowser(describe)('co-branding template editor in Chromium', () => {
  it('adds a field, drags and resizes its box, refreshes the live preview and saves', async () => {
    await page.goto(`/library/assets/${assetId}/cobranding`);
    await Promise.all([page.waitForURL(`**/library/assets/${assetId}/cobranding`), page.getByRole('button', { name: 'Add a field' }).click()]);
    await expect(page.getByRole('group', { name: 'Field 1' }).count()).resolves.toBe(1);

    const box = page.locator('.cobrand-box').first();
    await box.waitFor();
    const preview = page.locator('[data-cobrand-preview]');
    await page.waitForFunction(() => (document.querySelector('[data-cobrand-preview]') as HTMLImageElement).complete);
    const srcBefore = await preview.getAttribute('src');
    const [x0, y0, w0] = [await numberIn('X'), await numberIn('Y'), await numberIn('Width')];

    // Drag the box 120 px right and 80 px down, then its corner handle 60 px right.
    const rect = (await box.boundingBox())!;
    await page.mouse.move(rect.x + rect.width / 2, rect.y + rect.height / 2);
    await page.mouse.down();
    await page.mouse.move(rect.x + rect.width / 2 + 60, rect.y + rect.height / 2 + 40, { steps: 5 });
    await page.mouse.move(rect.x + rect.width / 2 + 120, rect.y + rect.height / 2 + 80, { steps: 5 });
    await page.mouse.up();
    const stageWidth = (await page.locator('[data-cobrand-stage]').boundingBox())!.width;
    const pointsPerPixel = 595 / stageWidth;
    expect(await numberIn('X')).toBeCloseTo(x0 + 120 * pointsPerPixel, 0);
    expect(await numberIn('Y')).toBeCloseTo(y0 + 80 * pointsPerPixel, 0);

    const handle = page.locator('.cobrand-box__handle').first();
    const h = (await handle.boundingBox())!;
    await page.mouse.move(h.x + h.width / 2, h.y + h.height / 2);
    await page.mouse.down();
    await page.mouse.move(h.x + h.width / 2 + 60, h.y + h.height / 2, { steps: 5 });
    await page.mouse.up();
    expect(await numberIn('Width')).toBeCloseTo(w0 + 60 * pointsPerPixel, 0);

    // The live preview is asked for again with the new numbers (debounced) and loads.
    await page.waitForFunction((before) => {
      const img = document.querySelector('[data-cobrand-preview]') as HTMLImageElement;
      return img.getAttribute('src') !== before && img.getAttribute('data-state') === 'loaded';
    }, srcBefore);
    const srcAfter = decodeURIComponent((await preview.getAttribute('src'))!);
    expect(srcAfter).toContain(`"x":${await numberIn('X')}`);
    expect(await preview.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(100);

    // Typing a number moves the box too.
    const srcBeforeTyping = await preview.getAttribute('src');
    await page.getByLabel('Y', { exact: true }).fill('20');
    const top = await box.evaluate((el) => (el as HTMLElement).style.top);
    expect(parseFloat(top)).toBeCloseTo((20 / 842) * 100, 1);
    await page.waitForFunction((before) => {
      const img = document.querySelector('[data-cobrand-preview]') as HTMLImageElement;
      return img.getAttribute('src') !== before && img.getAttribute('data-state') === 'loaded';
    }, srcBeforeTyping);

    await page.screenshot({ path: '/tmp/cobrand-editor.png', fullPage: true });
    expect(formatViolations(await checkAccessibility(page))).toBe('');

    await Promise.all([page.waitForURL(/\/cobranding\?page=1$/), page.getByRole('button', { name: 'Save co-branding' }).click()]);
    await expect(page.getByText('Co-branding saved (placement version 1)').count()).resolves.toBe(1);
    const [template] = await app!.deps.database.db.select().from(cobrandTemplates).where(eq(cobrandTemplates.assetId, assetId));
    expect(template!.placements).toEqual([expect.objectContaining({ kind: 'name', page: 1, box: expect.objectContaining({ y: 20 }) })]);
    expect(formatViolations(await checkAccessibility(page))).toBe('');
  });

  it('lets a partner marketer upload a logo on the branding page and shows it, accessibly', async () => {
    const partner = await (await newContext(browser!, app!.baseUrl)).newPage();
    await signInThroughForm(partner, 'marketer@acme.test', DEMO_PASSWORD);
    await partner.goto('/');
    const acme = await app!.deps.database.db.select().from(organisations).where(eq(organisations.slug, 'acme'));
    await partner.goto(`/organisations/${acme[0]!.id}/branding`);
    const logo = await sharp({ create: { width: 480, height: 200, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .composite([{ input: await sharp({ create: { width: 300, height: 120, channels: 4, background: { r: 200, g: 40, b: 120, alpha: 1 } } }).png().toBuffer(), left: 90, top: 40 }])
      .png()
      .toBuffer();
    await partner.getByLabel('Logo file').setInputFiles({ name: 'acme-logo.png', mimeType: 'image/png', buffer: logo });
    await Promise.all([partner.waitForURL(/\/branding$/), partner.getByRole('button', { name: 'Upload logo' }).click()]);
    const image = partner.getByRole('img', { name: 'Current logo of Acme Systems' });
    await image.waitFor();
    await partner.waitForFunction(() => (document.querySelector('.logo-settings__image') as HTMLImageElement | null)?.complete === true);
    expect(await image.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([300, 120]);
    await partner.screenshot({ path: '/tmp/cobrand-branding.png', fullPage: true });
    expect(formatViolations(await checkAccessibility(partner))).toBe('');
  });

  it('shows a partner the co-branded preview page, accessibly', async () => {
    const partner = await (await newContext(browser!, app!.baseUrl)).newPage();
    await signInThroughForm(partner, 'marketer@acme.test', DEMO_PASSWORD);
    const res = await partner.goto(`/library/assets/${assetId}/cobranded/preview-page`);
    expect(res?.status()).toBe(200);
    await partner.waitForFunction(() => (document.querySelector('.cobrand-preview-image') as HTMLImageElement).complete);
    expect(await partner.locator('.cobrand-preview-image').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(100);
    await partner.screenshot({ path: '/tmp/cobrand-partner-preview.png', fullPage: true });
    expect(formatViolations(await checkAccessibility(partner))).toBe('');
  });
});
