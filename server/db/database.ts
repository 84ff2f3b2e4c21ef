import { mkdir } from 'node:fs/promises';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { sql } from 'drizzle-orm';
import * as schema from './schema.js';
import type { AppConfig } from '../config/config.js';
import { MIGRATIONS_DIR } from '../paths.js';

export type Schema = typeof schema;
/** The one database type both drivers satisfy; repositories take it (or a transaction) as their first argument. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
export type Executor = Database | Transaction;

export interface DatabaseHandle {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Database;
  /** Runs `select 1`; rejects when the database cannot answer. */
  ping(): Promise<void>;
  migrate(): Promise<void>;
  close(): Promise<void>;
}


/**
 * PGlite (PostgreSQL compiled to WASM, in process) unless a DATABASE_URL names a server.
 * Drivers are imported lazily so a deployment on a server never loads the WASM build.
 */
export async function createDatabase(config: AppConfig['database'], options: { inMemory?: boolean } = {}): Promise<DatabaseHandle> {
  if (config.kind === 'postgres') return createPostgresDatabase(config.url, config.poolMax);
  return createPgliteDatabase(options.inMemory ? undefined : config.dataDir);
}

/** The parts both drivers share; only how to migrate and how to close differ. */
function databaseHandle(
  kind: DatabaseHandle['kind'],
  db: Database,
  runMigrations: (db: never, config: { migrationsFolder: string }) => Promise<void>,
  closeClient: () => Promise<void>,
): DatabaseHandle {
  let closed = false;
  return {
    kind,
    db,
    async ping() {
      await db.execute(sql`select 1`);
    },
    async migrate() {
      await runMigrations(db as never, { migrationsFolder: MIGRATIONS_DIR });
    },
    async close() {
      if (closed) return;
      closed = true;
      await closeClient();
    },
  };
}

async function createPgliteDatabase(dataDir: string | undefined): Promise<DatabaseHandle> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const client = await PGlite.create(dataDir ? { dataDir, extensions: { pg_trgm } } : { extensions: { pg_trgm } });
  return databaseHandle('pglite', drizzle(client, { schema }) as unknown as Database, migrate, () => client.close());
}

async function createPostgresDatabase(url: string, poolMax: number): Promise<DatabaseHandle> {
  const pg = (await import('pg')).default;
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const { migrate } = await import('drizzle-orm/node-postgres/migrator');
  const pool = new pg.Pool({ connectionString: url, max: poolMax, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000 });
  // An idle client losing its server connection emits here; without a listener the process would crash.
  pool.on('error', () => {});
  return databaseHandle('postgres', drizzle(pool, { schema }) as unknown as Database, migrate, () => pool.end());
}
