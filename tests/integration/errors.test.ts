import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { Writable } from 'node:stream';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';
import { TestClient } from '../helpers/http-client.js';
import { errorHandler } from '../../server/http/error-handler.js';
import { createLogger } from '../../server/logging/logger.js';
import { startHttpServer } from '../../server/http/http-server.js';
import { configureViews } from '../../server/views/view-engine.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ BODY_LIMIT: '10kb' });
});
afterAll(async () => app?.stop());

describe('bad input gets a clean answer', () => {
  it('an unknown page is a 404 page, never a stack trace', async () => {
    const res = await new TestClient(app.baseUrl).get('/no/such/page');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.text).toContain('We could not find that page');
    expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('JSON clients get JSON errors', async () => {
    const res = await fetch(`${app.baseUrl}/no/such/page`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'http.not_found', message: expect.stringContaining('could not find') } });
  });

  it('a known path with the wrong method is 405 with Allow', async () => {
    const res = await fetch(`${app.baseUrl}/login`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST, HEAD');
    expect(await res.text()).toContain('DELETE is not supported here');
  });

  it('malformed JSON is a 400 that says so', async () => {
    const res = await fetch(`${app.baseUrl}/login`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: '{"email": ' });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('http.malformed_body');
  });

  it('an oversized body is a 413 naming the limit', async () => {
    const res = await fetch(`${app.baseUrl}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `email=${'a'.repeat(20 * 1024)}`,
    });
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('larger than the 10 KB');
  });

  it('an unsupported body type is a 415', async () => {
    const res = await fetch(`${app.baseUrl}/login`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(res.status).toBe(415);
  });

  it('an id that is not a UUID is a plain 404', async () => {
    const client = new TestClient(app.baseUrl);
    await client.signIn('admin@vendor.test', DEMO_PASSWORD);
    expect((await client.get("/organisations/1'%20or%201=1")).status).toBe(404);
    expect((await client.get('/users/not-a-uuid')).status).toBe(404);
  });

  it('a form with invalid fields is re-rendered with a message per field and the values kept', async () => {
    const client = new TestClient(app.baseUrl);
    await client.signIn('admin@vendor.test', DEMO_PASSWORD);
    await client.get('/organisations/new');
    const res = await client.post('/organisations', { name: 'Umbrella Partners', slug: 'Not A Slug!', country: 'Germany' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('value="Umbrella Partners"');
    expect(res.text).toContain('use 1-40 lower-case letters');
    expect(res.text).toContain('use the two-letter country code');
    expect(res.text).toContain('aria-invalid="true"');
  });
});

describe('security headers', () => {
  it('sends a real Content-Security-Policy, nosniff and no x-powered-by', async () => {
    const res = await fetch(`${app.baseUrl}/login`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

describe('unknown errors', () => {
  it('are logged with an id and shown only by that id', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'error', destination: new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) }) as never });
    const failing = express();
    configureViews(failing, { cache: true });
    failing.use((req, _res, next) => ((req as { id: string }).id = 'abc123', next()));
    failing.get('/boom', () => {
      throw new Error('secret internal detail');
    });
    failing.use(errorHandler(logger, 1024));
    const running = await startHttpServer(failing, { port: 0, host: '127.0.0.1', logger });
    try {
      const res = await fetch(`http://127.0.0.1:${running.port}/boom`);
      const body = await res.text();
      expect(res.status).toBe(500);
      expect(body).toContain('abc123');
      expect(body).not.toContain('secret internal detail');
      expect(lines.join('')).toContain('secret internal detail');
      expect(lines.join('')).toContain('abc123');
    } finally {
      await running.stop(100);
    }
  });
});
