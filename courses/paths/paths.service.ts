import type { AppDeps } from '../../server/app-deps.js';
import type { Executor } from '../../server/db/database.js';
import type { Actor } from '../../server/tenancy/actor.js';
import { canPerform, scopeFor } from '../../server/tenancy/policy.js';
import { httpErrors } from '../../server/http/http.errors.js';
import { formatDate } from '../../server/views/helpers/format-date.js';
import * as organisationsRepository from '../../server/organisations/organisations.repository.js';
import * as coursesRepository from '../catalogue/courses.repository.js';
import { isCompleted } from '../catalogue/catalogue.service.js';
import * as repository from './paths.repository.js';
import type { Learner } from './paths.repository.js';
import type { LearningPathRow } from './paths.table.js';
import { assetIdsOf, courseIdsOf, createPathProgress, groupBy, stepProgressOf, summariseProgress, type CourseState, type PathProgress } from './path-progress.js';
import { pathErrors } from './paths.errors.js';
import type { PathInput, RuleInput, StepInput } from './paths.schema.js';

const DAY_MS = 86_400_000;

export { stepProgressOf, summariseProgress, type PathProgress, type PathState, type StepProgress } from './path-progress.js';

/**
 * Learning paths: the enablement team builds them (steps, due period, assignment rules); learners see the ones
 * assigned to them with progress; reports show who is where; reminders go out before due dates.
 *
 * Assignment is computed from the rules against each person's current organisation and role, and written down
 * (learning_path_enrolments) the first time someone is found matching, so their due date stays put. Progress is
 * never stored: it is read from course attempts and asset views each time, so removing a rule or a step loses none.
 */
