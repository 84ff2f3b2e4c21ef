import type { AppDeps } from '../../server/app-deps.js';
import type { Executor } from '../../server/db/database.js';
import { isUniqueViolation } from '../../server/db/db.errors.js';
import type { CourseItemRow } from '../scorm/scorm.table.js';
import type { AttemptRow } from './tracking.table.js';
import {
  deriveScoColumns,
  isSco,
  keepAchievedStatus,
  modeOf,
  normaliseCommit,
  resumeData,
  rollupAttempt,
  rollupControlsFromSequencingXml,
  type AttemptRollup,
  type CmiObject,
  type CompletionStatus,
  type ItemRules,
  type LaunchMode,
  type RollupControls,
  type RollupItem,
  type ScormStandard,
  type SuccessStatus,
} from './cmi.js';
import { trackingErrors } from './tracking.errors.js';
import * as trackingRepository from './tracking.repository.js';

/**
 * Commit sequences are numbered per SCO and launch session: session n of a SCO in an attempt uses the
 * sequences n × STRIDE + 1, n × STRIDE + 2, … . launchData answers sequenceBase = (the stored session + 1) × STRIDE,
 * and the player sends sequenceBase + scorm-again's own commit counter (includeCommitSequence: true; it restarts at 1
 * on every page load). So a later launch always outranks an earlier one, a commit of an older session (another
 * tab, a retried request) is refused as stale once a newer one is stored, and the session a commit belongs to
 * (sequence ÷ STRIDE) tells how to accumulate total time. A million commits per session, 9 × 10⁹ sessions per SCO.
 */
export const SESSION_SEQUENCE_STRIDE = 1_000_000;

export function sessionOfSequence(sequence: number): number {
  return Math.floor(sequence / SESSION_SEQUENCE_STRIDE);
}

/** The sequenceBase of the next launch session, given the highest sequence stored (0 when none). */
export function nextSequenceBase(storedSequence: number): number {
  return (sessionOfSequence(storedSequence) + 1) * SESSION_SEQUENCE_STRIDE;
}

/** What the commit endpoint answers to scorm-again (its ResultObject) once the data is durably stored. */
export interface CommitAcknowledgement {
  result: true;
  errorCode: 0;
  sequence: number;
}

export interface StartedAttempt {
  attempt: AttemptRow;
  /** "review" for a completed attempt reopened: no-credit, and commits change nothing. */
  mode: LaunchMode;
  created: boolean;
}

export interface LaunchData {
  standard: ScormStandard;
  /** Load with api.loadFromJSON(cmi) before the content calls Initialize. */
  cmi: CmiObject;
  mode: LaunchMode;
  /** Send sequence = sequenceBase + scorm-again's commitSequence with every commit of this launch. */
  sequenceBase: number;
  attemptId: string;
  item: { id: string; identifier: string; title: string; launchHref: string };
}

export interface SummaryItem {
  id: string;
  identifier: string;
  parentIdentifier: string | null;
  title: string;
  depth: number;
  position: number;
  isVisible: boolean;
  /** A SCO the learner can launch (chapters and assets are not tracked). */
  launchable: boolean;
  completionStatus: CompletionStatus;
  successStatus: SuccessStatus;
  scoreScaled: number | null;
  totalTimeSeconds: number;
  lastAccessedAt: Date | null;
}

