import type { AppDeps } from '../../server/app-deps.js';
import { httpErrors } from '../../server/http/http.errors.js';
import * as coursesRepository from '../catalogue/courses.repository.js';
import { isCompleted } from '../catalogue/catalogue.service.js';
import { awardOutcome } from '../gamification/gamification.service.js';
import * as repository from './paths.repository.js';
import type { Learner, PathStep } from './paths.repository.js';
import type { LearningPathEnrolmentRow, LearningPathRow } from './paths.table.js';

/** Where a learner stands on one course: done (completed or passed, as My learning decides) and started. */
export interface CourseState {
  done: boolean;
  started: boolean;
}

export interface StepProgress extends PathStep {
  done: boolean;
  started: boolean;
  /** Waiting for earlier steps (its prerequisite); a step already done is never locked. */
  locked: boolean;
}

export type PathState = 'not_started' | 'in_progress' | 'completed';

export interface PathProgress {
  path: LearningPathRow;
  /** Null when the person is not assigned (the enablement team previewing a path). */
  enrolment: LearningPathEnrolmentRow | null;
  steps: StepProgress[];
  completedSteps: number;
  totalSteps: number;
  complete: boolean;
  state: PathState;
  overdue: boolean;
}

/**
 * The steps in order with their status: a course step is done when the learner's latest attempt is completed or
 * passed, an asset step once they viewed or downloaded it; a step with a prerequisite is locked until every
 * earlier step is done.
 */
export function stepProgressOf(steps: readonly PathStep[], courses: ReadonlyMap<string, CourseState>, readAssetIds: ReadonlySet<string>): StepProgress[] {
  let everyEarlierDone = true;
  return steps.map((step, index) => {
    const course = step.courseId ? courses.get(step.courseId) : undefined;
    const done = step.kind === 'course' ? (course?.done ?? false) : step.assetId !== null && readAssetIds.has(step.assetId);
    const started = done || (course?.started ?? false);
    const locked = !done && index > 0 && step.requiresPrevious && !everyEarlierDone;
    everyEarlierDone &&= done;
    return { ...step, done, started, locked };
  });
}

/** Totals and state of a path from its step statuses; a path without steps is never complete. */
export function summariseProgress(steps: readonly StepProgress[], dueAt: Date | null, now: Date) {
  const completedSteps = steps.filter((s) => s.done).length;
  const complete = steps.length > 0 && completedSteps === steps.length;
  const state: PathState = complete ? 'completed' : steps.some((s) => s.started) ? 'in_progress' : 'not_started';
  return { completedSteps, totalSteps: steps.length, complete, state, overdue: !complete && dueAt !== null && dueAt.getTime() < now.getTime() };
}

export function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
}

export const courseIdsOf = (steps: readonly PathStep[]) => [...new Set(steps.flatMap((s) => (s.courseId ? [s.courseId] : [])))];
export const assetIdsOf = (steps: readonly PathStep[]) => [...new Set(steps.flatMap((s) => (s.assetId ? [s.assetId] : [])))];

const later = (a: Date | null, b: Date | null) => (a === null ? b : b === null ? a : a.getTime() >= b.getTime() ? a : b);

/**
 * A learner's progress on paths, shared by the paths pages, the certifications (path requirements) and the tracking
 * commit's hook (a path finished is recorded and scored as it happens). Progress is never stored: it is read from
 * course attempts and asset views each time; only the first completion is written down (completed_at) and scored.
 */
