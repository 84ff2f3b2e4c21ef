import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';
import { TestClient } from '../helpers/http-client.js';
import { findUserByEmail } from '../../server/users/users.repository.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.stop());

const OTHER_PARTNERS = ['globex', 'initech', 'Globex', 'Initech'];

describe('a partner never sees another partner', () => {
  it("in the user list, its count, and its search", async () => {
    const admin = new TestClient(app.baseUrl);
    await admin.signIn('admin@acme.test', DEMO_PASSWORD);
    const list = await admin.get('/users');
    expect(list.status).toBe(200);
    expect(list.text).toContain('rep@acme.test');
    for (const other of OTHER_PARTNERS) expect(list.text).not.toContain(other);
    expect(list.text).toContain('3 people match');
    const search = await admin.get('/users?q=globex');
    expect(search.text).toContain('0 people match');
    // A forged organisation filter cannot widen the scope.
    const globexRep = await findUserByEmail(app.deps.database.db, 'rep@globex.test');
    const forged = await admin.get(`/users?organisationId=${globexRep!.organisationId}`);
    expect(forged.text).toContain('0 people match');
  });

  it('on the dashboard, whose figures count only its own organisation', async () => {
    const rep = new TestClient(app.baseUrl);
    await rep.signIn('rep@initech.test', DEMO_PASSWORD);
    const home = await rep.get('/');
    expect(home.text).toContain('Initech Consulting');
    expect(home.text).toMatch(/<span class="stat__value">3<\/span><span class="stat__label">People in your organisation/);
    for (const other of ['Acme', 'Globex']) expect(home.text).not.toContain(other);
  });

  it("on another organisation's page and its user pages, answered like a missing one", async () => {
    const admin = new TestClient(app.baseUrl);
    await admin.signIn('admin@acme.test', DEMO_PASSWORD);
    const globexRep = await findUserByEmail(app.deps.database.db, 'rep@globex.test');
    const foreignOrg = await admin.get(`/organisations/${globexRep!.organisationId}`);
    const missingOrg = await admin.get('/organisations/00000000-0000-4000-8000-000000000000');
    expect(foreignOrg.status).toBe(404);
    expect(missingOrg.status).toBe(404);
    expect(foreignOrg.text.replace(/value="[^"]*"/g, '')).toBe(missingOrg.text.replace(/value="[^"]*"/g, ''));
    const foreignUser = await admin.get(`/users/${globexRep!.id}`);
    expect(foreignUser.status).toBe(404);
    expect(foreignUser.text).not.toContain('Jonas');
  });

  it("cannot change another organisation's users or branding", async () => {
    const admin = new TestClient(app.baseUrl);
    await admin.signIn('admin@acme.test', DEMO_PASSWORD);
    const globexRep = await findUserByEmail(app.deps.database.db, 'rep@globex.test');
    await admin.get('/profile');
    expect((await admin.post(`/users/${globexRep!.id}`, { status: 'disabled' })).status).toBe(404);
    expect((await admin.post(`/organisations/${globexRep!.organisationId}/branding`, { contactName: 'Hijacked' })).status).toBe(404);
    const after = await findUserByEmail(app.deps.database.db, 'rep@globex.test');
    expect(after!.status).toBe('active');
  });

  it('vendor staff see every organisation', async () => {
    const staff = new TestClient(app.baseUrl);
    await staff.signIn('enablement@vendor.test', DEMO_PASSWORD);
    const list = await staff.get('/organisations');
    for (const name of ['Acme Systems', 'Globex Distribution', 'Initech Consulting', 'Northwind Software']) expect(list.text).toContain(name);
    const home = await staff.get('/');
    expect(home.text).toMatch(/<span class="stat__value">3<\/span><span class="stat__label">Partner organisations/);
    expect(home.text).toMatch(/<span class="stat__value">11<\/span><span class="stat__label">People with accounts/);
  });
});