export function createPathsService(deps: Pick<AppDeps, 'database' | 'config' | 'clock' | 'mailer' | 'logger'>) {
  const { db } = deps.database;

  function assertManager(actor: Actor) {
    if (!canPerform(actor, 'path.manage')) throw httpErrors.forbidden();
  }

  async function loadPath(pathId: string, executor: Executor = db, options: { forUpdate?: boolean } = {}) {
    const path = await repository.findPath(executor, pathId, options);
    if (!path) throw httpErrors.notFound('learning path');
    return path;
  }

  const progress = createPathProgress(deps);
  const { progressOfLearner, recordFirstCompletions, learnerOf } = progress;

  /** The person's assigned paths with progress, after bringing their assignments in line with the rules. */
  async function assignedProgress(learner: Learner): Promise<PathProgress[]> {
    await repository.reconcileEnrolments(db, { userId: learner.id }, deps.clock());
    return progressOfLearner(learner, await repository.listAssignedPaths(db, learner.id));
  }

  /** Rules name tiers and organisations by id: every one must exist. */
  async function assertKnownAudience(executor: Executor, input: RuleInput) {
    if (input.tierIds.length) {
      const known = new Set((await organisationsRepository.listTiers(executor)).map((t) => t.id));
      if (input.tierIds.some((id) => !known.has(id))) throw pathErrors.tierUnknown();
    }
    if (input.organisationIds.length) {
      for (const id of input.organisationIds) {
        if (!(await organisationsRepository.findOrganisation(executor, { kind: 'all' }, id))) throw pathErrors.organisationUnknown();
      }
    }
  }

  /** A partner admin reports on paths someone of their organisation is (or was) assigned to; anything else is missing to them. */
  async function loadReportable(actor: Actor, pathId: string) {
    if (!canPerform(actor, 'course.report')) throw httpErrors.forbidden();
    const path = await loadPath(pathId);
    const scope = scopeFor(actor);
    if (scope.kind === 'organisation') {
      const concerned = await repository.listPathsOfOrganisation(db, scope.organisationId);
      if (!concerned.some((p) => p.id === path.id)) throw httpErrors.notFound('learning path');
    }
    return { path, scope };
  }

  /** One row per person ever assigned (inside the filter) with their progress; course states come from the course report's query, one per course step. */
  async function reportRows(path: LearningPathRow, filter: repository.PathReportFilter) {
    const now = deps.clock();
    const [learners, steps] = await Promise.all([repository.listPathLearners(db, path.id, filter), repository.listSteps(db, [path.id])]);
    const courseStates = new Map<string, Map<string, CourseState>>();
    for (const courseId of courseIdsOf(steps)) {
      for (const row of await coursesRepository.listCourseReport(db, courseId, filter)) {
        const states = courseStates.get(row.userId) ?? new Map<string, CourseState>();
        states.set(courseId, { done: isCompleted(row), started: row.attemptCount > 0 });
        courseStates.set(row.userId, states);
      }
    }
    const read = groupBy(await repository.listReadAssets(db, learners.map((l) => l.userId), assetIdsOf(steps)), (r) => r.userId);
    const rows = [];
    for (const learner of learners) {
      // A recertification counts only what was done since its window opened, as the learner's own page does.
      const pathSteps =
        learner.progressFrom === null
          ? stepProgressOf(steps, courseStates.get(learner.userId) ?? new Map(), new Set((read.get(learner.userId) ?? []).map((r) => r.assetId)))
          : await progress.stepsSince(learner.userId, steps, learner.progressFrom);
      rows.push({ ...learner, ...summariseProgress(pathSteps, learner.dueAt, now), assigned: learner.status === 'assigned' });
    }
    const firstCompletions = rows.filter((r) => r.complete && r.completedAt === null);
    await recordFirstCompletions(
      firstCompletions.map((r) => r.enrolmentId),
      now,
    );
    for (const r of firstCompletions) r.completedAt = now;
    return rows;
  }

  return {
    /* ---------- Enablement ---------- */

    async listForManagement(actor: Actor) {
      assertManager(actor);
      return repository.listPathsForManagement(db);
    },

    async createPath(actor: Actor, input: PathInput) {
      assertManager(actor);
      // A new path has no steps yet, so it starts as a draft whatever was chosen.
      if (input.status === 'published') throw pathErrors.publishWithoutSteps();
      return repository.insertPath(db, { title: input.title, description: input.description, status: input.status, dueDays: input.dueDays, createdById: actor.userId });
    },

    /** The editor: the path, its steps and rules, and the option lists (courses, assets, tiers, organisations). */
    async getEditor(actor: Actor, pathId: string) {
      assertManager(actor);
      const path = await loadPath(pathId);
      const [steps, rules, candidates, tiers, organisations] = await Promise.all([
        repository.listSteps(db, [path.id]),
        repository.listRules(db, path.id),
        repository.listStepCandidates(db),
        organisationsRepository.listTiers(db),
        organisationsRepository.listOrganisations(db, { kind: 'all' }, { limit: 1000, offset: 0 }),
      ]);
      return { path, steps, rules, candidates, tiers, organisations: organisations.rows };
    },

    /** Details, status and due period. Publishing (or unpublishing) changes who is assigned at once; existing due dates stay. */
    async updatePath(actor: Actor, pathId: string, input: PathInput) {
      assertManager(actor);
      return db.transaction(async (tx) => {
        const path = await loadPath(pathId, tx, { forUpdate: true });
        if (input.status === 'published' && (await repository.listSteps(tx, [path.id])).length === 0) throw pathErrors.publishWithoutSteps();
        const updated = (await repository.updatePath(tx, path.id, { title: input.title, description: input.description, status: input.status, dueDays: input.dueDays }))!;
        if (updated.status !== path.status) await repository.reconcileEnrolments(tx, { pathId: path.id }, deps.clock());
        return updated;
      });
    },

    async addStep(actor: Actor, pathId: string, input: StepInput) {
      assertManager(actor);
      return db.transaction(async (tx) => {
        const path = await loadPath(pathId, tx, { forUpdate: true });
        if (input.target.kind === 'course') {
          if ((await repository.findCourseStatus(tx, input.target.id)) !== 'published') throw pathErrors.courseUnavailable();
        } else if (!(await repository.isLiveAsset(tx, input.target.id))) throw pathErrors.assetUnavailable();
        if (await repository.findStepWithTarget(tx, path.id, input.target)) throw pathErrors.stepExists();
        const step = await repository.insertStep(tx, {
          pathId: path.id,
          kind: input.target.kind,
          courseId: input.target.kind === 'course' ? input.target.id : null,
          assetId: input.target.kind === 'asset' ? input.target.id : null,
          requiresPrevious: input.requiresPrevious,
        });
        await repository.updatePath(tx, path.id, {});
        return { path, step };
      });
    },

    /** Swaps the step with its neighbour; false when it is already first (up) or last (down), or gone. */
    async moveStep(actor: Actor, pathId: string, stepId: string, direction: 'up' | 'down') {
      assertManager(actor);
      return db.transaction(async (tx) => {
        const path = await loadPath(pathId, tx, { forUpdate: true });
        const step = await repository.findStep(tx, path.id, stepId);
        if (!step) return { path, moved: false };
        const neighbour = await repository.findNeighbourStep(tx, path.id, step.position, direction);
        if (!neighbour) return { path, moved: false };
        await repository.setStepPosition(tx, step.id, neighbour.position);
        await repository.setStepPosition(tx, neighbour.id, step.position);
        await repository.updatePath(tx, path.id, {});
        return { path, moved: true };
      });
    },

    async setPrerequisite(actor: Actor, pathId: string, stepId: string, requiresPrevious: boolean) {
      assertManager(actor);
      const path = await loadPath(pathId);
      return { path, changed: await repository.setStepPrerequisite(db, path.id, stepId, requiresPrevious) };
    },

    /** Removes a step; learners' course attempts and asset views stay, only the path stops counting them. */
    async removeStep(actor: Actor, pathId: string, stepId: string) {
      assertManager(actor);
      const path = await loadPath(pathId);
      return { path, removed: await repository.deleteStep(db, path.id, stepId) };
    },

    /** Adds a rule and assigns the path at once to everyone it reaches now (people who match later are found when they look). */
    async addRule(actor: Actor, pathId: string, input: RuleInput) {
      assertManager(actor);
      return db.transaction(async (tx) => {
        const path = await loadPath(pathId, tx, { forUpdate: true });
        await assertKnownAudience(tx, input);
        const rule = await repository.insertRule(tx, { pathId: path.id, ...input, createdById: actor.userId });
        await repository.reconcileEnrolments(tx, { pathId: path.id }, deps.clock());
        return { path, rule };
      });
    },

    /** Removes a rule: people no other rule reaches turn 'unassigned' (kept, with their progress); removed is false when it was already gone. */
    async removeRule(actor: Actor, pathId: string, ruleId: string) {
      assertManager(actor);
      return db.transaction(async (tx) => {
        const path = await loadPath(pathId, tx, { forUpdate: true });
        const removed = await repository.deleteRule(tx, path.id, ruleId);
        if (removed) await repository.reconcileEnrolments(tx, { pathId: path.id }, deps.clock());
        return { path, removed };
      });
    },

    /* ---------- Learners ---------- */

    /**
     * The caller's current assignments with progress, without first bringing them in line with the rules (for the home
     * page: My learning and /paths reconcile; rule changes reconcile everyone at once).
     */
    async myAssignedPaths(actor: Actor): Promise<PathProgress[]> {
      const learner = await learnerOf(actor.userId);
      return progressOfLearner(learner, await repository.listAssignedPaths(db, learner.id));
    },

    /** The caller's assigned paths with progress and due dates. */
    async myPaths(actor: Actor): Promise<PathProgress[]> {
      return assignedProgress(await learnerOf(actor.userId));
    },

    /**
     * One path with the caller's step statuses. Learners open only paths assigned to them (others answer 404 like
     * missing ones); the enablement team may open any path, as a preview of their own progress.
     */
    async getPathForLearner(actor: Actor, pathId: string): Promise<PathProgress & { preview: boolean }> {
      const learner = await learnerOf(actor.userId);
      await repository.reconcileEnrolments(db, { userId: learner.id }, deps.clock());
      const [path, enrolment] = await Promise.all([repository.findPath(db, pathId), repository.findEnrolment(db, pathId, learner.id)]);
      const assigned = path !== null && path.status === 'published' && enrolment?.status === 'assigned';
      if (!path || (!assigned && !canPerform(actor, 'path.manage'))) throw httpErrors.notFound('learning path');
      const [progress] = await progressOfLearner(learner, [{ path, enrolment: assigned ? enrolment : null }]);
      return { ...progress!, preview: !assigned };
    },

    /** Paths a partner admin may report on (their organisation's people are or were assigned); the vendor side uses the management list. */
    async reportablePaths(actor: Actor) {
      const scope = scopeFor(actor);
      if (!canPerform(actor, 'course.report') || scope.kind !== 'organisation') return [];
      return repository.listPathsOfOrganisation(db, scope.organisationId);
    },

    /* ---------- Report ---------- */

    async getReport(actor: Actor, pathId: string, filter: { organisationId?: string | undefined }) {
      const { path, scope } = await loadReportable(actor, pathId);
      // People who came to match since anyone last looked are counted too.
      await repository.reconcileEnrolments(db, { pathId: path.id }, deps.clock());
      const reportFilter = { scope, organisationId: filter.organisationId };
      const [rows, organisations] = await Promise.all([
        reportRows(path, reportFilter),
        scope.kind === 'all' ? repository.listPathReportOrganisations(db, path.id, scope) : Promise.resolve(null),
      ]);
      const assigned = rows.filter((r) => r.assigned);
      const summary = {
        assigned: assigned.length,
        notStarted: assigned.filter((r) => r.state === 'not_started').length,
        inProgress: assigned.filter((r) => r.state === 'in_progress').length,
        completed: assigned.filter((r) => r.complete).length,
        overdue: assigned.filter((r) => r.overdue).length,
      };
      return { path, rows, summary, organisations, scope };
    },

    /* ---------- For other modules (certifications, dashboards) ---------- */

    /** Every path assigned to the person now, with progress; a path turning complete is recorded (completedAt) as it is seen. */
    async pathProgressFor(userId: string): Promise<PathProgress[]> {
      return assignedProgress(await learnerOf(userId));
    },

    /** Whether the person has done every step of the path (assigned or not: progress is theirs either way). */
    async isPathComplete(userId: string, pathId: string, since: Date | null = null): Promise<boolean> {
      return progress.isPathComplete({ userId, pathId, since });
    },

    /* ---------- Reminders ---------- */

    /**
     * Mails everyone whose assigned, unfinished path is due within the reminder window, at most once per reminder
     * interval per assignment. Reconciles everyone first, so people who came to match are reminded too.
     */
    async sendDueReminders(): Promise<{ sent: number }> {
      const now = deps.clock();
      const { reminderDaysBefore, reminderIntervalMs } = deps.config.paths;
      await repository.reconcileEnrolments(db, {}, now);
      const remindedBefore = new Date(now.getTime() - reminderIntervalMs);
      const candidates = await repository.listReminderCandidates(db, { now, windowEnd: new Date(now.getTime() + reminderDaysBefore * DAY_MS), remindedBefore });
      let sent = 0;
      for (const [userId, due] of groupBy(candidates, (c) => c.userId)) {
        const learner = await learnerOf(userId);
        const progress = await progressOfLearner(learner, await repository.listAssignedPaths(db, userId));
        for (const candidate of due) {
          const p = progress.find((x) => x.path.id === candidate.pathId);
          if (!p || p.complete) continue;
          if (!(await repository.claimReminder(db, candidate.enrolmentId, now, remindedBefore))) continue;
          try {
            await deps.mailer.send(reminderMail(deps.config.appUrl, learner, p, now));
            sent++;
          } catch (err) {
            // Put the claim back so the next run tries again, instead of staying silent for a whole interval.
            await repository.restoreReminder(db, candidate.enrolmentId, candidate.lastRemindedAt);
            deps.logger.error({ err, enrolmentId: candidate.enrolmentId }, 'could not send a learning path reminder; will retry');
          }
        }
      }
      return { sent };
    },
  };
}

/** The reminder: which path, when it is due, how far the learner is, and the link to continue. */
function reminderMail(appUrl: string, learner: Learner, p: PathProgress, now: Date) {
  const dueAt = p.enrolment!.dueAt!;
  const days = Math.max(1, Math.ceil((dueAt.getTime() - now.getTime()) / DAY_MS));
  const due = formatDate(dueAt);
  return {
    to: learner.email,
    subject: `Reminder: "${p.path.title}" is due on ${due}`,
    text: [
      `Hello ${learner.name},`,
      '',
      `Your learning path "${p.path.title}" is due on ${due} (in ${days} day${days === 1 ? '' : 's'}).`,
      `You have completed ${p.completedSteps} of ${p.totalSteps} steps.`,
      '',
      `Continue here: ${appUrl}/paths/${p.path.id}`,
    ].join('\n'),
  };
}

export type PathsService = ReturnType<typeof createPathsService>;
