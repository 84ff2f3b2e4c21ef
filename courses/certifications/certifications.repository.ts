import { and, asc, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../server/db/database.js';
import type { OrgScope } from '../../server/tenancy/policy.js';
import { users, type UserRole } from '../../server/users/users.table.js';
import { organisations, partnerTiers } from '../../server/organisations/organisations.table.js';
import { courses } from '../catalogue/courses.table.js';
import { learningPaths } from '../paths/paths.table.js';
import {
  certificates,
  certificationRequirements,
  certifications,
  tierCertificationRequirements,
  type CertificateRow,
  type CertificationRow,
  type RequirementKind,
} from './certifications.table.js';

/** Raw statements (the earning query, the reminder claim) return { rows } on both drivers. */
async function rowsOf<T>(db: Executor, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/* ---------- certifications and their requirements ---------- */

export async function listCertifications(db: Executor, now: Date) {
  return db
    .select({
      id: certifications.id,
      name: certifications.name,
      validityMonths: certifications.validityMonths,
      recertWindowDays: certifications.recertWindowDays,
      updatedAt: certifications.updatedAt,
      requirementCount: sql<number>`(select count(*)::int from certification_requirements r where r.certification_id = certifications.id)`,
      validHolders: sql<number>`(select count(distinct k.user_id)::int from certificates k where k.certification_id = certifications.id and k.revoked_at is null and k.expires_at > ${now.toISOString()}::timestamptz)`,
    })
    .from(certifications)
    .orderBy(asc(certifications.name));
}

export async function findCertification(db: Executor, id: string, options: { forUpdate?: boolean } = {}): Promise<CertificationRow | null> {
  const query = db.select().from(certifications).where(eq(certifications.id, id)).limit(1);
  const rows = options.forUpdate ? await query.for('update') : await query;
  return rows[0] ?? null;
}

export async function findCertificationByName(db: Executor, name: string): Promise<CertificationRow | null> {
  const rows = await db.select().from(certifications).where(sql`lower(${certifications.name}) = lower(${name})`).limit(1);
  return rows[0] ?? null;
}

export async function insertCertification(db: Executor, values: typeof certifications.$inferInsert): Promise<CertificationRow> {
  const rows = await db.insert(certifications).values(values).returning();
  return rows[0]!;
}

export async function updateCertification(db: Executor, id: string, values: Partial<typeof certifications.$inferInsert>): Promise<CertificationRow | null> {
  const rows = await db.update(certifications).set(values).where(eq(certifications.id, id)).returning();
  return rows[0] ?? null;
}

export interface RequirementValues {
  kind: RequirementKind;
  courseId: string | null;
  pathId: string | null;
  passingScore: number | null;
}

export async function listRequirements(db: Executor, certificationId: string) {
  return db
    .select({
      kind: certificationRequirements.kind,
      courseId: certificationRequirements.courseId,
      pathId: certificationRequirements.pathId,
      passingScore: certificationRequirements.passingScore,
      courseTitle: courses.title,
      pathTitle: learningPaths.title,
    })
    .from(certificationRequirements)
    .leftJoin(courses, eq(courses.id, certificationRequirements.courseId))
    .leftJoin(learningPaths, eq(learningPaths.id, certificationRequirements.pathId))
    .where(eq(certificationRequirements.certificationId, certificationId))
    .orderBy(asc(certificationRequirements.position));
}
export type RequirementWithTitle = Awaited<ReturnType<typeof listRequirements>>[number];

/** Replaces a certification's requirements (within the caller's transaction). */
export async function replaceRequirements(db: Executor, certificationId: string, requirements: readonly RequirementValues[]): Promise<void> {
  await db.delete(certificationRequirements).where(eq(certificationRequirements.certificationId, certificationId));
  if (requirements.length === 0) return;
  await db.insert(certificationRequirements).values(requirements.map((r, position) => ({ certificationId, position, ...r })));
}

export async function listCourseOptions(db: Executor) {
  return db.select({ id: courses.id, title: courses.title, status: courses.status }).from(courses).orderBy(asc(courses.title));
}

export async function listPathOptions(db: Executor) {
  return db.select({ id: learningPaths.id, title: learningPaths.title, status: learningPaths.status }).from(learningPaths).orderBy(asc(learningPaths.title));
}

export async function countExistingPaths(db: Executor, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await db.select({ n: sql<number>`count(*)::int` }).from(learningPaths).where(inArray(learningPaths.id, [...ids]));
  return rows[0]?.n ?? 0;
}

export async function countExistingCourses(db: Executor, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await db.select({ n: sql<number>`count(*)::int` }).from(courses).where(inArray(courses.id, [...ids]));
  return rows[0]?.n ?? 0;
}

/* ---------- earning ---------- */

/** A certification whose course and exam requirements the user meets now, with the previous certificate it would follow. */
export interface EarnableCertification {
  certificationId: string;
  name: string;
  validityMonths: number;
  requirementsRevision: number;
  /** Path requirements, checked outside SQL (PathCompletion). */
  pathIds: string[];
  /** A renewal through the certification's recertification path: pathIds is that path alone, nothing else is required. */
  recertPathId: string | null;
  /** Completions count from here: after the previous certificate's recertification window opened, or its revocation. */
  since: Date | null;
  previousCycle: number | null;
  previousExpiresAt: Date | null;
  previousRevokedAt: Date | null;
}

/**
 * Certifications the user has earned and not yet been issued (in one statement: the completion hook's only query when
 * nothing is earned). Only certifications requiring `courseId` when given. Not earnable: a certification the user holds
 * outside its recertification window. Requirements counted: every course completed or passed (not failed), the exam
 * with a scaled score × 100 at or above the passing score, all with a completion at or after `since`; paths are left
 * to the caller (pathIds). A holder renewing a certification that has a recertification path needs that path alone.
 */
export async function findEarnableCertifications(db: Executor, input: { userId: string; courseId: string | null; now: Date }): Promise<EarnableCertification[]> {
  // The course may be required directly, or be a step of a required path or of the recertification path.
  const byCourse =
    input.courseId === null
      ? sql`true`
      : sql`(exists (select 1 from certification_requirements t
                      where t.certification_id = c.id
                        and (t.course_id = ${input.courseId}::uuid
                             or exists (select 1 from learning_path_steps s where s.path_id = t.path_id and s.course_id = ${input.courseId}::uuid)))
             or exists (select 1 from learning_path_steps s where s.path_id = c.recert_path_id and s.course_id = ${input.courseId}::uuid))`;
  const rows = await rowsOf<{
    certification_id: string;
    name: string;
    validity_months: number;
    requirements_revision: number;
    path_ids: string[] | null;
    recert_path_id: string | null;
    since: Date | string | null;
    previous_cycle: number | null;
    previous_expires_at: Date | string | null;
    previous_revoked_at: Date | string | null;
  }>(
    db,
    sql`
    with candidates as (
      select c.id, c.name, c.validity_months, c.requirements_revision, prev.cycle as previous_cycle,
             prev.expires_at as previous_expires_at, prev.revoked_at as previous_revoked_at, prev.issued_at as previous_issued_at,
             case when prev.cycle is null then null
                  when prev.revoked_at is not null then prev.revoked_at
                  else prev.expires_at - make_interval(days => c.recert_window_days) end as since,
             -- A holder (not revoked) renews through the recertification path when there is one; a first earning, or one
             -- after a revocation, needs the requirements themselves.
             case when prev.cycle is not null and prev.revoked_at is null then c.recert_path_id end as recert_path_id
        from certifications c
        left join lateral (
          select k.cycle, k.issued_at, k.expires_at, k.revoked_at from certificates k
           where k.certification_id = c.id and k.user_id = ${input.userId}::uuid
           order by k.cycle desc limit 1) prev on true
       where ${byCourse}
         and (prev.cycle is null or prev.revoked_at is not null
              or ${input.now.toISOString()}::timestamptz >= prev.expires_at - make_interval(days => c.recert_window_days))
    )
    select cand.id as certification_id, cand.name, cand.validity_months, cand.requirements_revision, cand.since,
           cand.previous_cycle, cand.previous_expires_at, cand.previous_revoked_at, cand.recert_path_id::text as recert_path_id,
           case when cand.recert_path_id is not null then array[cand.recert_path_id::text]
                else array(select r.path_id::text from certification_requirements r where r.certification_id = cand.id and r.kind = 'path') end as path_ids
      from candidates cand
     where cand.recert_path_id is not null
        or (exists (select 1 from certification_requirements r where r.certification_id = cand.id)
       and not exists (
         select 1 from certification_requirements r
          where r.certification_id = cand.id and r.kind <> 'path'
            and not exists (
              select 1 from attempts a
               where a.user_id = ${input.userId}::uuid and a.course_id = r.course_id
                 and (a.completion_status = 'completed' or a.success_status = 'passed')
                 and (cand.since is null or coalesce(a.completed_at, a.last_accessed_at) >= cand.since)
                 -- A completion that earned the previous certificate never earns the next (a window as long as the validity).
                 and (cand.previous_issued_at is null or coalesce(a.completed_at, a.last_accessed_at) > cand.previous_issued_at)
                 and case when r.kind = 'exam' then a.score_scaled is not null and a.score_scaled * 100 >= r.passing_score - 1e-9
                          else a.success_status <> 'failed' end)))`,
  );
  const date = (v: Date | string | null) => (v === null ? null : new Date(v));
  return rows.map((r) => ({
    certificationId: r.certification_id,
    name: r.name,
    validityMonths: r.validity_months,
    requirementsRevision: r.requirements_revision,
    pathIds: r.path_ids ?? [],
    recertPathId: r.recert_path_id,
    since: date(r.since),
    previousCycle: r.previous_cycle,
    previousExpiresAt: date(r.previous_expires_at),
    previousRevokedAt: date(r.previous_revoked_at),
  }));
}

export async function findPathTitle(db: Executor, pathId: string): Promise<string | null> {
  const rows = await db.select({ title: learningPaths.title }).from(learningPaths).where(eq(learningPaths.id, pathId)).limit(1);
  return rows[0]?.title ?? null;
}

/** Whether the course is the exam of some certification and one of the user's attempts reached its passing score. */
export async function hasPassedExam(db: Executor, input: { userId: string; courseId: string }): Promise<boolean> {
  const rows = await rowsOf<{ passed: boolean }>(
    db,
    sql`select exists (
          select 1 from certification_requirements r join attempts a on a.course_id = r.course_id
           where r.kind = 'exam' and r.course_id = ${input.courseId}::uuid and a.user_id = ${input.userId}::uuid
             and a.score_scaled is not null and a.score_scaled * 100 >= r.passing_score - 1e-9) as passed`,
  );
  return rows[0]?.passed === true;
}

/**
 * Holders whose recertification window is open on their latest certificate (not revoked, not yet renewed) of a
 * certification with a recertification path: the ones to assign it to. Only `userId`'s when given.
 */
export async function listRecertificationsDue(db: Executor, input: { now: Date; userId?: string }) {
  const rows = await rowsOf<{ id: string; user_id: string; recert_path_id: string; window_opened_at: Date | string; expires_at: Date | string }>(
    db,
    sql`
    select k.id, k.user_id, c.recert_path_id, k.expires_at - make_interval(days => c.recert_window_days) as window_opened_at, k.expires_at
      from certificates k
      join certifications c on c.id = k.certification_id and c.recert_path_id is not null
      join users u on u.id = k.user_id and u.status = 'active'
     where k.revoked_at is null ${input.userId === undefined ? sql`` : sql`and k.user_id = ${input.userId}::uuid`}
       and k.expires_at - make_interval(days => c.recert_window_days) <= ${input.now.toISOString()}::timestamptz
       and not exists (select 1 from certificates newer where newer.certification_id = k.certification_id and newer.user_id = k.user_id and newer.cycle > k.cycle)`,
  );
  return rows.map((r) => ({ certificateId: r.id, userId: r.user_id, pathId: r.recert_path_id, windowOpenedAt: new Date(r.window_opened_at), expiresAt: new Date(r.expires_at) }));
}

/** Records on the certificate which recertification path its holder was assigned. */
export async function recordRecertPath(db: Executor, certificateId: string, pathId: string): Promise<void> {
  await db.update(certificates).set({ recertPathId: pathId }).where(eq(certificates.id, certificateId));
}

export async function findUserOrganisation(db: Executor, userId: string): Promise<string | null> {
  const rows = await db.select({ organisationId: users.organisationId }).from(users).where(eq(users.id, userId)).limit(1);
  return rows[0]?.organisationId ?? null;
}

/** Inserts the certificate of one earning; null when another evaluation already issued it (the earning key). */
export async function insertCertificateOnce(db: Executor, values: typeof certificates.$inferInsert): Promise<CertificateRow | null> {
  const rows = await db.insert(certificates).values(values).onConflictDoNothing({ target: [certificates.certificationId, certificates.userId, certificates.cycle] }).returning();
  return rows[0] ?? null;
}

/* ---------- certificates ---------- */

const certificateColumns = {
  id: certificates.id,
  certificationId: certificates.certificationId,
  userId: certificates.userId,
  organisationId: certificates.organisationId,
  cycle: certificates.cycle,
  certificationName: certificates.certificationName,
  issuedAt: certificates.issuedAt,
  expiresAt: certificates.expiresAt,
  revokedAt: certificates.revokedAt,
  revokeReason: certificates.revokeReason,
  recertRemindedAt: certificates.recertRemindedAt,
  recertPathId: certificates.recertPathId,
  requirements: certificates.requirements,
  recertWindowDays: certifications.recertWindowDays,
  holderName: users.name,
  organisationName: organisations.name,
};

/** Certificates with their holder's and organisation's names and their certification's recertification window. */
function certificatesWithNames(db: Executor, where: SQL) {
  return db
    .select(certificateColumns)
    .from(certificates)
    .innerJoin(certifications, eq(certifications.id, certificates.certificationId))
    .innerJoin(users, eq(users.id, certificates.userId))
    .innerJoin(organisations, eq(organisations.id, certificates.organisationId))
    .where(where);
}

export async function findCertificate(db: Executor, publicId: string) {
  const rows = await certificatesWithNames(db, eq(certificates.id, publicId)).limit(1);
  return rows[0] ?? null;
}
export type CertificateDetail = NonNullable<Awaited<ReturnType<typeof findCertificate>>>;

/** Every certificate of a user, newest earning first. */
export async function listCertificatesOfUser(db: Executor, userId: string) {
  return certificatesWithNames(db, eq(certificates.userId, userId)).orderBy(asc(certificates.certificationName), desc(certificates.cycle));
}

/** Everyone issued a certificate of a certification (every earning), newest first. */
export async function listHolders(db: Executor, certificationId: string) {
  return certificatesWithNames(db, eq(certificates.certificationId, certificationId)).orderBy(desc(certificates.issuedAt), asc(users.name));
}
export type HolderRow = Awaited<ReturnType<typeof listHolders>>[number];

/** Revokes once: false when already revoked (the first reason stays). */
export async function revokeCertificate(db: Executor, publicId: string, values: { reason: string; revokedById: string; now: Date }): Promise<boolean> {
  const rows = await db
    .update(certificates)
    .set({ revokedAt: values.now, revokeReason: values.reason, revokedById: values.revokedById })
    .where(and(eq(certificates.id, publicId), isNull(certificates.revokedAt)))
    .returning({ id: certificates.id });
  return rows.length > 0;
}

export async function findVendorBranding(db: Executor): Promise<{ name: string; brandPrimaryColor: string | null } | null> {
  const rows = await db.select({ name: organisations.name, brandPrimaryColor: organisations.brandPrimaryColor }).from(organisations).where(eq(organisations.kind, 'vendor')).orderBy(asc(organisations.createdAt)).limit(1);
  return rows[0] ?? null;
}

/* ---------- recertification reminders ---------- */

/**
 * Marks the certificates whose recertification window has opened (valid, the holder's latest earning, not yet reminded)
 * as reminded, recording the certification's recertification path on them, and returns them with the holder's address.
 * The update is the claim: two runs at once remind each holder once.
 */
export async function claimDueReminders(db: Executor, now: Date) {
  const rows = await rowsOf<{ id: string; certification_name: string; expires_at: Date | string; recert_path_id: string | null; email: string; name: string }>(
    db,
    sql`
    with due as (
      update certificates k set recert_reminded_at = ${now.toISOString()}::timestamptz, recert_path_id = c.recert_path_id
        from certifications c
       where c.id = k.certification_id and k.revoked_at is null and k.recert_reminded_at is null
         and k.expires_at > ${now.toISOString()}::timestamptz and k.expires_at - make_interval(days => c.recert_window_days) <= ${now.toISOString()}::timestamptz
         and not exists (select 1 from certificates newer where newer.certification_id = k.certification_id and newer.user_id = k.user_id and newer.cycle > k.cycle)
      returning k.id, k.certification_name, k.expires_at, k.recert_path_id, k.user_id)
    select due.id, due.certification_name, due.expires_at, due.recert_path_id, u.email, u.name
      from due join users u on u.id = due.user_id and u.status = 'active'`,
  );
  return rows.map((r) => ({ id: r.id, certificationName: r.certification_name, expiresAt: new Date(r.expires_at), recertPathId: r.recert_path_id, email: r.email, name: r.name }));
}

/* ---------- organisation view ---------- */

const scoped = (scope: OrgScope) => (scope.kind === 'all' ? sql`true` : sql`o.id = ${scope.organisationId}::uuid`);

/** Partner organisations in scope with their tier. */
export async function listPartnerOrganisations(db: Executor, scope: OrgScope) {
  const rows = await db
    .select({ id: organisations.id, name: organisations.name, tierId: organisations.tierId, tierName: partnerTiers.name })
    .from(organisations)
    .leftJoin(partnerTiers, eq(partnerTiers.id, organisations.tierId))
    .where(and(eq(organisations.kind, 'partner'), scope.kind === 'all' ? undefined : eq(organisations.id, scope.organisationId)))
    .orderBy(asc(organisations.name));
  return rows;
}

/**
 * Certified people per organisation, certification and role: active users still in the organisation their valid
 * certificate was issued in, each counted once.
 */
export async function countCertifiedPeople(db: Executor, scope: OrgScope, now: Date) {
  const rows = await rowsOf<{ organisation_id: string; certification_id: string; role: UserRole; people: number }>(
    db,
    sql`
    select k.organisation_id, k.certification_id, u.role, count(distinct k.user_id)::int as people
      from certificates k
      join users u on u.id = k.user_id and u.organisation_id = k.organisation_id and u.status = 'active'
      join organisations o on o.id = k.organisation_id and o.kind = 'partner'
     where k.revoked_at is null and k.expires_at > ${now.toISOString()}::timestamptz and ${scoped(scope)}
     group by k.organisation_id, k.certification_id, u.role`,
  );
  return rows.map((r) => ({ organisationId: r.organisation_id, certificationId: r.certification_id, role: r.role, people: r.people }));
}

/** Valid certificates expiring before `until` that no later earning has renewed, soonest first. */
export async function listExpiring(db: Executor, scope: OrgScope, now: Date, until: Date) {
  const rows = await rowsOf<{ id: string; certification_name: string; expires_at: Date | string; holder_name: string; organisation_name: string }>(
    db,
    sql`
    select k.id, k.certification_name, k.expires_at, u.name as holder_name, o.name as organisation_name
      from certificates k
      join users u on u.id = k.user_id
      join organisations o on o.id = k.organisation_id
     where k.revoked_at is null and k.expires_at > ${now.toISOString()}::timestamptz and k.expires_at <= ${until.toISOString()}::timestamptz and ${scoped(scope)}
       and not exists (select 1 from certificates newer where newer.certification_id = k.certification_id and newer.user_id = k.user_id and newer.cycle > k.cycle)
     order by k.expires_at, u.name
     limit 500`,
  );
  return rows.map((r) => ({ id: r.id, certificationName: r.certification_name, expiresAt: new Date(r.expires_at), holderName: r.holder_name, organisationName: r.organisation_name }));
}

/* ---------- tier requirements ---------- */

export async function listTierRequirements(db: Executor) {
  return db
    .select({
      id: tierCertificationRequirements.id,
      tierId: tierCertificationRequirements.tierId,
      tierName: partnerTiers.name,
      tierRank: partnerTiers.rank,
      certificationId: tierCertificationRequirements.certificationId,
      certificationName: certifications.name,
      role: tierCertificationRequirements.role,
      requiredCount: tierCertificationRequirements.requiredCount,
    })
    .from(tierCertificationRequirements)
    .innerJoin(partnerTiers, eq(partnerTiers.id, tierCertificationRequirements.tierId))
    .innerJoin(certifications, eq(certifications.id, tierCertificationRequirements.certificationId))
    .orderBy(desc(partnerTiers.rank), asc(certifications.name));
}
export type TierRequirementRow = Awaited<ReturnType<typeof listTierRequirements>>[number];

export async function insertTierRequirement(db: Executor, values: typeof tierCertificationRequirements.$inferInsert) {
  const rows = await db.insert(tierCertificationRequirements).values(values).onConflictDoNothing().returning();
  return rows[0] ?? null;
}

export async function deleteTierRequirement(db: Executor, id: string): Promise<boolean> {
  const rows = await db.delete(tierCertificationRequirements).where(eq(tierCertificationRequirements.id, id)).returning({ id: tierCertificationRequirements.id });
  return rows.length > 0;
}

export async function tierExists(db: Executor, id: string): Promise<boolean> {
  const rows = await db.select({ id: partnerTiers.id }).from(partnerTiers).where(eq(partnerTiers.id, id)).limit(1);
  return rows.length > 0;
}