describe('vendor admin manages organisations and tiers', () => {
  it('creates a partner organisation, edits it, and refuses a duplicate short name', async () => {
    const admin = new TestClient(app.baseUrl);
    await admin.signIn('admin@vendor.test', DEMO_PASSWORD);
    const form = await admin.get('/organisations/new');
    const tierId = /<option value="([0-9a-f-]{36})"[^>]*>Gold<\/option>/.exec(form.text)![1]!;
    const fields = { name: 'Umbrella Agency', slug: 'umbrella', partnerType: 'agency', tierId, region: 'EMEA', country: 'fr', website: 'https://umbrella.example' };
    const created = await admin.post('/organisations', fields);
    expect(created.status).toBe(303);
    const detail = await admin.get(created.location!);
    expect(detail.text).toContain('Umbrella Agency');
    expect(detail.text).toContain('Agency · Gold');
    expect(detail.text).toContain('FR');
    const duplicate = await admin.post('/organisations', { ...fields, name: 'Another' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.text).toContain('already used by another organisation');
    const edited = await admin.post(created.location!, { ...fields, name: 'Umbrella Creative' });
    expect(edited.status).toBe(303);
    expect((await admin.get(created.location!)).text).toContain('Umbrella Creative');
  });

  it('adds, renames and deletes tiers, and refuses to delete one in use', async () => {
    const admin = new TestClient(app.baseUrl);
    await admin.signIn('admin@vendor.test', DEMO_PASSWORD);
    await admin.get('/settings/tiers');
    expect((await admin.post('/settings/tiers', { key: 'diamond', name: 'Diamond', rank: '4' })).status).toBe(303);
    const page = await admin.get('/settings/tiers');
    expect(page.text).toContain('value="Diamond"');
    // Demo partners use gold, platinum and silver once each, and the test above added a gold one.
    const countOf = (name: string) => new RegExp(`value="${name}"[^]*?<td class="num">(\\d+)</td>`).exec(page.text)?.[1];
    expect([countOf('Gold'), countOf('Platinum'), countOf('Silver'), countOf('Diamond')]).toEqual(['2', '1', '1', '0']);
    const diamondId = /id="tier-name-([0-9a-f-]{36})" name="name" value="Diamond"/.exec(page.text)![1]!;
    expect((await admin.post(`/settings/tiers/${diamondId}`, { name: 'Diamond Elite', rank: '5' })).status).toBe(303);
    expect((await admin.get('/settings/tiers')).text).toContain('value="Diamond Elite"');
    expect((await admin.post(`/settings/tiers/${diamondId}/delete`)).status).toBe(303);
    expect((await admin.get('/settings/tiers')).text).not.toContain('Diamond');
    const goldId = /id="tier-name-([0-9a-f-]{36})" name="name" value="Gold"/.exec(page.text)![1]!;
    const inUse = await admin.post(`/settings/tiers/${goldId}/delete`);
    expect(inUse.status).toBe(409);
    expect(inUse.text).toMatch(/used by \d+ organisation/);
  });

  it('a partner marketer maintains their own branding', async () => {
    const marketer = new TestClient(app.baseUrl);
    await marketer.signIn('marketer@acme.test', DEMO_PASSWORD);
    const acme = (await findUserByEmail(app.deps.database.db, 'marketer@acme.test'))!.organisationId;
    await marketer.get(`/organisations/${acme}/branding`);
    const bad = await marketer.post(`/organisations/${acme}/branding`, { brandPrimaryColor: 'red' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('use a colour such as #1a73e8');
    const ok = await marketer.post(`/organisations/${acme}/branding`, { contactName: 'Morgan Diaz', contactEmail: 'Morgan@Acme.test', brandPrimaryColor: '#FF6600' });
    expect(ok.status).toBe(303);
    const detail = await marketer.get(`/organisations/${acme}`);
    expect(detail.text).toContain('morgan@acme.test');
    expect(detail.text).toContain('#ff6600');
  });
});
