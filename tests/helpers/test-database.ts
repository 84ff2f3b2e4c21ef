import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { AppConfig } from '../../server/config/config.js';

/**
 * The database a test file runs on: a fresh in-memory PGlite, or, when DATABASE_URL is set (the CI's
 * second run), a fresh database created on that PostgreSQL server and dropped afterwards.
 */
export async function createTestDatabaseConfig(): Promise<{ config: AppConfig['database']; inMemory: boolean; drop: () => Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) return { config: { kind: 'pglite', dataDir: '' }, inMemory: true, drop: async () => {} };
  const name = `pa_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    config: { kind: 'postgres', url: url.toString(), poolMax: 10 },
    inMemory: false,
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
