import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_PASSWORD, linkIn, startTestApp, type TestApp } from '../helpers/test-app.js';
import { TestClient } from '../helpers/http-client.js';
import { findUserByEmail } from '../../server/users/users.repository.js';
import { sessions } from '../../server/auth/auth.table.js';
import { eq } from 'drizzle-orm';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES_PER_IP: '1000' });
});
afterAll(async () => app?.stop());

describe('sign-in', () => {
  it('shows a labelled sign-in form and signs in with the demo account', async () => {
    const client = new TestClient(app.baseUrl);
    const page = await client.get('/login');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<label for="email">Email<\/label>/);
    expect(page.text).toMatch(/<label for="password">Password<\/label>/);
    expect(page.text).toMatch(/<button type="submit"[^>]*>Sign in<\/button>/);
    await client.signIn('rep@acme.test', DEMO_PASSWORD);
    const home = await client.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Welcome back, Riley');
    expect(home.text).toContain('Acme Systems');
  });

  it('rotates the session id at sign-in and keeps the cookie HttpOnly and SameSite', async () => {
    const client = new TestClient(app.baseUrl);
    const loginPage = await client.request('GET', '/login');
    const setCookie = loginPage.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const before = client.cookie('pa.sid');
    expect(before).toBeDefined();
    await client.post('/login', { email: 'rep@acme.test', password: DEMO_PASSWORD });
    const after = client.cookie('pa.sid');
    expect(after).toBeDefined();
    expect(after).not.toEqual(before);
  });

  it('refuses a wrong password with a clear message and no session', async () => {
    const client = new TestClient(app.baseUrl);
    await client.get('/login');
    const res = await client.post('/login', { email: 'rep@globex.test', password: 'not-the-password' });
    expect(res.status).toBe(401);
    expect(res.text).toContain('That email and password do not match an active account.');
    expect((await client.get('/')).status).toBe(303);
  });

  it('throttles an account after repeated failures, even with the right password', async () => {
    const client = new TestClient(app.baseUrl);
    await client.get('/login');
    for (let i = 0; i < 3; i++) expect((await client.post('/login', { email: 'marketer@initech.test', password: 'wrong-password' })).status).toBe(401);
    const locked = await client.post('/login', { email: 'marketer@initech.test', password: DEMO_PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.text).toMatch(/Too many failed sign-in attempts/);
    // Other accounts from the same address are not locked out by this one.
    await client.post('/login', { email: 'rep@initech.test', password: DEMO_PASSWORD }).then((r) => expect(r.status).toBe(303));
  });

  it('signs out and the old session no longer works', async () => {
    const client = new TestClient(app.baseUrl);
    await client.signIn('admin@acme.test', DEMO_PASSWORD);
    const res = await client.post('/logout');
    expect(res.status).toBe(303);
    expect((await client.get('/')).location).toBe('/login?next=%2F');
  });

  it('sends someone who is signed out back to the page they asked for after sign-in', async () => {
    const client = new TestClient(app.baseUrl);
    const res = await client.get('/users');
    expect(res.location).toBe('/login?next=%2Fusers');
    await client.get('/login?next=%2Fusers');
    const signIn = await client.post('/login', { email: 'admin@vendor.test', password: DEMO_PASSWORD, next: '/users' });
    expect(signIn.location).toBe('/users');
    // An off-site next is ignored.
    const other = new TestClient(app.baseUrl);
    await other.get('/login');
    expect((await other.post('/login', { email: 'admin@vendor.test', password: DEMO_PASSWORD, next: '//evil.example/x' })).location).toBe('/');
  });
});

