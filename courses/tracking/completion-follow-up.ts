import type { AppDeps } from '../../server/app-deps.js';
import { awardOutcome } from '../gamification/gamification.service.js';
import { createPathProgress } from '../paths/path-progress.js';
import { createCertificationEarning } from '../certifications/certification-earning.service.js';
import * as trackingRepository from './tracking.repository.js';

/** How far back the catch-up looks: the window it closes is seconds long, so a day is generous and keeps the scan small. */
export const FOLLOW_UP_LOOKBACK_MS = 24 * 3600_000;
const BATCH = 200;

/**
 * What a course completion sets off (points, paths finished, certificates earned) runs right after the commit's write,
 * not inside it. If the process stops between the two, this catch-up finds completions that never scored and does
 * the follow-up again; every step is idempotent (outcome keys, the earning key, completed_at set once).
 */
export function createCompletionFollowUp(deps: Pick<AppDeps, 'database' | 'clock' | 'logger'>) {
  const { db } = deps.database;
  const pathProgress = createPathProgress(deps);
  const earning = createCertificationEarning(deps, pathProgress);

  async function catchUp(): Promise<number> {
    const missed = await trackingRepository.listCompletionsWithoutOutcome(db, { since: new Date(deps.clock().getTime() - FOLLOW_UP_LOOKBACK_MS), limit: BATCH });
    for (const completion of missed) {
      await awardOutcome(db, { kind: 'course_completed', userId: completion.userId, subjectId: completion.courseId, occurredAt: completion.doneAt });
      await pathProgress.recordCompletionsOf(completion.userId);
      await earning.afterCourseCompleted({ userId: completion.userId, courseId: completion.courseId });
    }
    if (missed.length > 0) deps.logger.warn({ count: missed.length }, 'course completions followed up late (points, paths, certificates)');
    return missed.length;
  }

  return {
    catchUp,
    /** Runs the catch-up every interval (main.ts); overlapping runs are harmless, as every step is idempotent. */
    start(intervalMs = 5 * 60_000): () => void {
      const timer = setInterval(() => {
        catchUp().catch((err) => deps.logger.warn({ err }, 'completion follow-up failed; will retry'));
      }, intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
