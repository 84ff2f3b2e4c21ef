import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AppConfig } from './config/config.js';
import type { AppDeps } from './app-deps.js';
import { createDatabase, type DatabaseHandle } from './db/database.js';
import { createStorage } from './storage/create-storage.js';
import { createMailer } from './mail/mailer.js';
import type { Logger } from './logging/logger.js';
import { createRenderPool } from '../assets/render/render-pool.js';
import { createSearchEngine } from '../search/create-search-engine.js';

/** Thrown when a required service cannot be reached at start; main.ts prints it and exits non-zero. */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** The session secret: SESSION_SECRET, or one generated at first start and kept in DATA_DIR (development only). */
async function resolveSessionSecret(config: AppConfig): Promise<string> {
  if (config.session.secret) return config.session.secret;
  const file = path.join(config.dataDir, 'session-secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const secret = randomBytes(32).toString('base64url');
    await writeFile(file, secret, { mode: 0o600 });
    return secret;
  }
}

function describeDatabase(config: AppConfig['database']): string {
  if (config.kind === 'pglite') return `embedded PostgreSQL (PGlite) in ${config.dataDir}`;
  const url = new URL(config.url);
  return `PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}`;
}

/** Connects to everything the app needs, migrates the database, and returns the dependencies for createApp. */
export async function buildDependencies(config: AppConfig, logger: Logger): Promise<AppDeps> {
  await mkdir(config.dataDir, { recursive: true });
  const sessionSecret = await resolveSessionSecret(config);
  let database: DatabaseHandle;
  try {
    database = await createDatabase(config.database);
    await database.ping();
  } catch (err) {
    throw new StartupError(`Cannot reach the database (${describeDatabase(config.database)}): ${(err as Error).message}. Check DATABASE_URL and that the server is running.`);
  }
  try {
    await database.migrate();
  } catch (err) {
    await database.close();
    throw new StartupError(`Database migrations failed on ${describeDatabase(config.database)}: ${(err as Error).message}`);
  }
  const storage = createStorage(config.storage);
  try {
    await storage.ping();
  } catch (err) {
    await database.close();
    throw new StartupError(`File storage (${config.storage.kind}) is not usable: ${(err as Error).message}`);
  }
  const search = createSearchEngine(config.search, database.db);
  try {
    await search.setup();
  } catch (err) {
    await Promise.allSettled([database.close(), storage.close()]);
    const where = config.search.kind === 'meilisearch' ? `Meilisearch at ${config.search.url} (MEILI_URL)` : 'the database (pg_trgm)';
    throw new StartupError(`Search is not usable: cannot set up ${where}: ${(err as Error).message}. Start it, fix MEILI_URL/MEILI_KEY, or unset MEILI_URL to search in the database.`);
  }
  logger.info({ database: describeDatabase(config.database), storage: config.storage.kind, search: search.name }, 'dependencies ready');
  const renderPool = createRenderPool({ maxConcurrent: config.render.concurrency, timeoutMs: config.render.timeoutMs });
  return { config, database, storage, mailer: createMailer(config.mail, logger), logger, renderPool, search, clock: () => new Date(), sessionSecret };
}
