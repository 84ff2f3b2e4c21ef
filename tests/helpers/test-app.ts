import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type AppConfig } from '../../server/config/config.js';
import { createDatabase } from '../../server/db/database.js';
import { createStorage } from '../../server/storage/create-storage.js';
import { createMailer } from '../../server/mail/mailer.js';
import { createLogger } from '../../server/logging/logger.js';
import { createApp } from '../../server/app.js';
import { startHttpServer } from '../../server/http/http-server.js';
import { seedDemoData } from '../../server/db/seed.js';
import type { AppDeps } from '../../server/app-deps.js';
import type { RouteTable } from '../../server/http/route-table.js';
import { createTestDatabaseConfig } from './test-database.js';
import { TestClient } from './http-client.js';
import { freePort } from './server-process.js';
import { createContentApp } from '../../courses/delivery/content-server.js';
import { createRenderPool } from '../../assets/render/render-pool.js';
import { createSearchEngine } from '../../search/create-search-engine.js';
import { createSearchSync } from '../../search/sync/search-sync.js';

export const DEMO_PASSWORD = 'demo-password-123';

export interface TestApp {
  baseUrl: string;
  /** The content origin (course package files), a second server on its own port. */
  contentUrl: string;
  deps: AppDeps;
  routes: RouteTable;
  dataDir: string;
  /** Moves the app's clock; expiry tests use it instead of waiting. */
  advanceClock(ms: number): void;
  /** Applies every pending search outbox row now, so tests index deterministically (no background loop runs). */
  drainSearchOutbox(): Promise<void>;
  /** Mail written by the development transport, newest last. */
  mailTo(address: string): Promise<{ subject: string; text: string }[]>;
  stop(): Promise<void>;
}

/** The real app on a real port, with a fresh migrated database and the demo data. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'pa-test-'));
  const [appPort, contentPort] = [await freePort(), await freePort()];
  const base = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    // Real ports up front, so APP_URL and CONTENT_ORIGIN (pinned origins, links in mail) are the real ones.
    PORT: String(appPort),
    APP_URL: `http://127.0.0.1:${appPort}`,
    CONTENT_PORT: String(contentPort),
    CONTENT_ORIGIN: `http://127.0.0.1:${contentPort}`,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // Tests change data and read the figures at once; the figure cache has its own tests (tests/unit/programme-analytics).
    ANALYTICS_CACHE_TTL_MS: '0',
    ...env,
  });
  const testDb = await createTestDatabaseConfig();
  const config: AppConfig = Object.freeze({ ...base, database: testDb.config });
  const database = await createDatabase(config.database, { inMemory: testDb.inMemory });
  await database.migrate();
  await seedDemoData(database.db, { password: DEMO_PASSWORD });
  const logger = createLogger({ level: config.logLevel });
  let offsetMs = 0;
  const search = createSearchEngine(config.search, database.db);
  await search.setup();
  const deps: AppDeps = {
    config,
    database,
    storage: createStorage(config.storage),
    mailer: createMailer(config.mail, logger),
    logger,
    renderPool: createRenderPool({ maxConcurrent: config.render.concurrency, timeoutMs: config.render.timeoutMs }),
    search,
    clock: () => new Date(Date.now() + offsetMs),
    sessionSecret: 'test-session-secret-that-is-long-enough-0123456789',
  };
  const searchSync = createSearchSync(deps);
  const { app, routes } = createApp(deps);
  const running = await startHttpServer(app, { port: appPort, host: '127.0.0.1', logger });
  const content = await startHttpServer(createContentApp(deps), { port: config.content.port, host: '127.0.0.1', logger });
  return {
    baseUrl: `http://127.0.0.1:${running.port}`,
    contentUrl: config.content.origin,
    deps,
    routes,
    dataDir,
    advanceClock: (ms) => {
      offsetMs += ms;
    },
    async drainSearchOutbox() {
      await searchSync.drainNow();
    },
    async mailTo(address) {
      const dir = path.join(dataDir, 'mail');
      const files = (await readdir(dir).catch(() => [] as string[])).sort();
      const messages = await Promise.all(files.map(async (f) => JSON.parse(await readFile(path.join(dir, f), 'utf8'))));
      return messages
        .filter((m) => (m.to as { address: string }[]).some((t) => t.address === address.toLowerCase()))
        .map((m) => ({ subject: m.subject as string, text: m.text as string }));
    },
    async stop() {
      await Promise.all([running.stop(1000), content.stop(1000)]);
      await searchSync.stop();
      await search.close();
      await database.close();
      await deps.storage.close();
      await deps.renderPool.close();
      await testDb.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** One signed-in client per demo account, made on first use and reused after (sign-in is the slow part). */
/** Signed-in clients by e-mail, made on first use; forgetAll() drops them (after moving the clock, sessions expire by it). */
export function signedInClients(app: () => TestApp): ((email: string) => Promise<TestClient>) & { forgetAll(): void } {
  const clients = new Map<string, TestClient>();
  const as = async (email: string) => {
    let client = clients.get(email);
    if (!client) {
      client = new TestClient(app().baseUrl);
      await client.signIn(email, DEMO_PASSWORD);
      clients.set(email, client);
    }
    return client;
  };
  return Object.assign(as, { forgetAll: () => clients.clear() });
}

export function linkIn(text: string, pathPrefix: string): string {
  const match = new RegExp(`https?://[^\\s]+${pathPrefix}[A-Za-z0-9_-]+`).exec(text);
  if (!match) throw new Error(`no ${pathPrefix} link in: ${text}`);
  return new URL(match[0]).pathname;
}
