import { loadConfig, ConfigError, type AppConfig } from './config/config.js';
import { createLogger } from './logging/logger.js';
import { buildDependencies, StartupError } from './bootstrap.js';
import { createApp } from './app.js';
import { startHttpServer } from './http/http-server.js';
import { seedDemoData, type SeedResult } from './db/seed.js';
import { ROLE_LABELS } from './tenancy/actor.js';
import { startSessionCleanup } from './auth/session-cleanup.js';
import { createContentApp } from '../courses/delivery/content-server.js';
import { seedDemoLibrary } from '../assets/library/demo-library.js';
import { seedDemoProgramme } from '../courses/demo-programme.js';
import { createSearchSync } from '../search/sync/search-sync.js';
import { createCertificationsService, startRecertificationReminders } from '../courses/certifications/certifications.service.js';
import { createPathsService } from '../courses/paths/paths.service.js';
import { createCompletionFollowUp } from '../courses/tracking/completion-follow-up.js';
import { createPathReminders } from '../courses/paths/path-reminders.js';

/** The one wiring point: config, then database, storage and mail, then the app, then the HTTP server. */
async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nPartner Academy did not start. Fix the variables above (see .env.example and the README).\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel });
  const deps = await buildDependencies(config, logger);

  if (config.seed.onEmpty) {
    const seed = await seedDemoData(deps.database.db, { password: config.seed.password });
    if (seed.seeded) {
      printDemoAccounts(seed, config.appUrl);
      await seedDemoLibrary(deps).catch((err) => logger.error({ err }, 'could not add the demo library assets'));
      await seedDemoProgramme(deps).catch((err) => logger.error({ err }, 'could not add the demo programme (courses, paths, certification, activity)'));
    }
  }

  const { app, routes } = createApp(deps);
  const stopSessionCleanup = startSessionCleanup(deps.database.db, logger, deps.clock);
  // Hourly: reminds holders whose recertification window opened (once per certificate).
  const stopRecertificationReminders = startRecertificationReminders(createCertificationsService(deps), logger);
  // Every 5 minutes: course completions whose follow-up (points, paths, certificates) was lost to a stop right after the commit.
  const stopCompletionFollowUp = createCompletionFollowUp(deps).start();
  // Course packages are third-party JavaScript: served only by this second server, on its own origin.
  const content = await startHttpServer(createContentApp(deps), { port: config.content.port, host: config.host, logger });
  logger.info({ origin: config.content.origin, port: content.port }, 'course content origin is listening');
  const running = await startHttpServer(app, { port: config.port, host: config.host, logger });
  logger.info({ url: config.appUrl, port: running.port }, 'Partner Academy is listening');
  // Applies the search outbox in the background; on a fresh start with an empty index it queues everything.
  const searchSync = createSearchSync(deps);
  searchSync.start();
  // Mails learners whose learning paths come due (PATH_REMINDER_DAYS_BEFORE, at most once per PATH_REMINDER_INTERVAL_HOURS).
  const pathReminders = createPathReminders(createPathsService(deps), logger);
  pathReminders.start();
  process.stdout.write(`\nPartner Academy is running at ${config.appUrl} (course content from ${config.content.origin})\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    stopSessionCleanup();
    stopRecertificationReminders();
    stopCompletionFollowUp();
    const deadline = Date.now() + config.shutdownTimeoutMs;
    await Promise.all([running.stop(config.shutdownTimeoutMs), content.stop(config.shutdownTimeoutMs)]);
    await routes.whenIdle(Math.max(0, deadline - Date.now()));
    await searchSync.stop();
    await pathReminders.stop();
    await Promise.allSettled([deps.database.close(), deps.storage.close(), deps.renderPool.close(), deps.search.close()]);
    deps.mailer.close();
    logger.info('shutdown complete');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

function printDemoAccounts(seed: SeedResult, appUrl: string): void {
  const lines = [
    '',
    'Demo data created. Sign in at ' + `${appUrl}/login with any of these accounts:`,
    ...seed.accounts.map((a) => `  ${a.email.padEnd(26)} ${ROLE_LABELS[a.role]}`),
    seed.passwordGenerated ? `Password for every demo account (generated, shown only this once): ${seed.password}` : 'Password for every demo account: the value of SEED_PASSWORD',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((err) => {
  if (err instanceof StartupError) process.stderr.write(`${err.message}\nPartner Academy did not start.\n`);
  else process.stderr.write(`Partner Academy failed to start: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