describe('CSRF protection', () => {
  it('refuses a form post without the token, and the same post with it succeeds', async () => {
    const client = new TestClient(app.baseUrl);
    await client.signIn('admin@acme.test', DEMO_PASSWORD);
    await client.get('/profile');
    const forged = await client.post('/profile', { name: 'Forged Name', _csrf: '' });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('This form has expired or was not sent from Partner Academy');
    const ok = await client.post('/profile', { name: 'Alex Carter' });
    expect(ok.status).toBe(303);
  });

  it('refuses a JSON request without the header token', async () => {
    const client = new TestClient(app.baseUrl);
    await client.signIn('admin@acme.test', DEMO_PASSWORD);
    client.forgetCsrfToken();
    const res = await client.request('POST', '/profile', { json: { name: 'Someone' } });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text).error.code).toBe('http.csrf_invalid');
  });

  it('refuses a sign-in post without the token', async () => {
    const client = new TestClient(app.baseUrl);
    const res = await client.post('/login', { email: 'rep@acme.test', password: DEMO_PASSWORD }, { withCsrf: false });
    expect(res.status).toBe(403);
  });
});

describe('invitations', () => {
  it('a partner admin invites a colleague, who accepts, sets a password and signs in', async () => {
    const admin = new TestClient(app.baseUrl);
    await admin.signIn('admin@globex.test', DEMO_PASSWORD);
    const form = await admin.get('/users/invite');
    expect(form.status).toBe(200);
    const orgId = /<option value="([0-9a-f-]{36})" selected>Globex Distribution<\/option>/.exec(form.text)?.[1];
    expect(orgId).toBeDefined();
    expect(form.text).not.toContain('Acme Systems');
    const sent = await admin.post('/users/invite', { organisationId: orgId!, email: 'New.Person@Globex.test', name: 'New Person', role: 'partner_rep' });
    expect(sent.status).toBe(303);

    const mail = await app.mailTo('new.person@globex.test');
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toContain('invited you');
    const link = linkIn(mail[0]!.text, '/invitations/');

    const invitee = new TestClient(app.baseUrl);
    const page = await invitee.get(link);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Join Globex Distribution');
    const short = await invitee.post(link, { name: 'New Person', password: 'short', confirmPassword: 'short' });
    expect(short.status).toBe(400);
    expect(short.text).toContain('use at least 10 characters');
    const accepted = await invitee.post(link, { name: 'New Person', password: 'a-good-password-1', confirmPassword: 'a-good-password-1' });
    expect(accepted.status).toBe(303);
    expect((await invitee.get('/')).text).toContain('Welcome back, New');

    // The link works once.
    expect((await new TestClient(app.baseUrl).get(link)).status).toBe(410);
    const again = new TestClient(app.baseUrl);
    await again.signIn('new.person@globex.test', 'a-good-password-1');
  });

  it('an expired invitation link is refused', async () => {
    const admin = new TestClient(app.baseUrl);
    await admin.signIn('admin@vendor.test', DEMO_PASSWORD);
    const form = await admin.get('/users/invite');
    const acmeId = /<option value="([0-9a-f-]{36})"[^>]*>Acme Systems<\/option>/.exec(form.text)![1]!;
    await admin.post('/users/invite', { organisationId: acmeId, email: 'late@acme.test', role: 'partner_marketer' });
    const link = linkIn((await app.mailTo('late@acme.test'))[0]!.text, '/invitations/');
    app.advanceClock(73 * 3600_000);
    try {
      const res = await new TestClient(app.baseUrl).get(link);
      expect(res.status).toBe(410);
      expect(res.text).toContain('invalid, has expired or was already used');
    } finally {
      app.advanceClock(-73 * 3600_000);
    }
  });

  it('a partner admin cannot give a vendor role, nor invite into another organisation', async () => {
    const admin = new TestClient(app.baseUrl);
    await admin.signIn('admin@initech.test', DEMO_PASSWORD);
    const form = await admin.get('/users/invite');
    const ownId = /<option value="([0-9a-f-]{36})" selected>Initech Consulting<\/option>/.exec(form.text)![1]!;
    const vendorRole = await admin.post('/users/invite', { organisationId: ownId, email: 'x@initech.test', role: 'vendor_admin' });
    expect(vendorRole.status).toBe(400);
    const vendorAdmin = new TestClient(app.baseUrl);
    await vendorAdmin.signIn('admin@vendor.test', DEMO_PASSWORD);
    const acmeId = /<option value="([0-9a-f-]{36})"[^>]*>Acme Systems<\/option>/.exec((await vendorAdmin.get('/users/invite')).text)![1]!;
    const foreign = await admin.post('/users/invite', { organisationId: acmeId, email: 'x@acme.test', role: 'partner_rep' });
    expect(foreign.status).toBe(404);
    expect(await app.mailTo('x@acme.test')).toHaveLength(0);
  });
});

