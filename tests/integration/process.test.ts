import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import http from 'node:http';
import { freePort, killStrayServers, spawnServer, waitForHealthy } from '../helpers/server-process.js';
import { createTestDatabaseConfig } from '../helpers/test-database.js';
import { TestClient } from '../helpers/http-client.js';

const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'pa-proc-'));
  dirs.push(dir);
  return dir;
};
// Each test starts real server processes (compiling TypeScript through tsx on the way): allow for a busy machine.
jest.setTimeout(120_000);

afterAll(async () => {
  killStrayServers();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('the server process', () => {
  it('refuses to start on invalid configuration and names the variable', async () => {
    const server = spawnServer({ PORT: 'eighty', DATA_DIR: await tempDir() });
    expect(await server.exited).toBe(1);
    expect(server.output()).toMatch(/PORT: expected a port number/);
    expect(server.output()).toMatch(/did not start/);
  });

  it('says so and exits non-zero when the database is unreachable at start', async () => {
    const port = await freePort();
    const server = spawnServer({ DATABASE_URL: `postgres://nobody@127.0.0.1:${port}/nothing`, DATA_DIR: await tempDir(), PORT: String(await freePort()) });
    expect(await server.exited).toBe(1);
    expect(server.output()).toMatch(/Cannot reach the database \(PostgreSQL at 127\.0\.0\.1:\d+\/nothing\)/);
  });

  it('seeds once, prints the demo accounts, finishes in-flight requests on SIGTERM, and keeps its data across restarts', async () => {
    const dataDir = await tempDir();
    const port = await freePort();
    const env = { DATA_DIR: dataDir, PORT: String(port), CONTENT_PORT: String(await freePort()), SEED_PASSWORD: 'demo-password-123' };
    const baseUrl = `http://127.0.0.1:${port}`;

    const first = spawnServer(env);
    await waitForHealthy(baseUrl, 90_000);
    expect(first.output()).toContain('admin@vendor.test');
    expect(first.output()).toContain('rep@acme.test');
    expect((await fetch(`${baseUrl}/readyz`)).status).toBe(200);
    const client = new TestClient(baseUrl);
    await client.signIn('admin@vendor.test', 'demo-password-123');

    // A request whose body is still arriving when SIGTERM comes must still get its answer.
    const inFlight = new Promise<number>((resolve, reject) => {
      const req = http.request(`${baseUrl}/password/forgot`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '29' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.write('email=someone%40example');
      setTimeout(() => req.end('.test1'), 400);
    });
    await new Promise((r) => setTimeout(r, 100));
    first.child.kill('SIGTERM');
    expect(await inFlight).toBe(403); // reached the app (no CSRF token in this raw request), not a reset connection
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('shutdown complete');

    const second = spawnServer(env);
    await waitForHealthy(baseUrl, 90_000);
    expect(second.output()).not.toContain('Demo data created');
    await new TestClient(baseUrl).signIn('rep@acme.test', 'demo-password-123');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});

// Needs a PostgreSQL server between the app and the database, which the embedded database does not have.
const describeWithServer = process.env.DATABASE_URL ? describe : describe.skip;
if (!process.env.DATABASE_URL) console.warn('process.test.ts: "database lost while running" is skipped: set DATABASE_URL to a PostgreSQL server to run it (CI does).');

describeWithServer('losing the database while running', () => {
  it('answers 503 and /readyz fails while it is gone, and recovers when it is back', async () => {
    const testDb = await createTestDatabaseConfig();
    const target = new URL((testDb.config as { url: string }).url);
    // A TCP proxy we can cut, standing between the app and PostgreSQL.
    const sockets = new Set<net.Socket>();
    const startProxy = async (port: number) => {
      const server = net.createServer((client) => {
        const upstream = net.connect(Number(target.port || 5432), target.hostname === 'localhost' ? '127.0.0.1' : target.hostname);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => (client.destroy(), upstream.destroy());
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      });
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
      return server;
    };
    const cutProxy = (server: net.Server) => {
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const s of sockets) s.destroy();
      sockets.clear();
      return closed;
    };
    let proxy = await startProxy(0);
    const proxyPort = (proxy.address() as net.AddressInfo).port;
    const viaProxy = new URL(target);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxyPort);

    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const server = spawnServer({ DATABASE_URL: viaProxy.toString(), DATA_DIR: await tempDir(), PORT: String(port), CONTENT_PORT: String(await freePort()), SEED_PASSWORD: 'demo-password-123' });
    try {
      await waitForHealthy(baseUrl, 90_000);
      const client = new TestClient(baseUrl);
      await client.signIn('admin@acme.test', 'demo-password-123');

      await cutProxy(proxy);

      expect((await fetch(`${baseUrl}/readyz`)).status).toBe(503);
      const page = await client.get('/');
      expect(page.status).toBe(503);
      expect(page.text).toContain('The database is not reachable right now');
      expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);

      proxy = await startProxy(proxyPort);
      const deadline = Date.now() + 15_000;
      let status = 0;
      while (Date.now() < deadline && status !== 200) {
        status = (await fetch(`${baseUrl}/readyz`)).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      expect(status).toBe(200);
      expect((await client.get('/')).status).toBe(200);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      await cutProxy(proxy);
      await testDb.drop();
    }
  });
});
