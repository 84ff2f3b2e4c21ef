import { and, asc, eq, gt, gte, inArray, isNotNull, isNull, lt, lte, max, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../server/db/database.js';
import { users } from '../../server/users/users.table.js';
import { organisations } from '../../server/organisations/organisations.table.js';
import type { OrgScope } from '../../server/tenancy/policy.js';
import { courses } from '../catalogue/courses.table.js';
import { assets } from '../../assets/library/library.table.js';
import { assetEvents } from '../../assets/analytics/usage.table.js';
import { attempts } from '../tracking/tracking.table.js';
import { learningPathEnrolments, learningPathRules, learningPaths, learningPathSteps, type LearningPathRow } from './paths.table.js';

/* ---------- Paths ---------- */

export async function insertPath(db: Executor, values: typeof learningPaths.$inferInsert): Promise<LearningPathRow> {
  const rows = await db.insert(learningPaths).values(values).returning();
  return rows[0]!;
}

export async function findPath(db: Executor, id: string, options: { forUpdate?: boolean } = {}): Promise<LearningPathRow | null> {
  const query = db.select().from(learningPaths).where(eq(learningPaths.id, id)).limit(1);
  const rows = options.forUpdate ? await query.for('update') : await query;
  return rows[0] ?? null;
}

export async function updatePath(db: Executor, id: string, values: Partial<typeof learningPaths.$inferInsert>): Promise<LearningPathRow | null> {
  const rows = await db
    .update(learningPaths)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(learningPaths.id, id))
    .returning();
  return rows[0] ?? null;
}

/** Every path with how many steps and rules it has and how many people it is assigned to now, for the enablement list. */
export async function listPathsForManagement(db: Executor) {
  // Subqueries name the outer table explicitly: in a single-table select its columns would render unqualified.
  return db
    .select({
      id: learningPaths.id,
      title: learningPaths.title,
      status: learningPaths.status,
      dueDays: learningPaths.dueDays,
      updatedAt: learningPaths.updatedAt,
      stepCount: sql<number>`(select count(*) from ${learningPathSteps} s where s.path_id = ${learningPaths}.id)::int`,
      ruleCount: sql<number>`(select count(*) from ${learningPathRules} r where r.path_id = ${learningPaths}.id)::int`,
      assignedCount: sql<number>`(select count(*) from ${learningPathEnrolments} e where e.path_id = ${learningPaths}.id and e.status = 'assigned')::int`,
    })
    .from(learningPaths)
    .orderBy(asc(learningPaths.title), asc(learningPaths.id));
}

/* ---------- Steps ---------- */

/** The steps of some paths in order, with the title and state of the course or asset each points to. */
export async function listSteps(db: Executor, pathIds: readonly string[]) {
  if (pathIds.length === 0) return [];
  return db
    .select({
      id: learningPathSteps.id,
      pathId: learningPathSteps.pathId,
      position: learningPathSteps.position,
      kind: learningPathSteps.kind,
      courseId: learningPathSteps.courseId,
      assetId: learningPathSteps.assetId,
      requiresPrevious: learningPathSteps.requiresPrevious,
      courseTitle: courses.title,
      courseStatus: courses.status,
      assetTitle: assets.title,
      assetArchivedAt: assets.archivedAt,
    })
    .from(learningPathSteps)
    .leftJoin(courses, eq(courses.id, learningPathSteps.courseId))
    .leftJoin(assets, eq(assets.id, learningPathSteps.assetId))
    .where(inArray(learningPathSteps.pathId, [...pathIds]))
    .orderBy(asc(learningPathSteps.pathId), asc(learningPathSteps.position), asc(learningPathSteps.createdAt));
}

export type PathStep = Awaited<ReturnType<typeof listSteps>>[number];

export async function findStep(db: Executor, pathId: string, stepId: string) {
  const rows = await db
    .select()
    .from(learningPathSteps)
    .where(and(eq(learningPathSteps.pathId, pathId), eq(learningPathSteps.id, stepId)))
    .limit(1);
  return rows[0] ?? null;
}

export async function findStepWithTarget(db: Executor, pathId: string, target: { kind: 'course' | 'asset'; id: string }) {
  const rows = await db
    .select({ id: learningPathSteps.id })
    .from(learningPathSteps)
    .where(and(eq(learningPathSteps.pathId, pathId), target.kind === 'course' ? eq(learningPathSteps.courseId, target.id) : eq(learningPathSteps.assetId, target.id)))
    .limit(1);
  return rows[0] ?? null;
}

