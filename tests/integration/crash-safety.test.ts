import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, killStrayServers, spawnServer, waitForHealthy } from '../helpers/server-process.js';
import { createTestDatabaseConfig } from '../helpers/test-database.js';
import { TestClient } from '../helpers/http-client.js';
import { uploadCourse } from '../helpers/courses.js';

// Real server processes (through tsx), killed with SIGKILL: allow for a busy machine.
jest.setTimeout(180_000);

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  killStrayServers();
  for (const cleanup of cleanups) await cleanup();
});

describe('crash safety', () => {
  it('every acknowledged commit survives SIGKILL of the server', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'pa-crash-'));
    const testDb = await createTestDatabaseConfig();
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }), testDb.drop);
    const [port, contentPort] = [await freePort(), await freePort()];
    const env: Record<string, string> = {
      DATA_DIR: dataDir,
      PORT: String(port),
      APP_URL: `http://127.0.0.1:${port}`,
      CONTENT_PORT: String(contentPort),
      CONTENT_ORIGIN: `http://127.0.0.1:${contentPort}`,
      SEED_PASSWORD: 'demo-password-123',
      LOG_LEVEL: 'warn',
      ...(testDb.config.kind === 'postgres' ? { DATABASE_URL: testDb.config.url } : {}),
    };
    const baseUrl = `http://127.0.0.1:${port}`;

    let server = spawnServer(env);
    await waitForHealthy(baseUrl, 120_000);
    const learner = new TestClient(baseUrl);
    await learner.signIn('enablement@vendor.test', 'demo-password-123');
    const { courseId } = await uploadCourse(baseUrl, learner, 'singlescobasic.zip', 'Crash course');
    const player = await learner.get(`/courses/${courseId}/play`);
    expect(player.status).toBe(200);
    const hostUrl = new URL(/<iframe[^>]+src="([^"]+)"/.exec(player.text)![1]!.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&'));
    const lms = hostUrl.href.replace(/host\.html.*$/, '');
    const itemId = hostUrl.searchParams.get('item')!;
    const launchRes = await fetch(`${lms}launch?item=${itemId}`);
    const launch = (await launchRes.json()) as { sequenceBase: number; item: { identifier: string } };
    expect(launchRes.status).toBe(200);

    const commit = (k: number) =>
      fetch(`${lms}commit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          item: launch.item.identifier,
          sequence: launch.sequenceBase + k,
          cmi: { core: { lesson_location: String(k), lesson_status: 'incomplete', session_time: '0000:00:05.00' }, suspend_data: `page-${k};${'x'.repeat(3000)}` },
        }),
      });

    let lastAcknowledged = 0;
    for (let k = 1; k <= 20; k++) {
      const res = await commit(k);
      const body = (await res.json()) as { result: boolean };
      expect(res.status).toBe(200);
      expect(body.result).toBe(true);
      lastAcknowledged = k;
    }
    // One more commit in flight when the process dies: it may or may not have been stored, but nothing before it may be lost.
    const inFlight = commit(21).catch(() => null);
    server.child.kill('SIGKILL');
    await server.exited;
    await inFlight;

    server = spawnServer(env);
    await waitForHealthy(baseUrl, 120_000);
    const resumed = await (await fetch(`${lms}launch?item=${itemId}`)).json() as { cmi: { core: { lesson_location: string; entry: string }; suspend_data: string } };
    const location = Number(resumed.cmi.core.lesson_location);
    expect(location).toBeGreaterThanOrEqual(lastAcknowledged);
    expect(resumed.cmi.suspend_data).toBe(`page-${location};${'x'.repeat(3000)}`);
    server.child.kill('SIGTERM');
    await server.exited;
  });
});