export function createPathProgress(deps: Pick<AppDeps, 'database' | 'clock'>) {
  const { db } = deps.database;

  /** The learner's state on each course, from the same query as My learning, so both pages agree. */
  async function courseStatesOf(learner: Learner): Promise<Map<string, CourseState>> {
    const rows = await coursesRepository.listMyLearning(db, { userId: learner.id, organisationId: learner.organisationId, organisationKind: learner.organisationKind, role: learner.role });
    return new Map(rows.map((r) => [r.id, { done: r.attemptNumber !== null && isCompleted(r), started: r.attemptNumber !== null }]));
  }

  /** Step statuses counting only what was done at or after `since` (a recertification, or a certification's renewal). */
  async function stepsSince(userId: string, steps: readonly PathStep[], since: Date): Promise<StepProgress[]> {
    const [states, read] = await Promise.all([
      repository.listCourseStatesSince(db, userId, courseIdsOf(steps), since),
      repository.listReadAssets(db, [userId], assetIdsOf(steps), since),
    ]);
    return stepProgressOf(steps, new Map(states.map((s) => [s.courseId, { done: s.done, started: s.started }])), new Set(read.map((r) => r.assetId)));
  }

  /** A path finished is a verified outcome: marked once and scored in the same transaction. */
  async function recordFirstCompletions(enrolmentIds: readonly string[], now: Date): Promise<void> {
    if (enrolmentIds.length === 0) return;
    await db.transaction(async (tx) => {
      for (const finished of await repository.markCompleted(tx, enrolmentIds, now)) {
        await awardOutcome(tx, { kind: 'path_completed', userId: finished.userId, subjectId: finished.pathId, occurredAt: now });
      }
    });
  }

  /**
   * Progress of one person on some paths (with their assignment rows, when they have one); records first completions.
   * An assignment with progress_from (a recertification) counts only what was done since; so does `since` when given.
   */
  async function progressOfLearner(
    learner: Learner,
    paths: readonly { path: LearningPathRow; enrolment: LearningPathEnrolmentRow | null }[],
    since: Date | null = null,
  ): Promise<PathProgress[]> {
    if (paths.length === 0) return [];
    const now = deps.clock();
    const steps = await repository.listSteps(
      db,
      paths.map((p) => p.path.id),
    );
    const stepsByPath = groupBy(steps, (s) => s.pathId);
    const countsFrom = (enrolment: LearningPathEnrolmentRow | null) => later(since, enrolment?.progressFrom ?? null);
    // Courses and reads of all time are looked up once, and only when some path needs them.
    const needsAllTime = paths.some((p) => countsFrom(p.enrolment) === null);
    const [courses, read] = needsAllTime ? await Promise.all([courseStatesOf(learner), repository.listReadAssets(db, [learner.id], assetIdsOf(steps))]) : [new Map(), []];
    const readAssetIds = new Set(read.map((r) => r.assetId));
    const progress: PathProgress[] = [];
    for (const { path, enrolment } of paths) {
      const from = countsFrom(enrolment);
      const ownSteps = stepsByPath.get(path.id) ?? [];
      const pathSteps = from === null ? stepProgressOf(ownSteps, courses, readAssetIds) : await stepsSince(learner.id, ownSteps, from);
      progress.push({ path, enrolment, steps: pathSteps, ...summariseProgress(pathSteps, enrolment?.dueAt ?? null, now) });
    }
    const firstCompletions = progress.filter((p) => p.complete && p.enrolment && p.enrolment.completedAt === null).map((p) => p.enrolment!.id);
    await recordFirstCompletions(firstCompletions, now);
    return progress;
  }

  async function learnerOf(userId: string): Promise<Learner> {
    const learner = await repository.findLearner(db, userId);
    if (!learner) throw httpErrors.notFound('user');
    return learner;
  }

  return {
    courseStatesOf,
    stepsSince,
    progressOfLearner,
    recordFirstCompletions,
    learnerOf,

    /**
     * Whether the person has done every step of the path (assigned or not: progress is theirs either way), counting
     * only completions at or after `since` when given (null: any), and after their assignment's progress_from.
     */
    async isPathComplete(input: { userId: string; pathId: string; since: Date | null }): Promise<boolean> {
      const learner = await repository.findLearner(db, input.userId);
      const path = await repository.findPath(db, input.pathId);
      if (!learner || !path) return false;
      const [progress] = await progressOfLearner(learner, [{ path, enrolment: await repository.findEnrolment(db, input.pathId, input.userId) }], input.since);
      return progress!.complete;
    },

    /** Brings the person's assignments in line with the rules and records (and scores) every path they have just finished. */
    async recordCompletionsOf(userId: string): Promise<void> {
      const learner = await repository.findLearner(db, userId);
      if (!learner) return;
      await repository.reconcileEnrolments(db, { userId }, deps.clock());
      await progressOfLearner(learner, await repository.listAssignedPaths(db, userId));
    },

    /** Assigns the path for a recertification (see the repository); the certifications module calls it when a window opens. */
    async assignForRecertification(input: { pathId: string; userId: string; progressFrom: Date; dueAt: Date }): Promise<boolean> {
      return repository.assignForRecertification(db, { ...input, now: deps.clock() });
    },
  };
}

export type PathProgressTracker = ReturnType<typeof createPathProgress>;
