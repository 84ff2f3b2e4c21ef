import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';
import { TestClient } from '../helpers/http-client.js';

// Served as https://academy.test behind a proxy on loopback, as in production.
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ APP_URL: 'https://academy.test', TRUST_PROXY: 'loopback', LOGIN_MAX_FAILURES_PER_IP: '4', LOGIN_MAX_FAILURES_PER_ACCOUNT: '100' });
});
afterAll(async () => app?.stop());

const fromAddress = (ip: string) => ({ 'x-forwarded-for': ip, 'x-forwarded-proto': 'https' });

describe('behind an HTTPS proxy', () => {
  it('uses a __Host- cookie that is Secure, HttpOnly and SameSite', async () => {
    const res = await fetch(`${app.baseUrl}/login`, { headers: fromAddress('203.0.113.1') });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^__Host-pa\.sid=/);
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; Path=\//i);
    expect(cookie).not.toMatch(/Domain=/i);
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });

  it('locks out an address that fails too often, across accounts, and not other addresses', async () => {
    const attacker = new TestClient(app.baseUrl);
    await attacker.request('GET', '/login', { headers: fromAddress('198.51.100.7') });
    const emails = ['admin@acme.test', 'rep@acme.test', 'marketer@acme.test', 'admin@globex.test'];
    for (const email of emails) {
      const res = await attacker.request('POST', '/login', { form: { email, password: 'guess-guess-guess' }, headers: fromAddress('198.51.100.7') });
      expect(res.status).toBe(401);
    }
    const blocked = await attacker.request('POST', '/login', { form: { email: 'rep@globex.test', password: DEMO_PASSWORD }, headers: fromAddress('198.51.100.7') });
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toMatch(/^\d+$/);

    const someoneElse = new TestClient(app.baseUrl);
    await someoneElse.request('GET', '/login', { headers: fromAddress('198.51.100.99') });
    const ok = await someoneElse.request('POST', '/login', { form: { email: 'rep@globex.test', password: DEMO_PASSWORD }, headers: fromAddress('198.51.100.99') });
    expect(ok.status).toBe(303);
  });
});
