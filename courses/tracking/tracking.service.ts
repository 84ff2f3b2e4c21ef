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
  type NormalisedCommit,
  type RollupControls,
  type RollupItem,
  type ScormStandard,
  type SuccessStatus,
} from './cmi.js';
import { trackingErrors } from './tracking.errors.js';
import * as trackingRepository from './tracking.repository.js';
// CERTIFICATIONS hook (see certificationEarning below).
import { createCertificationEarning } from '../certifications/certification-earning.service.js';
import { createPathProgress } from '../paths/path-progress.js';
import type { CommitContext, CommitStatements, CommitStateSummary, CommitWrite } from './tracking.repository.js';
// GAMIFICATION hook (see awardFirstCompletion below).
import { awardOutcome } from '../gamification/gamification.service.js';

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
function controlsFromOrganization(organization: unknown): Map<string, RollupControls> {
  const out = new Map<string, RollupControls>();
  const visit = (items: unknown, depth: number) => {
    if (!Array.isArray(items) || depth > 100) return;
    for (const item of items as Array<{ identifier?: unknown; sequencingXml?: unknown; children?: unknown }>) {
      if (item === null || typeof item !== 'object') continue;
      if (typeof item.identifier === 'string' && typeof item.sequencingXml === 'string') out.set(item.identifier, rollupControlsFromSequencingXml(item.sequencingXml));
      visit(item.children, depth + 1);
    }
  };
  visit((organization as { items?: unknown } | null)?.items, 0);
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

export interface CommitInput {
  attemptId: string;
  userId: string;
  /** The SCO's identifier in the manifest (course_items.identifier). */
  itemIdentifier: string;
  sequence: number;
  cmi: unknown;
  isFinal?: boolean | undefined;
}

/** What a commit, a launch and a summary need of a version; it never changes once the version is imported. */
interface VersionContent {
  standard: ScormStandard;
  /** In document order, with their SCORM 2004 rollup controls. */
  items: Array<CourseItemRow & RollupItem>;
  byIdentifier: Map<string, CourseItemRow & RollupItem>;
  byId: Map<string, CourseItemRow & RollupItem>;
}

/** Versions kept in memory per service; each is a few hundred bytes per item. */
const VERSION_CACHE_SIZE = 500;

/** A commit to be written: the SCO's new state, and the attempt's states (without cmi, kept in memory) and roll-up with it. */
interface CommitPlan {
  state: CommitWrite['state'];
  states: CommitStateSummary[];
  rollup: AttemptRollup;
  /** GAMIFICATION hook: this commit turns the attempt's roll-up completed or passed for the first time. */
  firstDone: boolean;
}

/**
 * Attempts this service wrote lately, as it wrote them, so that the next commit of the same learner can skip the
 * read (a learner's player commits every few seconds to a minute). A memory, not a cache to trust: every write
 * checks the attempt row's version, so a stale entry costs a round trip, never a wrong write.
 */
const RECENT_ATTEMPTS_SIZE = 5000;
const RECENT_ATTEMPT_TTL_MS = 10 * 60_000;

/** CERTIFICATIONS hook: the course of an attempt whose stored roll-up says completed or passed, set by writePlan for its commit. */
interface CompletionWritten {
  courseId: string | null;
  /** GAMIFICATION hook: the course whose attempt this commit completed or passed for the first time. */
  firstDoneCourseId?: string;
}

/** GAMIFICATION hook: what counts as done, as My learning decides (catalogue isCompleted). */
const isDoneRollup = (r: Pick<AttemptRollup, 'completionStatus' | 'successStatus'>) => r.completionStatus === 'completed' || r.successStatus === 'passed';

export function createTrackingService(deps: Pick<AppDeps, 'database' | 'config' | 'clock' | 'logger'>) {
  const { db } = deps.database;
  const normaliseOptions = { scorm12SuspendDataMax: deps.config.scorm.scorm12SuspendDataMax };
  // A version never changes once imported (its rows are written in the import's one transaction), so it is read once.
  const versions = new Map<string, VersionContent>();
  const recentAttempts = new Map<string, CommitContext & { writtenAt: number }>();
  const statements = trackingRepository.commitStatements(db);
  // ---- CERTIFICATIONS hook ----
  // After a commit stored a completed or passed roll-up (and only then: one query when nothing is earned), the user's
  // certifications requiring that course are evaluated. Never inside the commit's transaction, so it sees the commit.
  const pathProgress = createPathProgress(deps);
  const certificationEarning = createCertificationEarning(deps, pathProgress);
  async function afterCommit(ack: CommitAcknowledgement, userId: string, written: CompletionWritten): Promise<CommitAcknowledgement> {
    if (written.firstDoneCourseId !== undefined) {
      await awardFirstCompletion(userId, written.firstDoneCourseId); // GAMIFICATION hook
      await recordPathCompletions(userId); // PATHS hook
    }
    if (written.courseId !== null) await certificationEarning.afterCourseCompleted({ userId, courseId: written.courseId });
    return ack;
  }
  // A course done for the first time may finish a path: recorded and scored now, not when the learner next looks.
  async function recordPathCompletions(userId: string): Promise<void> {
    try {
      await pathProgress.recordCompletionsOf(userId);
    } catch (err) {
      deps.logger.error({ err, userId }, 'paths: completions after a course completion not recorded');
    }
  }
  // ---- end CERTIFICATIONS hook ----
  // ---- GAMIFICATION hook ----
  // One statement, only on the commit that first makes an attempt completed or passed; the ledger's unique outcome key
  // means a re-take (a later attempt completing again) scores nothing. After the commit's own write (which stays one
  // statement); a failure here is logged, not turned into a failed commit the player would retry in vain.
  async function awardFirstCompletion(userId: string, courseId: string): Promise<void> {
    try {
      await awardOutcome(db, { kind: 'course_completed', userId, subjectId: courseId, occurredAt: deps.clock() });
    } catch (err) {
      deps.logger.error({ err, userId, courseId }, 'gamification: course completion not scored');
    }
  }
  // ---- end GAMIFICATION hook ----

  async function versionContent(tx: Executor, versionId: string): Promise<VersionContent> {
    const cached = versions.get(versionId);
    if (cached !== undefined) return cached;
    const definition = await trackingRepository.findVersionDefinition(tx, versionId);
    // Unreachable while attempts.version_id references the version (on delete restrict).
    if (definition === null) throw new Error(`course version ${versionId} not found`);
    const rows = await trackingRepository.listVersionItems(tx, versionId);
    const controls = definition.standard === 'scorm2004' ? controlsFromOrganization(definition.organization) : new Map<string, RollupControls>();
    const items = rows.map((item) => ({ ...item, controls: controls.get(item.identifier) ?? {} }));
    const content: VersionContent = {
      standard: definition.standard,
      items,
      byIdentifier: new Map(items.map((item) => [item.identifier, item])),
      byId: new Map(items.map((item) => [item.id, item])),
    };
    // Oldest first out: Map keeps insertion order.
    if (versions.size >= VERSION_CACHE_SIZE) versions.delete(versions.keys().next().value!);
    versions.set(versionId, content);
    return content;
  }

  /** Completed attempts, and any attempt that is not the user's latest, are reviewed, not taken. */
  async function modeOfAttempt(tx: Executor, attempt: AttemptRow): Promise<LaunchMode> {
    if (attempt.completedAt !== null) return 'review';
    const latest = await trackingRepository.findLatestAttempt(tx, attempt.userId, attempt.courseId);
    return latest !== null && latest.id !== attempt.id ? 'review' : 'normal';
  }

  async function loadAttempt(tx: Executor, attemptId: string, userId: string) {
    if (!UUID.test(attemptId) || !UUID.test(userId)) throw trackingErrors.attemptNotFound();
    const attempt = await trackingRepository.findAttemptOfUser(tx, attemptId, userId);
    if (attempt === null) throw trackingErrors.attemptNotFound();
    return attempt;
  }

  /**
   * What to do with a commit, given the attempt as last read or written: the refusals are thrown; null means
   * acknowledge without writing (review mode, a retried request).
   */
  async function planCommit(tx: Executor, snapshot: CommitContext, input: CommitInput, normalise: (standard: ScormStandard) => NormalisedCommit): Promise<CommitPlan | null> {
    const version = await versionContent(tx, snapshot.attempt.versionId);
    const item = version.byIdentifier.get(input.itemIdentifier);
    if (item === undefined) throw trackingErrors.itemNotInVersion(input.itemIdentifier);
    if (!isSco(item)) throw trackingErrors.itemNotLaunchable(item.identifier);
    const { standard } = version;
    const { cmi, json, digest } = normalise(standard);
    if (modeOf(standard, cmi) === 'review') return null;
    if (snapshot.superseded) throw trackingErrors.attemptClosed();

    const { sequence } = input;
    const stored = snapshot.states.find((state) => state.itemId === item.id) ?? null;
    if (stored !== null) {
      if (stored.commitSequence > sequence) throw trackingErrors.staleCommit(sequence, stored.commitSequence);
      if (stored.commitSequence === sequence) {
        if (stored.commitDigest === digest) return null;
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
    const summary = { itemId: item.id, commitSequence: sequence, commitDigest: digest, ...columns };
    // The roll-up over every SCO's state, this one as it is about to be stored.
    const states = [...snapshot.states.filter((other) => other.itemId !== item.id), summary];
    const rollup = rollupAttempt(standard, version.items, states);
    // GAMIFICATION hook: the roll-up before this commit is computed only when this one is done (in memory, no query).
    const firstDone = isDoneRollup(rollup) && !isDoneRollup(rollupAttempt(standard, version.items, snapshot.states));
    return { state: { ...summary, cmiJson: json }, states, rollup, firstDone };
  }

  /** Writes a planned commit unless the attempt row changed since `snapshot`; remembers what it wrote. */
  async function writePlan(statements: CommitStatements, snapshot: CommitContext, plan: CommitPlan, now: Date, written: CompletionWritten): Promise<boolean> {
    const attemptId = snapshot.attempt.id;
    const rowVersion = await statements.writeIfAttemptUnchanged({
      attemptId,
      userId: snapshot.attempt.userId,
      rowVersion: snapshot.rowVersion,
      state: plan.state,
      rollup: plan.rollup,
      now,
    });
    recentAttempts.delete(attemptId);
    if (rowVersion === null) return false;
    if (recentAttempts.size >= RECENT_ATTEMPTS_SIZE) recentAttempts.delete(recentAttempts.keys().next().value!);
    recentAttempts.set(attemptId, { ...snapshot, rowVersion, states: plan.states, writtenAt: now.getTime() });
    if (plan.rollup.completionStatus === 'completed' || plan.rollup.successStatus === 'passed') written.courseId = snapshot.attempt.courseId;
    if (plan.firstDone) written.firstDoneCourseId = snapshot.attempt.courseId; // GAMIFICATION hook
    return true;
  }

  /** Reads the attempt, then acknowledges, refuses or writes; false when the write found the attempt row changed. */
  async function commitFromRead(
    tx: Executor,
    statements: CommitStatements,
    input: CommitInput,
    normalise: (standard: ScormStandard) => NormalisedCommit,
    now: Date,
    written: CompletionWritten,
  ): Promise<boolean> {
    const snapshot = await statements.findContext(input.attemptId, input.userId);
    if (snapshot === null) throw trackingErrors.attemptNotFound();
    const plan = await planCommit(tx, snapshot, input, normalise);
    return plan === null || writePlan(statements, snapshot, plan, now, written);
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
      const item = (await versionContent(db, attempt.versionId)).byId.get(input.itemId);
      if (item === undefined) throw trackingErrors.itemNotInVersion(input.itemId);
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
     * Stores one commit of a SCO's CMI data: the attempt (only the user's own: another user's attempt is
     * tracking.attempt_not_found like a missing one), the item (tracking.item_not_in_version when the attempt's version
     * has no such item), the data (tracking.invalid_cmi, tracking.value_too_long), then the sequence: higher than the
     * stored one → written with its report columns and the attempt's roll-up; equal with the same digest →
     * acknowledged, nothing written (a retried request); equal with another digest → tracking.commit_conflict; lower →
     * tracking.stale_commit, the stored data untouched.
     * A commit made in review mode is acknowledged and changes nothing; one to an attempt superseded by a newer
     * attempt is tracking.attempt_closed.
     * Commits of one attempt are applied one after the other: each writes only if the attempt row is as it read it,
     * and is otherwise redone with the row locked.
     * Resolves only after the write has committed: answer the player's HTTP request with it, never before.
     * isFinal (the Terminate/LMSFinish commit) needs no special handling: sessions are told apart by sequence.
     */
    async commit(input: CommitInput): Promise<CommitAcknowledgement> {
      const { sequence } = input;
      if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence < 1) throw trackingErrors.invalidSequence(sequence);
      if (!UUID.test(input.attemptId) || !UUID.test(input.userId)) throw trackingErrors.attemptNotFound();
      const ack: CommitAcknowledgement = { result: true, errorCode: 0, sequence };
      const now = deps.clock();
      let normalised: NormalisedCommit | undefined;
      const normalise = (standard: ScormStandard) => (normalised ??= normaliseCommit(standard, input.cmi, normaliseOptions));
      const written: CompletionWritten = { courseId: null };

      // One round trip when this process wrote the attempt last: the write itself checks that the attempt row is still
      // the one written then. Only a write is decided from memory; refusals and acknowledgements come from a fresh read.
      const remembered = recentAttempts.get(input.attemptId);
      if (remembered !== undefined && remembered.attempt.userId === input.userId && now.getTime() - remembered.writtenAt < RECENT_ATTEMPT_TTL_MS) {
        const plan = await planCommit(db, remembered, input, normalise).catch(() => null);
        if (plan !== null && (await writePlan(statements, remembered, plan, now, written))) return afterCommit(ack, input.userId, written);
      }
      // Two round trips, no transaction: read, then write unless another commit of the attempt (another SCO, another
      // tab) wrote in between. Then it is done again holding the attempt row's lock. The lock is its own statement: a
      // statement that waited for it would still read the SCO states as they were before the wait.
      if (await commitFromRead(db, statements, input, normalise, now, written)) return afterCommit(ack, input.userId, written);
      await db.transaction(async (tx) => {
        if (!(await trackingRepository.lockAttemptOfUser(tx, input.attemptId, input.userId))) throw trackingErrors.attemptNotFound();
        if (!(await commitFromRead(tx, trackingRepository.commitStatements(tx), input, normalise, now, written))) throw new Error('tracking: the attempt row changed while it was locked');
      });
      return afterCommit(ack, input.userId, written);
    },

    /** The table of contents of an attempt with each item's status, and the attempt's roll-up. */
    async attemptSummary(attemptId: string, userId: string): Promise<AttemptSummary> {
      const attempt = await loadAttempt(db, attemptId, userId);
      const { items } = await versionContent(db, attempt.versionId);
      const states = await trackingRepository.listScoStateSummaries(db, attempt.id);
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