/** Appends a step after the last one. */
export async function insertStep(db: Executor, values: { pathId: string; kind: 'course' | 'asset'; courseId: string | null; assetId: string | null; requiresPrevious: boolean }) {
  const last = await db
    .select({ position: max(learningPathSteps.position) })
    .from(learningPathSteps)
    .where(eq(learningPathSteps.pathId, values.pathId));
  const position = (last[0]?.position ?? -1) + 1;
  const rows = await db
    .insert(learningPathSteps)
    .values({ ...values, position })
    .returning();
  return rows[0]!;
}

/** The step just before (up) or after (down) a position, if there is one. */
export async function findNeighbourStep(db: Executor, pathId: string, position: number, direction: 'up' | 'down') {
  const rows = await db
    .select()
    .from(learningPathSteps)
    .where(and(eq(learningPathSteps.pathId, pathId), direction === 'up' ? lt(learningPathSteps.position, position) : gt(learningPathSteps.position, position)))
    .orderBy(direction === 'up' ? sql`${learningPathSteps.position} desc` : asc(learningPathSteps.position))
    .limit(1);
  return rows[0] ?? null;
}

export async function setStepPosition(db: Executor, stepId: string, position: number): Promise<void> {
  await db.update(learningPathSteps).set({ position }).where(eq(learningPathSteps.id, stepId));
}

export async function setStepPrerequisite(db: Executor, pathId: string, stepId: string, requiresPrevious: boolean): Promise<boolean> {
  const rows = await db
    .update(learningPathSteps)
    .set({ requiresPrevious })
    .where(and(eq(learningPathSteps.pathId, pathId), eq(learningPathSteps.id, stepId)))
    .returning({ id: learningPathSteps.id });
  return rows.length > 0;
}

export async function deleteStep(db: Executor, pathId: string, stepId: string): Promise<boolean> {
  const rows = await db
    .delete(learningPathSteps)
    .where(and(eq(learningPathSteps.pathId, pathId), eq(learningPathSteps.id, stepId)))
    .returning({ id: learningPathSteps.id });
  return rows.length > 0;
}

/** Courses and assets a step may point to: published courses, and assets with a file that are not archived. */
export async function listStepCandidates(db: Executor) {
  const [courseRows, assetRows] = await Promise.all([
    db.select({ id: courses.id, title: courses.title }).from(courses).where(eq(courses.status, 'published')).orderBy(asc(courses.title), asc(courses.id)),
    db
      .select({ id: assets.id, title: assets.title })
      .from(assets)
      .where(and(isNull(assets.archivedAt), isNotNull(assets.currentVersionId)))
      .orderBy(asc(assets.title), asc(assets.id)),
  ]);
  return { courses: courseRows, assets: assetRows };
}

export async function findCourseStatus(db: Executor, courseId: string) {
  const rows = await db.select({ status: courses.status }).from(courses).where(eq(courses.id, courseId)).limit(1);
  return rows[0]?.status ?? null;
}

export async function isLiveAsset(db: Executor, assetId: string): Promise<boolean> {
  const rows = await db
    .select({ id: assets.id })
    .from(assets)
    .where(and(eq(assets.id, assetId), isNull(assets.archivedAt), isNotNull(assets.currentVersionId)))
    .limit(1);
  return rows.length > 0;
}

/* ---------- Rules ---------- */

export async function listRules(db: Executor, pathId: string) {
  return db.select().from(learningPathRules).where(eq(learningPathRules.pathId, pathId)).orderBy(asc(learningPathRules.createdAt), asc(learningPathRules.id));
}

export async function insertRule(db: Executor, values: typeof learningPathRules.$inferInsert) {
  const rows = await db.insert(learningPathRules).values(values).returning();
  return rows[0]!;
}

export async function deleteRule(db: Executor, pathId: string, ruleId: string): Promise<boolean> {
  const rows = await db
    .delete(learningPathRules)
    .where(and(eq(learningPathRules.pathId, pathId), eq(learningPathRules.id, ruleId)))
    .returning({ id: learningPathRules.id });
  return rows.length > 0;
}

/* ---------- Assignment: rules matched against people ---------- */

/**
 * Rule r reaches person u of organisation o: every non-empty list holds their value (a missing value, such as a
 * vendor's partner type, matches no list). Written against the aliases r, u, o used by the statements below.
 */
