import type { AppDeps } from '../../server/app-deps.js';
import type { Executor } from '../../server/db/database.js';
import { isUniqueViolation } from '../../server/db/db.errors.js';
import { httpErrors } from '../../server/http/http.errors.js';
import type { Actor } from '../../server/tenancy/actor.js';
import { canPerformOn, scopeFor } from '../../server/tenancy/policy.js';
import { listTiers } from '../../server/organisations/organisations.repository.js';
import type { UserRole } from '../../server/users/users.table.js';
import * as repository from './certifications.repository.js';
import { certificationErrors } from './certifications.errors.js';
import type { CertificationInput, TierRequirementInput } from './certifications.schema.js';
import { certificateStatus, isInRecertWindow, isPublicId, type CertificateStatus } from './certificate-status.js';
import { createCertificationEarning, type PathCompletion } from './certification-earning.service.js';
import { createPathProgress } from '../paths/path-progress.js';
import { renderCertificatePdf } from './certificate-pdf.js';
import { createVerificationThrottle, VERIFY_LOOKUPS_PER_MINUTE } from './verification-throttle.js';

/** The organisation view lists certificates expiring within this many days. */
export const EXPIRING_WITHIN_DAYS = 90;
const DAY_MS = 86_400_000;

/** What the public verification page may show: nothing else about the holder (no e-mail, no requirements, no reason). */
export interface VerifiedCertificate {
  certificationName: string;
  holderName: string;
  organisationName: string;
  issuedAt: Date;
  expiresAt: Date;
  status: CertificateStatus;
}

/** A tier requirement as met (or not) by one organisation. */
export interface RequirementProgress {
  role: UserRole | null;
  required: number;
  certified: number;
  met: boolean;
}

export interface OrganisationCertificationRow {
  certificationId: string;
  certificationName: string;
  /** Everyone at the organisation holding a valid certificate. */
  certified: number;
  requirements: RequirementProgress[];
}

export interface OrganisationOverview {
  id: string;
  name: string;
  tierName: string | null;
  rows: OrganisationCertificationRow[];
  /** Every tier requirement met (true when the tier requires nothing). */
  meetsTier: boolean;
}

function requirementsOf(input: CertificationInput): repository.RequirementValues[] {
  return [
    ...input.courseIds.map((courseId) => ({ kind: 'course' as const, courseId, pathId: null, passingScore: null })),
    ...(input.examCourseId === null ? [] : [{ kind: 'exam' as const, courseId: input.examCourseId, pathId: null, passingScore: input.passingScore }]),
    ...input.pathIds.map((pathId) => ({ kind: 'path' as const, courseId: null, pathId, passingScore: null })),
  ];
}

const sameRequirements = (a: readonly repository.RequirementValues[], b: readonly repository.RequirementValues[]) =>
  a.length === b.length && a.every((r, i) => r.kind === b[i]!.kind && r.courseId === b[i]!.courseId && r.pathId === b[i]!.pathId && r.passingScore === b[i]!.passingScore);

/**
 * Certifications: the enablement side defines them (requirements, validity, recertification window) and revokes
 * certificates; holders see and download theirs; anyone may check one on the public verification page; the vendor side
 * and partner admins (their own organisation) see certified headcounts against tier requirements.
 */
