import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';
import { TestClient } from '../helpers/http-client.js';
import { seedDemoLibrary } from '../../assets/library/demo-library.js';

/** The demo library that `npm start` adds to a fresh database: real previews, search rows and visibility. */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
}, 60_000);
afterAll(async () => app?.stop());

const cardCount = (html: string) => (html.match(/class="course-card"/g) ?? []).length;

describe('demo library', () => {
  it('adds previewed, searchable assets, one for distributors only', async () => {
    expect(await seedDemoLibrary(app.deps)).toBe(5);
    await app.drainSearchOutbox();
    const acme = new TestClient(app.baseUrl);
    await acme.signIn('rep@acme.test', DEMO_PASSWORD);
    const globex = new TestClient(app.baseUrl);
    await globex.signIn('rep@globex.test', DEMO_PASSWORD);
    const acmeGrid = await acme.get('/library');
    expect(cardCount(acmeGrid.text)).toBe(4);
    expect((acmeGrid.text.match(/preview\.webp/g) ?? []).length).toBe(4);
    expect(acmeGrid.text).toContain('Product line');
    expect(cardCount((await globex.get('/library')).text)).toBe(5);
    // Words that appear only inside the brochure PDF's text layer.
    const found = await acme.get('/library?q=intrusions');
    expect(found.text).toContain('Northwind Firewall brochure');
    expect(cardCount(found.text)).toBe(1);
  });
});
