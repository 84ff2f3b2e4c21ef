import type { Database } from '../db/database.js';
import type { Logger } from '../logging/logger.js';
import { deleteExpiredSessions } from './auth.repository.js';

/** Deletes expired sessions every interval (sessions expire on read anyway; this keeps the table small). */
export function startSessionCleanup(db: Database, logger: Logger, clock: () => Date, intervalMs = 3600_000): () => void {
  const timer = setInterval(() => {
    deleteExpiredSessions(db, clock()).then(
      (count) => count > 0 && logger.info({ count }, 'expired sessions deleted'),
      (err) => logger.warn({ err }, 'expired session cleanup failed; will retry'),
    );
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