describe('password reset', () => {
  it('emails a single-use link that sets a new password and signs out other sessions', async () => {
    const other = new TestClient(app.baseUrl);
    await other.signIn('marketer@globex.test', DEMO_PASSWORD);

    const client = new TestClient(app.baseUrl);
    await client.get('/password/forgot');
    const res = await client.post('/password/forgot', { email: 'marketer@globex.test' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('If an account exists');
    // Unknown addresses get the same answer and no mail.
    expect((await client.post('/password/forgot', { email: 'nobody@nowhere.test' })).text).toContain('If an account exists');
    expect(await app.mailTo('nobody@nowhere.test')).toHaveLength(0);

    const link = linkIn((await app.mailTo('marketer@globex.test'))[0]!.text, '/password/reset/');
    await client.get(link);
    const mismatch = await client.post(link, { password: 'brand-new-password', confirmPassword: 'something-else' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.text).toContain('does not match');
    expect((await client.post(link, { password: 'brand-new-password', confirmPassword: 'brand-new-password' })).status).toBe(303);
    expect((await client.post(link, { password: 'brand-new-password', confirmPassword: 'brand-new-password' })).status).toBe(410);

    expect((await other.get('/')).status).toBe(303);
    await new TestClient(app.baseUrl).signIn('marketer@globex.test', 'brand-new-password');
  });
});

describe('disabling a user', () => {
  it('signs them out everywhere at once and stops them signing in', async () => {
    const victim = new TestClient(app.baseUrl);
    await victim.signIn('rep@globex.test', DEMO_PASSWORD);
    const user = await findUserByEmail(app.deps.database.db, 'rep@globex.test');
    expect(await app.deps.database.db.select().from(sessions).where(eq(sessions.userId, user!.id))).not.toHaveLength(0);

    const admin = new TestClient(app.baseUrl);
    await admin.signIn('admin@globex.test', DEMO_PASSWORD);
    await admin.get(`/users/${user!.id}`);
    const res = await admin.post(`/users/${user!.id}`, { status: 'disabled' });
    expect(res.status).toBe(303);

    expect(await app.deps.database.db.select().from(sessions).where(eq(sessions.userId, user!.id))).toHaveLength(0);
    expect((await victim.get('/')).status).toBe(303);
    const again = new TestClient(app.baseUrl);
    await again.get('/login');
    expect((await again.post('/login', { email: 'rep@globex.test', password: DEMO_PASSWORD })).status).toBe(401);
  });

  it('an admin cannot disable themselves', async () => {
    const admin = new TestClient(app.baseUrl);
    await admin.signIn('admin@initech.test', DEMO_PASSWORD);
    const me = await findUserByEmail(app.deps.database.db, 'admin@initech.test');
    await admin.get('/profile');
    const res = await admin.post(`/users/${me!.id}`, { status: 'disabled' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('You cannot change your own role or disable yourself');
  });
});

describe('expired sessions', () => {
  it('are not honoured, and the cleanup removes them', async () => {
    const { deleteExpiredSessions } = await import('../../server/auth/auth.repository.js');
    const client = new TestClient(app.baseUrl);
    await client.signIn('admin@vendor.test', DEMO_PASSWORD);
    app.advanceClock(13 * 3600_000);
    try {
      expect((await client.get('/')).status).toBe(303);
      expect(await deleteExpiredSessions(app.deps.database.db, app.deps.clock())).toBeGreaterThan(0);
    } finally {
      app.advanceClock(-13 * 3600_000);
    }
  });
});