const RULE_MATCHES = sql`(cardinality(r.partner_types) = 0 or o.partner_type = any(r.partner_types))
  and (cardinality(r.tier_ids) = 0 or o.tier_id = any(r.tier_ids))
  and (cardinality(r.regions) = 0 or o.region = any(r.regions))
  and (cardinality(r.organisation_ids) = 0 or u.organisation_id = any(r.organisation_ids))
  and (cardinality(r.roles) = 0 or u.role = any(r.roles))`;

/** Which people and paths to reconcile: one person (page load), one path (rule saved) or everyone (reminder run). */
export interface ReconcileFilter {
  userId?: string | undefined;
  pathId?: string | undefined;
}

/**
 * Brings assignment rows in line with the rules: everyone an active rule of a published path reaches gets a row
 * the first time (assigned now, due after the path's due period), a row that had turned 'unassigned' turns back
 * (keeping its dates), and an 'assigned' row nobody's rule reaches any more turns 'unassigned' (never deleted).
 */
export async function reconcileEnrolments(db: Executor, filter: ReconcileFilter, now: Date): Promise<void> {
  const at = now.toISOString();
  const onlyUser = filter.userId ? sql`and u.id = ${filter.userId}` : sql``;
  const onlyPath = filter.pathId ? sql`and p.id = ${filter.pathId}` : sql``;
  await db.execute(sql`
    insert into ${learningPathEnrolments} (path_id, user_id, status, assigned_at, due_at)
    select distinct p.id, u.id, 'assigned'::learning_path_enrolment_status, ${at}::timestamptz,
      case when p.due_days is null then null else ${at}::timestamptz + make_interval(days => p.due_days) end
    from ${learningPathRules} r
    join ${learningPaths} p on p.id = r.path_id and p.status = 'published'
    join ${users} u on u.status = 'active'
    join ${organisations} o on o.id = u.organisation_id
    where ${RULE_MATCHES} ${onlyUser} ${onlyPath}
    on conflict (path_id, user_id) do update set status = 'assigned', unassigned_at = null
      where ${learningPathEnrolments}.status = 'unassigned'`);
  const enrolmentUser = filter.userId ? sql`and e.user_id = ${filter.userId}` : sql``;
  const enrolmentPath = filter.pathId ? sql`and e.path_id = ${filter.pathId}` : sql``;
  await db.execute(sql`
    update ${learningPathEnrolments} e set status = 'unassigned', unassigned_at = ${at}::timestamptz
    where e.status = 'assigned' and e.source = 'rule' ${enrolmentUser} ${enrolmentPath}
      and not exists (
        select 1 from ${learningPathRules} r
        join ${learningPaths} p on p.id = r.path_id and p.status = 'published'
        join ${users} u on u.id = e.user_id and u.status = 'active'
        join ${organisations} o on o.id = u.organisation_id
        where r.path_id = e.path_id and ${RULE_MATCHES})`);
}

/** The person as the assignment and progress need them: organisation, its kind, role, status. */
export async function findLearner(db: Executor, userId: string) {
  const rows = await db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      role: users.role,
      status: users.status,
      organisationId: users.organisationId,
      organisationKind: organisations.kind,
    })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(eq(users.id, userId))
    .limit(1);
  return rows[0] ?? null;
}

export type Learner = NonNullable<Awaited<ReturnType<typeof findLearner>>>;

/** A person's current assignments to published paths, soonest due first. */
export async function listAssignedPaths(db: Executor, userId: string) {
  return db
    .select({ enrolment: learningPathEnrolments, path: learningPaths })
    .from(learningPathEnrolments)
    .innerJoin(learningPaths, eq(learningPaths.id, learningPathEnrolments.pathId))
    .where(and(eq(learningPathEnrolments.userId, userId), eq(learningPathEnrolments.status, 'assigned'), eq(learningPaths.status, 'published')))
    .orderBy(sql`${learningPathEnrolments.dueAt} asc nulls last`, asc(learningPaths.title), asc(learningPaths.id));
}

export async function findEnrolment(db: Executor, pathId: string, userId: string) {
  const rows = await db
    .select()
    .from(learningPathEnrolments)
    .where(and(eq(learningPathEnrolments.pathId, pathId), eq(learningPathEnrolments.userId, userId)))
    .limit(1);
  return rows[0] ?? null;
}

