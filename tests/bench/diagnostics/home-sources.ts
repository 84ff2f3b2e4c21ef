/**
 * Times each source of the partner home page (paths, certificates, standing, organisation overview) one at a time
 * on a fresh PostgreSQL database with the dashboard bench's data: which part of the page costs what.
 *   npx tsx tests/bench/diagnostics/home-sources.ts
 */
import pg from 'pg';
import { createDatabase } from '../../../server/db/database.js';
import { seedDemoData } from '../../../server/db/seed.js';
import { loadConfig } from '../../../server/config/config.js';
import { createLogger } from '../../../server/logging/logger.js';
import { generateBenchData } from '../generate-data.js';
import { findUserByEmail } from '../../../server/users/users.repository.js';
import { createPathsService } from '../../../courses/paths/paths.service.js';
import { createCertificationsService } from '../../../courses/certifications/certifications.service.js';
import { createGamificationService } from '../../../courses/gamification/gamification.service.js';
import type { Actor } from '../../../server/tenancy/actor.js';

const adminUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const name = `pa_home_${Date.now()}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`create database ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
try {
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: url.toString(), DATA_DIR: '/tmp/pa-home-diag', SESSION_SECRET: 'x'.repeat(40), LOG_LEVEL: 'silent' });
  const database = await createDatabase(config.database);
  await database.migrate();
  await seedDemoData(database.db, { password: 'diag-password-123' });
  await generateBenchData(database.db, {});
  const deps = { database, config, clock: () => new Date(), logger: createLogger({ level: 'silent' }), mailer: { send: async () => {}, close() {} } } as never;
  const user = (await findUserByEmail(database.db, 'rep@acme.test'))!;
  const actor = { userId: user.id, organisationId: user.organisationId, organisationKind: 'partner', role: user.role, name: user.name, email: user.email, organisationName: 'Acme' } as Actor;
  const sources: Record<string, () => Promise<unknown>> = {
    myAssignedPaths: () => createPathsService(deps).myAssignedPaths(actor),
    myCertificates: () => createCertificationsService(deps).myCertificates(actor),
    standingOf: () => createGamificationService(deps).standingOf(actor),
  };
  for (const [label, run] of Object.entries(sources)) {
    for (let i = 0; i < 5; i++) await run();
    const started = performance.now();
    for (let i = 0; i < 50; i++) await run();
    process.stdout.write(`${label}: ${((performance.now() - started) / 50).toFixed(2)} ms per call\n`);
  }
  await database.close();
} finally {
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}