export function createCertificationsService(
  deps: Pick<AppDeps, 'database' | 'config' | 'clock' | 'logger' | 'mailer'>,
  options: { pathCompletion?: PathCompletion; verifyLookupsPerMinute?: number } = {},
) {
  const { db } = deps.database;
  const pathProgress = createPathProgress(deps);
  const earning = createCertificationEarning(deps, options.pathCompletion ?? pathProgress);
  const throttle = createVerificationThrottle(options.verifyLookupsPerMinute ?? VERIFY_LOOKUPS_PER_MINUTE);
  const verificationUrl = (publicId: string) => new URL(`/verify/${publicId}`, deps.config.appUrl).toString();

  async function assertCoursesExist(tx: Executor, input: CertificationInput): Promise<void> {
    if ((await repository.countExistingCourses(tx, input.courseIds)) !== input.courseIds.length) throw certificationErrors.courseUnknown('courseIds');
    if (input.examCourseId !== null && (await repository.countExistingCourses(tx, [input.examCourseId])) !== 1) throw certificationErrors.courseUnknown('examCourseId');
    if ((await repository.countExistingPaths(tx, input.pathIds)) !== input.pathIds.length) throw certificationErrors.pathUnknown('pathIds');
    if (input.recertPathId !== null && (await repository.countExistingPaths(tx, [input.recertPathId])) !== 1) throw certificationErrors.pathUnknown('recertPathId');
  }

  /**
   * Assigns the recertification path to every holder (or `userId` alone) whose window is open, due on the expiry and
   * counting only what they do from the window's opening. Idempotent; returns how many assignments changed.
   */
  async function assignRecertificationPaths(userId?: string): Promise<number> {
    let changed = 0;
    for (const due of await repository.listRecertificationsDue(db, { now: deps.clock(), ...(userId === undefined ? {} : { userId }) })) {
      if (await pathProgress.assignForRecertification({ pathId: due.pathId, userId: due.userId, progressFrom: due.windowOpenedAt, dueAt: due.expiresAt })) {
        await repository.recordRecertPath(db, due.certificateId, due.pathId);
        changed++;
      }
    }
    return changed;
  }

  async function assertNameFree(tx: Executor, name: string, exceptId: string | null): Promise<void> {
    const existing = await repository.findCertificationByName(tx, name);
    if (existing !== null && existing.id !== exceptId) throw certificationErrors.nameTaken(name);
  }

  async function loadCertification(id: string) {
    const certification = await repository.findCertification(db, id);
    if (certification === null) throw httpErrors.notFound('certification');
    return certification;
  }

  /** A certificate the actor may see: their own, or (certification.report) one of an organisation in their scope. Others are 404. */
  async function visibleCertificate(actor: Actor, publicId: string) {
    const certificate = isPublicId(publicId) ? await repository.findCertificate(db, publicId) : null;
    if (certificate === null) throw httpErrors.notFound('certificate');
    if (certificate.userId !== actor.userId && !canPerformOn(actor, 'certification.report', { organisationId: certificate.organisationId })) throw httpErrors.notFound('certificate');
    return certificate;
  }

  /** The actor's certificates with their status now, newest earning of each certification marked latest. */
  async function myCertificates(actor: Actor) {
    const now = deps.clock();
    const rows = await repository.listCertificatesOfUser(db, actor.userId);
    const latestCycle = new Map<string, number>();
    for (const row of rows) latestCycle.set(row.certificationId, Math.max(latestCycle.get(row.certificationId) ?? 0, row.cycle));
    return rows.map((row) => ({
      ...row,
      status: certificateStatus(row, now),
      latest: latestCycle.get(row.certificationId) === row.cycle,
      recertifyBy: latestCycle.get(row.certificationId) === row.cycle && isInRecertWindow(row, row.recertWindowDays, now) ? row.expiresAt : null,
      verificationUrl: verificationUrl(row.id),
    }));
  }

  return {
    earning,
    verificationUrl,

    async listCertifications() {
      return repository.listCertifications(db, deps.clock());
    },

    /** What the form offers: courses (requirements and exam) and learning paths (requirements and recertification). */
    async formOptions() {
      const [courses, paths] = await Promise.all([repository.listCourseOptions(db), repository.listPathOptions(db)]);
      return { courses, paths };
    },

    async getForEdit(id: string) {
      const certification = await loadCertification(id);
      const [requirements, courses, paths] = await Promise.all([repository.listRequirements(db, id), repository.listCourseOptions(db), repository.listPathOptions(db)]);
      return { certification, requirements, courses, paths };
    },

    assignRecertificationPaths,

    async create(actor: Actor, input: CertificationInput) {
      try {
        return await db.transaction(async (tx) => {
          await assertCoursesExist(tx, input);
          await assertNameFree(tx, input.name, null);
          const certification = await repository.insertCertification(tx, {
            name: input.name,
            description: input.description,
            validityMonths: input.validityMonths,
            recertWindowDays: input.recertWindowDays,
            recertPathId: input.recertPathId,
          });
          await repository.replaceRequirements(tx, certification.id, requirementsOf(input));
          deps.logger.info({ certificationId: certification.id, userId: actor.userId }, 'certification created');
          return certification;
        });
      } catch (err) {
        if (isUniqueViolation(err, 'certifications_name_key')) throw certificationErrors.nameTaken(input.name);
        throw err;
      }
    },

    /**
     * Saves a certification. Certificates already issued are left exactly as they are (they carry the requirements
     * they were earned under); changed requirements apply to earnings from now on and bump the requirements revision.
     */
    async update(actor: Actor, id: string, input: CertificationInput) {
      try {
        return await db.transaction(async (tx) => {
          const current = await repository.findCertification(tx, id, { forUpdate: true });
          if (current === null) throw httpErrors.notFound('certification');
          await assertCoursesExist(tx, input);
          await assertNameFree(tx, input.name, id);
          const before = (await repository.listRequirements(tx, id)).map(({ courseTitle: _course, pathTitle: _path, ...r }) => r);
          const next = requirementsOf(input);
          const requirementsChanged = !sameRequirements(before, next);
          const certification = await repository.updateCertification(tx, id, {
            name: input.name,
            description: input.description,
            validityMonths: input.validityMonths,
            recertWindowDays: input.recertWindowDays,
            recertPathId: input.recertPathId,
            updatedAt: deps.clock(),
            ...(requirementsChanged ? { requirementsRevision: current.requirementsRevision + 1 } : {}),
          });
          if (requirementsChanged) await repository.replaceRequirements(tx, id, next);
          deps.logger.info({ certificationId: id, userId: actor.userId, requirementsChanged }, 'certification updated');
          return { certification: certification!, requirementsChanged };
        });
      } catch (err) {
        if (isUniqueViolation(err, 'certifications_name_key')) throw certificationErrors.nameTaken(input.name);
        throw err;
      }
    },

    /** Every certificate issued for a certification, with its status now. */
    async holders(id: string) {
      const certification = await loadCertification(id);
      const now = deps.clock();
      const holders = (await repository.listHolders(db, id)).map((h) => ({ ...h, status: certificateStatus(h, now) }));
      return { certification, holders };
    },

    /** Revokes a certificate with a reason (kept internal: the verification page only says "revoked"). */
    async revoke(actor: Actor, publicId: string, reason: string) {
      const certificate = isPublicId(publicId) ? await repository.findCertificate(db, publicId) : null;
      if (certificate === null) throw httpErrors.notFound('certificate');
      if (!(await repository.revokeCertificate(db, publicId, { reason, revokedById: actor.userId, now: deps.clock() }))) throw certificationErrors.alreadyRevoked();
      deps.logger.info({ certificateId: publicId, userId: actor.userId }, 'certificate revoked');
      return certificate;
    },

    /**
     * The actor's certificates, newest earning of each certification first. Evaluates first, so a completion whose
     * hook failed (it only logs) still ends in a certificate when the learner looks.
     */
    async mine(actor: Actor) {
      await earning.evaluate(actor.userId, null);
      await assignRecertificationPaths(actor.userId);
      return myCertificates(actor);
    },

    /** The actor's certificates as they stand, without the catch-ups of mine() (for the home page: reads only). */
    myCertificates,

    /** The vendor's name, as certificates and profile links give the issuer. */
    async vendorName(): Promise<string> {
      return (await repository.findVendorBranding(db))?.name ?? 'Partner Academy';
    },

    /** The certificate PDF, made on demand (see certificate-pdf.ts): for its holder, the vendor side and their partner admin. */
    async certificatePdf(actor: Actor, publicId: string): Promise<{ pdf: Uint8Array; fileName: string }> {
      const certificate = await visibleCertificate(actor, publicId);
      const vendor = await repository.findVendorBranding(db);
      const pdf = await renderCertificatePdf({
        vendorName: vendor?.name ?? 'Partner Academy',
        brandColour: vendor?.brandPrimaryColor ?? null,
        holderName: certificate.holderName,
        organisationName: certificate.organisationName,
        certificationName: certificate.certificationName,
        issuedAt: certificate.issuedAt,
        expiresAt: certificate.expiresAt,
        publicId: certificate.id,
        verificationUrl: verificationUrl(certificate.id),
      });
      const slug = certificate.certificationName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'certificate';
      return { pdf, fileName: `${slug}-${certificate.id}.pdf` };
    },

    /**
     * The public check of a certificate: null for an unknown id and for anything not shaped like one (answered the same).
     * Every lookup counts against the client address (certification.verify_throttled, 429, past the limit).
     */
    async verify(publicId: string, clientAddress: string): Promise<VerifiedCertificate | null> {
      await throttle.consume(clientAddress);
      const certificate = isPublicId(publicId) ? await repository.findCertificate(db, publicId) : null;
      if (certificate === null) return null;
      return {
        certificationName: certificate.certificationName,
        holderName: certificate.holderName,
        organisationName: certificate.organisationName,
        issuedAt: certificate.issuedAt,
        expiresAt: certificate.expiresAt,
        status: certificateStatus(certificate, deps.clock()),
      };
    },

    /**
     * Per partner organisation in the actor's scope (a partner admin: their own) and certification: certified people
     * against what the organisation's tier requires, and who expires within EXPIRING_WITHIN_DAYS.
     */
    async organisationView(actor: Actor) {
      const scope = scopeFor(actor);
      const now = deps.clock();
      const [organisations, counts, tierRequirements, expiring, certifications] = await Promise.all([
        repository.listPartnerOrganisations(db, scope),
        repository.countCertifiedPeople(db, scope, now),
        repository.listTierRequirements(db),
        repository.listExpiring(db, scope, now, new Date(now.getTime() + EXPIRING_WITHIN_DAYS * DAY_MS)),
        repository.listCertifications(db, now),
      ]);
      const certificationNames = new Map(certifications.map((c) => [c.id, c.name]));
      // Grouped once: filtering every count for each organisation was quadratic (2,000 organisations × 20,000 counts).
      const countsByOrganisation = new Map<string, typeof counts>();
      for (const c of counts) {
        const list = countsByOrganisation.get(c.organisationId);
        if (list) list.push(c);
        else countsByOrganisation.set(c.organisationId, [c]);
      }

      const overview: OrganisationOverview[] = organisations.map((organisation) => {
        const own = countsByOrganisation.get(organisation.id) ?? [];
        const required = tierRequirements.filter((t) => t.tierId === organisation.tierId);
        const certificationIds = [...new Set([...own.map((c) => c.certificationId), ...required.map((t) => t.certificationId)])];
        const rows = certificationIds
          .map((certificationId) => {
            const people = own.filter((c) => c.certificationId === certificationId);
            const certifiedWithRole = (role: UserRole | null) => people.filter((c) => role === null || c.role === role).reduce((sum, c) => sum + c.people, 0);
            return {
              certificationId,
              certificationName: certificationNames.get(certificationId) ?? '',
              certified: certifiedWithRole(null),
              requirements: required
                .filter((t) => t.certificationId === certificationId)
                .map((t) => {
                  const certified = certifiedWithRole(t.role);
                  return { role: t.role, required: t.requiredCount, certified, met: certified >= t.requiredCount };
                }),
            };
          })
          .sort((a, b) => a.certificationName.localeCompare(b.certificationName));
        return { id: organisation.id, name: organisation.name, tierName: organisation.tierName, rows, meetsTier: rows.every((r) => r.requirements.every((q) => q.met)) };
      });
      return { scope, organisations: overview, expiring, withinDays: EXPIRING_WITHIN_DAYS };
    },

    async tierRequirements() {
      const [requirements, tiers, certifications] = await Promise.all([repository.listTierRequirements(db), listTiers(db), repository.listCertifications(db, deps.clock())]);
      return { requirements, tiers, certifications };
    },

    async addTierRequirement(actor: Actor, input: TierRequirementInput) {
      if (!(await repository.tierExists(db, input.tierId))) throw certificationErrors.tierUnknown();
      if ((await repository.findCertification(db, input.certificationId)) === null) throw certificationErrors.certificationUnknown();
      const row = await repository.insertTierRequirement(db, input);
      if (row === null) throw certificationErrors.tierRequirementExists();
      deps.logger.info({ tierRequirementId: row.id, userId: actor.userId }, 'tier certification requirement added');
      return row;
    },

    async removeTierRequirement(actor: Actor, id: string): Promise<boolean> {
      const removed = await repository.deleteTierRequirement(db, id);
      if (removed) deps.logger.info({ tierRequirementId: id, userId: actor.userId }, 'tier certification requirement removed');
      return removed;
    },

    /**
     * Assigns recertification paths to holders whose window has opened, then reminds them, once per certificate.
     * Returns how many were reminded.
     */
    async sendRecertificationReminders(): Promise<number> {
      // Assignments first, so the mail's link leads to a path that is already on the holder's list.
      await assignRecertificationPaths();
      const due = await repository.claimDueReminders(db, deps.clock());
      const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
      for (const reminder of due) {
        const pathTitle = reminder.recertPathId === null ? null : await repository.findPathTitle(db, reminder.recertPathId);
        const how =
          reminder.recertPathId === null || pathTitle === null
            ? ['Recertify before then to stay certified: complete the required courses and exam again in Partner Academy.']
            : [
                `Recertify before then to stay certified: complete the learning path "${pathTitle}", now on your list.`,
                `Start here: ${new URL(`/paths/${reminder.recertPathId}`, deps.config.appUrl).toString()}`,
              ];
        const text = [
          `Hello ${reminder.name},`,
          '',
          `Your certification "${reminder.certificationName}" expires on ${dateFormat.format(reminder.expiresAt)}.`,
          ...how,
          '',
          `Your certifications: ${new URL('/certifications', deps.config.appUrl).toString()}`,
        ].join('\n');
        try {
          await deps.mailer.send({ to: reminder.email, subject: `Recertify by ${dateFormat.format(reminder.expiresAt)}: ${reminder.certificationName}`, text });
        } catch (err) {
          deps.logger.warn({ err, certificateId: reminder.id }, 'recertification reminder could not be sent');
        }
      }
      return due.length;
    },
  };
}

export type CertificationsService = ReturnType<typeof createCertificationsService>;

/** Sends due recertification reminders every interval (main.ts); the claim makes overlapping runs harmless. */
export function startRecertificationReminders(service: CertificationsService, logger: AppDeps['logger'], intervalMs = 3600_000): () => void {
  const timer = setInterval(() => {
    service.sendRecertificationReminders().then(
      (count) => count > 0 && logger.info({ count }, 'recertification reminders sent'),
      (err) => logger.warn({ err }, 'recertification reminders failed; will retry'),
    );
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