/** Records the first time a path was seen complete (later re-attempts never clear it); returns the ones this call marked. */
export async function markCompleted(db: Executor, enrolmentIds: readonly string[], now: Date): Promise<{ userId: string; pathId: string }[]> {
  if (enrolmentIds.length === 0) return [];
  return db
    .update(learningPathEnrolments)
    .set({ completedAt: now })
    .where(and(inArray(learningPathEnrolments.id, [...enrolmentIds]), isNull(learningPathEnrolments.completedAt)))
    .returning({ userId: learningPathEnrolments.userId, pathId: learningPathEnrolments.pathId });
}

/* ---------- Progress inputs ---------- */

/** Which of the assets each person has read: viewed or downloaded at least once (at or after `since`, when given). */
export async function listReadAssets(db: Executor, userIds: readonly string[], assetIds: readonly string[], since: Date | null = null) {
  if (userIds.length === 0 || assetIds.length === 0) return [];
  return db
    .selectDistinct({ userId: assetEvents.userId, assetId: assetEvents.assetId })
    .from(assetEvents)
    .where(
      and(
        inArray(assetEvents.userId, [...userIds]),
        inArray(assetEvents.assetId, [...assetIds]),
        inArray(assetEvents.kind, ['view', 'download']),
        since === null ? undefined : gte(assetEvents.occurredAt, since),
      ),
    );
}

/**
 * A person's state on some courses counting only what happened at or after `since` (a recertification): done when an
 * attempt was completed or passed (and not failed) since then, started when one was used since then.
 */
export async function listCourseStatesSince(db: Executor, userId: string, courseIds: readonly string[], since: Date) {
  if (courseIds.length === 0) return [];
  const at = since.toISOString();
  return db
    .select({
      courseId: attempts.courseId,
      done: sql<boolean>`bool_or((${attempts.completionStatus} = 'completed' or ${attempts.successStatus} = 'passed') and ${attempts.successStatus} <> 'failed'
        and coalesce(${attempts.completedAt}, ${attempts.lastAccessedAt}) >= ${at}::timestamptz)`,
      started: sql<boolean>`bool_or(${attempts.lastAccessedAt} >= ${at}::timestamptz)`,
    })
    .from(attempts)
    .where(and(eq(attempts.userId, userId), inArray(attempts.courseId, [...courseIds])))
    .groupBy(attempts.courseId);
}

/**
 * Assigns a path for a recertification: due when the certificate expires, counting only completions since the window
 * opened. Idempotent for the same window; a rule's assignment to the same path is taken over (and its completion
 * cleared, as the recertification needs the path done again). Returns whether anything changed.
 */
export async function assignForRecertification(db: Executor, input: { pathId: string; userId: string; progressFrom: Date; dueAt: Date; now: Date }): Promise<boolean> {
  const rows = await db
    .insert(learningPathEnrolments)
    .values({ pathId: input.pathId, userId: input.userId, status: 'assigned', assignedAt: input.now, dueAt: input.dueAt, source: 'recertification', progressFrom: input.progressFrom })
    .onConflictDoUpdate({
      target: [learningPathEnrolments.pathId, learningPathEnrolments.userId],
      set: { status: 'assigned', unassignedAt: null, assignedAt: input.now, dueAt: input.dueAt, source: 'recertification', progressFrom: input.progressFrom, completedAt: null, lastRemindedAt: null },
      setWhere: sql`${learningPathEnrolments.source} <> 'recertification' or ${learningPathEnrolments.progressFrom} is distinct from ${input.progressFrom.toISOString()}::timestamptz
        or ${learningPathEnrolments.status} <> 'assigned'`,
    })
    .returning({ id: learningPathEnrolments.id });
  return rows.length > 0;
}

/* ---------- Report ---------- */

export interface PathReportFilter {
  scope: OrgScope;
  organisationId?: string | undefined;
}

function reportConditions(pathId: string, filter: PathReportFilter): SQL {
  return and(
    eq(learningPathEnrolments.pathId, pathId),
    filter.scope.kind === 'organisation' ? eq(users.organisationId, filter.scope.organisationId) : undefined,
    filter.organisationId ? eq(users.organisationId, filter.organisationId) : undefined,
  )!;
}

