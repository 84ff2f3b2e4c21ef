import type { AppDeps } from '../../server/app-deps.js';
import type { Actor } from '../../server/tenancy/actor.js';
import type { CatalogueService } from '../catalogue/catalogue.service.js';
import type { TrackingService, SummaryItem } from '../tracking/tracking.service.js';
import { contentBaseUrl, createLaunchToken, deriveLaunchTokenKey } from '../delivery/launch-token.js';
import { playerErrors } from './player.errors.js';

/**
 * Opens a course in the player: checks the caller may see it (the catalogue's rules), enrols them, starts or
 * resumes their attempt (which stays on the version it began on), picks the lesson, and mints the launch token
 * for the content origin.
 */
export function createPlayerService(deps: Pick<AppDeps, 'config' | 'clock' | 'sessionSecret'>, catalogue: CatalogueService, tracking: TrackingService) {
  const tokenKey = deriveLaunchTokenKey(deps.sessionSecret);

  return {
    async open(actor: Actor, courseId: string, options: { itemId?: string | undefined; startNewAttempt?: boolean }) {
      const course = await catalogue.getOpenableCourse(actor, courseId);
      if (!course.currentVersionId) throw playerErrors.noContent();
      await catalogue.enrol(actor, course.id);
      const started = await tracking.startOrResumeAttempt({
        userId: actor.userId,
        organisationId: actor.organisationId,
        courseId: course.id,
        versionIdForNewAttempts: course.currentVersionId,
        allowNewAttemptAfterCompletion: course.allowNewAttemptAfterCompletion,
        forceNew: options.startNewAttempt,
      });
      const summary = await tracking.attemptSummary(started.attempt.id, actor.userId);
      const lessons = summary.items.filter((i) => i.launchable && i.isVisible);
      if (lessons.length === 0) throw playerErrors.noContent();
      const current = chooseLesson(lessons, options.itemId);
      const index = lessons.indexOf(current);
      const token = createLaunchToken({ userId: actor.userId, attemptId: started.attempt.id, versionId: started.attempt.versionId }, tokenKey, deps.config.content.launchTokenTtlMs, deps.clock());
      return {
        course,
        summary,
        current,
        previous: lessons[index - 1] ?? null,
        next: lessons[index + 1] ?? null,
        hostUrl: `${contentBaseUrl(deps.config.content.origin, token)}_lms/host.html?item=${encodeURIComponent(current.id)}`,
        contentOrigin: new URL(deps.config.content.origin).origin,
      };
    },
  };
}

export type PlayerService = ReturnType<typeof createPlayerService>;

/** The lesson asked for, else the first one not finished, else the first. */
function chooseLesson(lessons: SummaryItem[], itemId: string | undefined): SummaryItem {
  const asked = itemId ? lessons.find((l) => l.id === itemId) : undefined;
  if (itemId && !asked) throw playerErrors.unknownLesson();
  return asked ?? lessons.find((l) => l.completionStatus !== 'completed') ?? lessons[0]!;
}
