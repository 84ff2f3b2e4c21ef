import type { AppDeps } from '../../server/app-deps.js';
import { awardOutcome } from '../gamification/gamification.service.js';
import * as repository from './certifications.repository.js';
import type { CertificateRow } from './certifications.table.js';
import { expiryOfEarning, newPublicId } from './certificate-status.js';
import { createPathProgress } from '../paths/path-progress.js';

/**
 * Whether a user has completed a learning path (for certification requirements of kind 'path', and renewals through
 * the recertification path). since: only a completion at or after it counts (null: any); see EarnableCertification.since.
 * The paths module's progress is the one used (createPathProgress); tests may pass another to count its calls.
 */
export interface PathCompletion {
  isPathComplete(input: { userId: string; pathId: string; since: Date | null }): Promise<boolean>;
}

/** What a certificate records of the requirements it was earned under (certificates.requirements). */
export interface RequirementSnapshot {
  kind: 'course' | 'exam' | 'path';
  courseId: string | null;
  title: string | null;
  pathId: string | null;
  passingScore: number | null;
}

/**
 * Decides and issues certificates. Each earning inserts at most one certificate: its key (certification, user, cycle)
 * is unique and the insert does nothing on conflict, so two evaluations of the same completion at once issue one.
 */
export function createCertificationEarning(deps: Pick<AppDeps, 'database' | 'clock' | 'logger'>, pathCompletion: PathCompletion = createPathProgress(deps)) {
  const { db } = deps.database;

  async function pathsComplete(userId: string, earnable: repository.EarnableCertification): Promise<boolean> {
    for (const pathId of earnable.pathIds) if (!(await pathCompletion.isPathComplete({ userId, pathId, since: earnable.since }))) return false;
    return true;
  }

  /** Issues every certificate the user has earned (only certifications requiring courseId, when given); returns those issued now. */
  async function evaluate(userId: string, courseId: string | null): Promise<CertificateRow[]> {
    const now = deps.clock();
    const earnable = await repository.findEarnableCertifications(db, { userId, courseId, now });
    const issued: CertificateRow[] = [];
    for (const candidate of earnable) {
      if (!(await pathsComplete(userId, candidate))) continue;
      const organisationId = await repository.findUserOrganisation(db, userId);
      if (organisationId === null) continue;
      const requirements: RequirementSnapshot[] =
        candidate.recertPathId !== null
          ? [{ kind: 'path', courseId: null, title: await repository.findPathTitle(db, candidate.recertPathId), pathId: candidate.recertPathId, passingScore: null }]
          : (await repository.listRequirements(db, candidate.certificationId)).map((r) => ({
              kind: r.kind,
              courseId: r.courseId,
              title: r.courseTitle ?? r.pathTitle,
              pathId: r.pathId,
              passingScore: r.passingScore,
            }));
      const previous = candidate.previousExpiresAt === null ? null : { expiresAt: candidate.previousExpiresAt, revokedAt: candidate.previousRevokedAt };
      // Issued and scored together: a certificate never exists without its points, nor points without it.
      const certificate = await db.transaction(async (tx) => {
        const inserted = await repository.insertCertificateOnce(tx, {
        id: newPublicId(),
        certificationId: candidate.certificationId,
        userId,
        organisationId,
        cycle: (candidate.previousCycle ?? 0) + 1,
        certificationName: candidate.name,
        requirementsRevision: candidate.requirementsRevision,
        requirements,
        issuedAt: now,
        expiresAt: expiryOfEarning(previous, candidate.validityMonths, now),
        });
        // Earning a certification scores once per person; a renewal keeps the certificate alive but scores nothing new.
        if (inserted) await awardOutcome(tx, { kind: 'certification_earned', userId, organisationId, subjectId: inserted.certificationId, occurredAt: now });
        return inserted;
      });
      if (certificate === null) continue;
      deps.logger.info({ certificateId: certificate.id, certificationId: certificate.certificationId, userId, cycle: certificate.cycle }, 'certificate issued');
      issued.push(certificate);
    }
    return issued;
  }

  return {
    evaluate,

    /**
     * The tracking commit's hook, called once an attempt's roll-up stored says completed or passed. The commit is
     * already durable, so a failure here is logged, never thrown at the player; My certifications evaluates again.
     */
    async afterCourseCompleted(input: { userId: string; courseId: string }): Promise<void> {
      try {
        // An exam reaching its passing score is an outcome of its own (scored once per person and exam, whatever happens to the certification).
        if (await repository.hasPassedExam(db, input)) {
          await awardOutcome(db, { kind: 'exam_passed', userId: input.userId, subjectId: input.courseId, occurredAt: deps.clock() });
        }
        await evaluate(input.userId, input.courseId);
      } catch (err) {
        deps.logger.error({ err, userId: input.userId, courseId: input.courseId }, 'certification evaluation after a completion failed');
      }
    },
  };
}

export type CertificationEarning = ReturnType<typeof createCertificationEarning>;