/** Everyone ever assigned to the path inside the filter (current and former), by organisation, then name. */
export async function listPathLearners(db: Executor, pathId: string, filter: PathReportFilter) {
  return db
    .select({
      enrolmentId: learningPathEnrolments.id,
      userId: users.id,
      name: users.name,
      email: users.email,
      organisationId: organisations.id,
      organisationName: organisations.name,
      status: learningPathEnrolments.status,
      assignedAt: learningPathEnrolments.assignedAt,
      dueAt: learningPathEnrolments.dueAt,
      completedAt: learningPathEnrolments.completedAt,
      progressFrom: learningPathEnrolments.progressFrom,
    })
    .from(learningPathEnrolments)
    .innerJoin(users, eq(users.id, learningPathEnrolments.userId))
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(reportConditions(pathId, filter))
    .orderBy(sql`${learningPathEnrolments.status} asc`, asc(organisations.name), asc(users.name), asc(users.id));
}

/** The organisations of the path's learners inside the scope, for the report's filter. */
export async function listPathReportOrganisations(db: Executor, pathId: string, scope: OrgScope) {
  return db
    .selectDistinct({ id: organisations.id, name: organisations.name })
    .from(learningPathEnrolments)
    .innerJoin(users, eq(users.id, learningPathEnrolments.userId))
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(reportConditions(pathId, { scope }))
    .orderBy(asc(organisations.name), asc(organisations.id));
}

/** Published or archived paths with someone of the organisation assigned (now or before): the ones its admin may report on. */
export async function listPathsOfOrganisation(db: Executor, organisationId: string) {
  return db
    .selectDistinct({ id: learningPaths.id, title: learningPaths.title })
    .from(learningPaths)
    .innerJoin(learningPathEnrolments, eq(learningPathEnrolments.pathId, learningPaths.id))
    .innerJoin(users, eq(users.id, learningPathEnrolments.userId))
    .where(and(ne(learningPaths.status, 'draft'), eq(users.organisationId, organisationId)))
    .orderBy(asc(learningPaths.title), asc(learningPaths.id));
}

/* ---------- Reminders ---------- */

/**
 * Assignments whose due date falls inside the reminder window (after now, at most windowEnd), not yet seen
 * complete, and not reminded since remindedBefore.
 */
export async function listReminderCandidates(db: Executor, window: { now: Date; windowEnd: Date; remindedBefore: Date }) {
  return db
    .select({
      enrolmentId: learningPathEnrolments.id,
      pathId: learningPathEnrolments.pathId,
      userId: learningPathEnrolments.userId,
      dueAt: learningPathEnrolments.dueAt,
      lastRemindedAt: learningPathEnrolments.lastRemindedAt,
    })
    .from(learningPathEnrolments)
    .innerJoin(learningPaths, eq(learningPaths.id, learningPathEnrolments.pathId))
    .innerJoin(users, eq(users.id, learningPathEnrolments.userId))
    .where(
      and(
        eq(learningPathEnrolments.status, 'assigned'),
        eq(learningPaths.status, 'published'),
        eq(users.status, 'active'),
        isNull(learningPathEnrolments.completedAt),
        gt(learningPathEnrolments.dueAt, window.now),
        lte(learningPathEnrolments.dueAt, window.windowEnd),
        or(isNull(learningPathEnrolments.lastRemindedAt), lte(learningPathEnrolments.lastRemindedAt, window.remindedBefore)),
      ),
    )
    .orderBy(asc(learningPathEnrolments.userId), asc(learningPathEnrolments.dueAt));
}

/**
 * Claims the right to remind: sets last_reminded_at only if nobody did since remindedBefore, in one statement, so
 * two runs (or two processes) never both send. False when another run claimed it first.
 */
export async function claimReminder(db: Executor, enrolmentId: string, now: Date, remindedBefore: Date): Promise<boolean> {
  const rows = await db
    .update(learningPathEnrolments)
    .set({ lastRemindedAt: now })
    .where(and(eq(learningPathEnrolments.id, enrolmentId), or(isNull(learningPathEnrolments.lastRemindedAt), lte(learningPathEnrolments.lastRemindedAt, remindedBefore))))
    .returning({ id: learningPathEnrolments.id });
  return rows.length > 0;
}

/** Puts back the reminder time a failed send claimed, so the next run tries again. */
export async function restoreReminder(db: Executor, enrolmentId: string, previous: Date | null): Promise<void> {
  await db.update(learningPathEnrolments).set({ lastRemindedAt: previous }).where(eq(learningPathEnrolments.id, enrolmentId));
}
