import type { Logger } from '../../server/logging/logger.js';
import type { PathsService } from './paths.service.js';

/** How often the worker looks for paths coming due; the reminder interval (hours) decides how often one person is mailed. */
export const REMINDER_CHECK_INTERVAL_MS = 15 * 60_000;

export interface PathReminders {
  /** One pass now: reconciles assignments and sends whatever reminders are due. */
  runOnce(): Promise<{ sent: number }>;
  start(): void;
  /** Stops the timer and waits for a pass under way, so shutdown closes the database after it. */
  stop(): Promise<void>;
}

/**
 * The background loop of learning path reminders. Passes never overlap; a failed pass is logged and the next
 * one tries again (claims are per assignment in the database, so several processes may run it safely).
 */
export function createPathReminders(paths: Pick<PathsService, 'sendDueReminders'>, logger: Logger, intervalMs = REMINDER_CHECK_INTERVAL_MS): PathReminders {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<{ sent: number }> | null = null;

  function runOnce(): Promise<{ sent: number }> {
    running ??= paths.sendDueReminders().finally(() => {
      running = null;
    });
    return running;
  }

  function tick() {
    runOnce().then(
      ({ sent }) => sent > 0 && logger.info({ sent }, 'learning path reminders sent'),
      (err) => logger.warn({ err }, 'learning path reminder pass failed; will retry'),
    );
  }

  return {
    runOnce,
    start() {
      if (timer) return;
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => undefined);
    },
  };
}