export interface AttemptSummary {
  attempt: AttemptRow;
  standard: ScormStandard;
  versionNumber: number;
  mode: LaunchMode;
  rollup: AttemptRollup;
  items: SummaryItem[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function itemRules(item: CourseItemRow): ItemRules & { dataFromLms: string | null; maxTimeAllowed: string | null; timeLimitAction: string | null } {
  return {
    masteryScore: item.masteryScore,
    completionThreshold: item.completionThreshold,
    satisfiedByMeasure: item.satisfiedByMeasure,
    minNormalizedMeasure: item.minNormalizedMeasure,
    dataFromLms: item.dataFromLms,
    maxTimeAllowed: item.maxTimeAllowed,
    timeLimitAction: item.timeLimitAction,
  };
}

/** identifier → rollup controls, from the stored manifest's item tree (ParsedManifest.organization.items[].sequencingXml). */
function controlsFromManifest(manifest: unknown): Map<string, RollupControls> {
  const out = new Map<string, RollupControls>();
  const visit = (items: unknown, depth: number) => {
    if (!Array.isArray(items) || depth > 100) return;
    for (const item of items as Array<{ identifier?: unknown; sequencingXml?: unknown; children?: unknown }>) {
      if (item === null || typeof item !== 'object') continue;
      if (typeof item.identifier === 'string' && typeof item.sequencingXml === 'string') out.set(item.identifier, rollupControlsFromSequencingXml(item.sequencingXml));
      visit(item.children, depth + 1);
    }
  };
  visit((manifest as { organization?: { items?: unknown } } | null)?.organization?.items, 0);
  return out;
}

export interface StartAttemptInput {
  userId: string;
  organisationId: string;
  courseId: string;
  versionIdForNewAttempts: string | null;
  allowNewAttemptAfterCompletion: boolean;
  forceNew?: boolean | undefined;
}

export function createTrackingService(deps: Pick<AppDeps, 'database' | 'config' | 'clock'>) {
  const { db } = deps.database;
  const normaliseOptions = { scorm12SuspendDataMax: deps.config.scorm.scorm12SuspendDataMax };
  // A version never changes once imported, so its rollup controls are read once.
  const controlsByVersion = new Map<string, Map<string, RollupControls>>();

  async function rollupItems(tx: Executor, versionId: string, standard: ScormStandard): Promise<Array<CourseItemRow & RollupItem>> {
    const items = await trackingRepository.listVersionItems(tx, versionId);
    if (standard !== 'scorm2004') return items;
    let controls = controlsByVersion.get(versionId);
    if (controls === undefined) {
      controls = controlsFromManifest(await trackingRepository.findVersionManifest(tx, versionId));
      if (controlsByVersion.size >= 500) controlsByVersion.clear();
      controlsByVersion.set(versionId, controls);
    }
    const byIdentifier = controls;
    return items.map((item) => ({ ...item, controls: byIdentifier.get(item.identifier) ?? {} }));
  }

  /** Completed attempts, and any attempt that is not the user's latest, are reviewed, not taken. */
  async function modeOfAttempt(tx: Executor, attempt: AttemptRow): Promise<LaunchMode> {
    if (attempt.completedAt !== null) return 'review';
    const latest = await trackingRepository.findLatestAttempt(tx, attempt.userId, attempt.courseId);
    return latest !== null && latest.id !== attempt.id ? 'review' : 'normal';
  }

  async function loadAttempt(tx: Executor, attemptId: string, userId: string, forUpdate = false) {
    if (!UUID.test(attemptId) || !UUID.test(userId)) throw trackingErrors.attemptNotFound();
    const attempt = await trackingRepository.findAttemptOfUser(tx, attemptId, userId, { forUpdate });
    if (attempt === null) throw trackingErrors.attemptNotFound();
    return attempt;
  }

  async function startOrResume(input: StartAttemptInput): Promise<StartedAttempt> {
    return db.transaction(async (tx) => {
      const latest = await trackingRepository.findLatestAttempt(tx, input.userId, input.courseId);
      // An attempt in progress is always resumed, on the version it started on.
      if (latest !== null && latest.completedAt === null) return { attempt: latest, mode: 'normal' as const, created: false };
      if (latest !== null && !input.forceNew) return { attempt: latest, mode: 'review' as const, created: false };
      if (latest !== null && !input.allowNewAttemptAfterCompletion) throw trackingErrors.newAttemptNotAllowed();
      if (input.versionIdForNewAttempts === null) throw trackingErrors.noVersion();
      const attempt = await trackingRepository.insertAttempt(tx, {
        courseId: input.courseId,
        versionId: input.versionIdForNewAttempts,
        userId: input.userId,
        organisationId: input.organisationId,
        attemptNumber: (latest?.attemptNumber ?? 0) + 1,
        now: deps.clock(),
      });
      return { attempt, mode: 'normal' as const, created: true };
    });
  }

  return {
    /**
     * The attempt to launch: the one in progress (on its own version, even when the course has a newer one),
     * else the completed one to review, else a new one on versionIdForNewAttempts. forceNew starts a new attempt
     * after a completed one, when the course allows it (tracking.new_attempt_not_allowed otherwise); it never
     * abandons an attempt in progress.
     */
    async startOrResumeAttempt(input: StartAttemptInput): Promise<StartedAttempt> {
      try {
        return await startOrResume(input);
      } catch (err) {
        // Two first launches at once both chose the same attempt number; the loser takes the winner's attempt.
        if (isUniqueViolation(err, 'attempts_user_course_number_key')) return startOrResume({ ...input, forceNew: false });
        throw err;
      }
    },

    /** What the player loads into scorm-again for one SCO of an attempt (itemId is the course_items id). */
    async launchData(input: { attemptId: string; userId: string; itemId: string }): Promise<LaunchData> {
      const attempt = await loadAttempt(db, input.attemptId, input.userId);
      const item = UUID.test(input.itemId) ? await trackingRepository.findVersionItemById(db, attempt.versionId, input.itemId) : null;
      if (item === null) throw trackingErrors.itemNotInVersion(input.itemId);
      if (!isSco(item) || item.launchHref === null) throw trackingErrors.itemNotLaunchable(item.identifier);
      const [mode, stored] = [await modeOfAttempt(db, attempt), await trackingRepository.findScoState(db, attempt.id, item.id)];
      const cmi = resumeData(attempt.standard, (stored?.cmi as CmiObject | undefined) ?? null, {
        mode,
        learnerId: attempt.userId,
        learnerName: attempt.learnerName,
        totalTimeSeconds: stored?.totalTimeSeconds ?? 0,
        item: itemRules(item),
      });
      return {
        standard: attempt.standard,
        cmi,
        mode,
        sequenceBase: nextSequenceBase(stored?.commitSequence ?? 0),
        attemptId: attempt.id,
        item: { id: item.id, identifier: item.identifier, title: item.title, launchHref: item.launchHref },
      };
    },

    /**
     * Stores one commit of a SCO's CMI data, in one transaction: the attempt (locked, and only the user's own:
     * another user's attempt is tracking.attempt_not_found like a missing one), the item (tracking.item_not_in_version
     * when the attempt's version has no such item), the data (tracking.invalid_cmi, tracking.value_too_long), then
     * the sequence: higher than the stored one → written with its report columns and the attempt's roll-up; equal
     * with the same digest → acknowledged, nothing written (a retried request); equal with another digest →
     * tracking.commit_conflict; lower → tracking.stale_commit, the stored data untouched.
     * A commit made in review mode is acknowledged and changes nothing; one to an attempt superseded by a newer
     * attempt is tracking.attempt_closed.
     * Resolves only after the transaction has committed: answer the player's HTTP request with it, never before.
     * isFinal (the Terminate/LMSFinish commit) needs no special handling: sessions are told apart by sequence.
     */
    async commit(input: { attemptId: string; userId: string; itemIdentifier: string; sequence: number; cmi: unknown; isFinal?: boolean | undefined }): Promise<CommitAcknowledgement> {
      const { sequence } = input;
      if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence < 1) throw trackingErrors.invalidSequence(sequence);
      const ack: CommitAcknowledgement = { result: true, errorCode: 0, sequence };
      const now = deps.clock();

      await db.transaction(async (tx) => {
        const attempt = await loadAttempt(tx, input.attemptId, input.userId, true);
        const item = await trackingRepository.findVersionItemByIdentifier(tx, attempt.versionId, input.itemIdentifier);
        if (item === null) throw trackingErrors.itemNotInVersion(input.itemIdentifier);
        if (!isSco(item)) throw trackingErrors.itemNotLaunchable(item.identifier);
        const standard = attempt.standard;
        const { cmi, digest } = normaliseCommit(standard, input.cmi, normaliseOptions);
        if (modeOf(standard, cmi) === 'review') return;
        const latest = await trackingRepository.findLatestAttempt(tx, attempt.userId, attempt.courseId);
        if (latest !== null && latest.id !== attempt.id) throw trackingErrors.attemptClosed();

        const stored = await trackingRepository.findScoState(tx, attempt.id, item.id);
        if (stored !== null) {
          if (stored.commitSequence > sequence) throw trackingErrors.staleCommit(sequence, stored.commitSequence);
          if (stored.commitSequence === sequence) {
            if (stored.commitDigest === digest) return;
            throw trackingErrors.commitConflict(sequence);
          }
        }
        // The LMS owns total time: the total before this session plus this session's time. Within a session each
        // commit's session_time replaces the previous one's; a new session adds to the stored total.
        const previousTotal =
          stored === null
            ? 0
            : sessionOfSequence(stored.commitSequence) === sessionOfSequence(sequence)
              ? stored.totalTimeSeconds - stored.sessionTimeSeconds
              : stored.totalTimeSeconds;
        const columns = keepAchievedStatus(stored, deriveScoColumns(standard, cmi, itemRules(item), Math.max(0, previousTotal)));
        const written = await trackingRepository.upsertScoStateIfNewer(tx, {
          attemptId: attempt.id,
          itemId: item.id,
          cmi,
          commitSequence: sequence,
          commitDigest: digest,
          ...columns,
          now,
        });
        // Unreachable while the attempt row is locked; kept so that the guard never fails silently.
        if (written === null) {
          const current = await trackingRepository.findScoState(tx, attempt.id, item.id);
          throw trackingErrors.staleCommit(sequence, current?.commitSequence ?? sequence);
        }

        const rollup = rollupAttempt(standard, await rollupItems(tx, attempt.versionId, standard), await trackingRepository.listScoStates(tx, attempt.id));
        await trackingRepository.updateAttemptRollup(tx, attempt.id, {
          completionStatus: rollup.completionStatus,
          successStatus: rollup.successStatus,
          scoreScaled: rollup.scoreScaled,
          totalTimeSeconds: rollup.totalTimeSeconds,
          lastAccessedAt: now,
          completedAt: attempt.completedAt ?? (rollup.completionStatus === 'completed' ? now : null),
        });
      });
      return ack;
    },

    /** The table of contents of an attempt with each item's status, and the attempt's roll-up. */
    async attemptSummary(attemptId: string, userId: string): Promise<AttemptSummary> {
      const attempt = await loadAttempt(db, attemptId, userId);
      const items = await rollupItems(db, attempt.versionId, attempt.standard);
      const states = await trackingRepository.listScoStates(db, attempt.id);
      const byItem = new Map(states.map((state) => [state.itemId, state]));
      const { standard, versionNumber, learnerName: _learnerName, ...attemptRow } = attempt;
      return {
        attempt: attemptRow,
        standard,
        versionNumber,
        mode: await modeOfAttempt(db, attempt),
        rollup: rollupAttempt(standard, items, states),
        items: items.map((item) => {
          const state = byItem.get(item.id);
          return {
            id: item.id,
            identifier: item.identifier,
            parentIdentifier: item.parentIdentifier,
            title: item.title,
            depth: item.depth,
            position: item.position,
            isVisible: item.isVisible,
            launchable: isSco(item),
            completionStatus: state?.completionStatus ?? 'not_attempted',
            successStatus: state?.successStatus ?? 'unknown',
            scoreScaled: state?.scoreScaled ?? null,
            totalTimeSeconds: state?.totalTimeSeconds ?? 0,
            lastAccessedAt: state?.lastAccessedAt ?? null,
          };
        }),
      };
    },

    /** Every attempt of the user at the course, newest first. */
    async attemptHistory(input: { userId: string; courseId: string }) {
      return trackingRepository.listAttemptHistory(db, input.userId, input.courseId);
    },

    /** Learners with an attempt in progress on each version of a course (to tell who a new version does not reach yet). */
    async inProgressByVersion(courseId: string) {
      return trackingRepository.countInProgressAttemptsByVersion(db, courseId);
    },
  };
}

export type TrackingService = ReturnType<typeof createTrackingService>;
