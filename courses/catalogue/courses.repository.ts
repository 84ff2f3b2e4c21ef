import { asc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../server/db/database.js';
import { courses, type CourseRow, type NewCourseRow } from './courses.table.js';
import { courseVersions } from '../scorm/scorm.table.js';
// Catalogue, enrolments, assignments and reports (below listCoursesForManagement).
import { and, arrayContains, count, desc, exists, ilike, inArray, isNotNull, isNull, max, ne, or, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { courseAssignments, enrolments } from './courses.table.js';
import { courseItems } from '../scorm/scorm.table.js';
import { attempts, scoStates } from '../tracking/tracking.table.js';
import { organisations } from '../../server/organisations/organisations.table.js';
import { users, type UserRole } from '../../server/users/users.table.js';
import type { OrgScope } from '../../server/tenancy/policy.js';

export async function insertCourse(db: Executor, values: NewCourseRow): Promise<CourseRow> {
  const rows = await db.insert(courses).values(values).returning();
  return rows[0]!;
}

export async function findCourse(db: Executor, id: string, options: { forUpdate?: boolean } = {}): Promise<CourseRow | null> {
  const query = db.select().from(courses).where(eq(courses.id, id)).limit(1);
  const rows = options.forUpdate ? await query.for('update') : await query;
  return rows[0] ?? null;
}

export async function updateCourse(db: Executor, id: string, values: Partial<NewCourseRow>): Promise<CourseRow | null> {
  const rows = await db
    .update(courses)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(courses.id, id))
    .returning();
  return rows[0] ?? null;
}

/** Every course with its current version's standard and how many versions it has, for the enablement list. */
export async function listCoursesForManagement(db: Executor) {
  return db
    .select({
      id: courses.id,
      title: courses.title,
      status: courses.status,
      updatedAt: courses.updatedAt,
      versionCount: sql<number>`(select count(*) from ${courseVersions} cv where cv.course_id = ${courses}.id)::int`,
      currentStandard: sql<string | null>`(select cv.standard from ${courseVersions} cv where cv.id = ${courses}.current_version_id)`,
    })
    .from(courses)
    .orderBy(asc(courses.title));
}

/* ---------- Learner catalogue: visibility, enrolments, progress ---------- */

/** Who is looking at the catalogue: the parts of the actor the visibility rules read. */
export interface CatalogueViewer {
  userId: string;
  organisationId: string;
  organisationKind: 'vendor' | 'partner';
  role: UserRole;
}

/** The viewer's own organisation row, joined into catalogue queries: visibility compares columns, never pasted values. */
const viewerOrg = alias(organisations, 'viewer_org');
/** The viewer's enrolment (outer join); subqueries below use the plain table. */
const myEnrolment = alias(enrolments, 'my_enrolment');

/** Every non-empty visibility list must contain the viewer organisation's value; a missing value (null) matches no list. */
const matchesVisibility: SQL = and(
  or(sql`cardinality(${courses.visiblePartnerTypes}) = 0`, arrayContains(courses.visiblePartnerTypes, sql`array[${viewerOrg.partnerType}]`)),
  or(sql`cardinality(${courses.visibleTierIds}) = 0`, arrayContains(courses.visibleTierIds, sql`array[${viewerOrg.tierId}]`)),
  or(sql`cardinality(${courses.visibleRegions}) = 0`, arrayContains(courses.visibleRegions, sql`array[${viewerOrg.region}]`)),
)!;

/** An assignment reaches a person when its organisation (if set) and its role (if set) are theirs. */
function assignmentReaches(viewer: Pick<CatalogueViewer, 'organisationId' | 'role'>): SQL {
  return and(
    or(isNull(courseAssignments.organisationId), eq(courseAssignments.organisationId, viewer.organisationId)),
    or(isNull(courseAssignments.role), eq(courseAssignments.role, viewer.role)),
  )!;
}

const assignedTo = (db: Executor, viewer: CatalogueViewer) =>
  exists(db.select({ one: sql`1` }).from(courseAssignments).where(and(eq(courseAssignments.courseId, courses.id), assignmentReaches(viewer))));
const enrolledIn = (db: Executor, viewer: CatalogueViewer) =>
  exists(db.select({ one: sql`1` }).from(enrolments).where(and(eq(enrolments.courseId, courses.id), eq(enrolments.userId, viewer.userId))));
const attemptedBy = (db: Executor, viewer: CatalogueViewer) =>
  exists(db.select({ one: sql`1` }).from(attempts).where(and(eq(attempts.courseId, courses.id), eq(attempts.userId, viewer.userId))));

/**
 * Which published courses reach the viewer: all of them for the vendor's staff; for a partner user, those whose
 * visibility lists match their organisation, plus those assigned to them or that they are already enrolled in
 * (an explicit assignment or an enrolment outranks the catalogue filter).
 */
function reaches(db: Executor, viewer: CatalogueViewer): SQL | undefined {
  return viewer.organisationKind === 'vendor' ? undefined : or(matchesVisibility, assignedTo(db, viewer), enrolledIn(db, viewer));
}

/** Title, description or one of the tags contains q (case-insensitive; % and _ are literal). */
function courseSearch(q: string | undefined): SQL | undefined {
  if (!q) return undefined;
  const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return or(ilike(courses.title, pattern), ilike(courses.description, pattern), sql`exists (select 1 from unnest(${courses.tags}) as tag where tag ilike ${pattern})`);
}

/** The newest attempt of one user on each course. */
function latestAttemptsOf(db: Executor, userId: string) {
  return db
    .selectDistinctOn([attempts.courseId], {
      courseId: attempts.courseId,
      attemptId: attempts.id,
      versionId: attempts.versionId,
      attemptNumber: attempts.attemptNumber,
      completionStatus: attempts.completionStatus,
      successStatus: attempts.successStatus,
      scoreScaled: attempts.scoreScaled,
      lastAccessedAt: attempts.lastAccessedAt,
    })
    .from(attempts)
    .where(eq(attempts.userId, userId))
    .orderBy(attempts.courseId, desc(attempts.attemptNumber))
    .as('latest_attempt');
}

const cardFields = {
  id: courses.id,
  title: courses.title,
  description: courses.description,
  durationMinutes: courses.durationMinutes,
  tags: courses.tags,
  language: courses.language,
  status: courses.status,
  coverImageKey: courses.coverImageKey,
};

function progressFields(db: Executor, viewer: CatalogueViewer, latest: ReturnType<typeof latestAttemptsOf>) {
  return {
    enrolmentSource: myEnrolment.source,
    enrolledAt: myEnrolment.createdAt,
    assigned: sql<boolean>`${assignedTo(db, viewer)}`,
    latestAttemptId: latest.attemptId,
    latestVersionId: latest.versionId,
    attemptNumber: latest.attemptNumber,
    completionStatus: latest.completionStatus,
    successStatus: latest.successStatus,
    scoreScaled: latest.scoreScaled,
    lastAccessedAt: latest.lastAccessedAt,
  };
}

export type CatalogueCard = Awaited<ReturnType<typeof listCatalogue>>['rows'][number];

/** Published courses the viewer may see, with their own enrolment and latest attempt; a page of them and the total. */
export async function listCatalogue(db: Executor, viewer: CatalogueViewer, filter: { q?: string | undefined; limit: number; offset: number }) {
  const latest = latestAttemptsOf(db, viewer.userId);
  const where = and(eq(courses.status, 'published'), reaches(db, viewer), courseSearch(filter.q));
  const [rows, totals] = await Promise.all([
    db
      .select({ ...cardFields, ...progressFields(db, viewer, latest) })
      .from(courses)
      .innerJoin(viewerOrg, eq(viewerOrg.id, viewer.organisationId))
      .leftJoin(myEnrolment, and(eq(myEnrolment.courseId, courses.id), eq(myEnrolment.userId, viewer.userId)))
      .leftJoin(latest, eq(latest.courseId, courses.id))
      .where(where)
      .orderBy(asc(courses.title), asc(courses.id))
      .limit(filter.limit)
      .offset(filter.offset),
    db.select({ n: count() }).from(courses).innerJoin(viewerOrg, eq(viewerOrg.id, viewer.organisationId)).where(where),
  ]);
  return { rows, total: totals[0]?.n ?? 0 };
}

/**
 * One course as the viewer may open it, or null (missing and hidden alike): published and reaching the viewer;
 * archived only for someone who enrolled in it or has attempts (their history); any status with preview
 * (the enablement team checking a course before publishing it).
 */
export async function findCourseForViewer(db: Executor, viewer: CatalogueViewer, courseId: string, options: { preview: boolean }) {
  const latest = latestAttemptsOf(db, viewer.userId);
  const openable = options.preview
    ? undefined
    : or(and(eq(courses.status, 'published'), reaches(db, viewer)), and(eq(courses.status, 'archived'), or(enrolledIn(db, viewer), attemptedBy(db, viewer))));
  const rows = await db
    .select({ course: courses, ...progressFields(db, viewer, latest) })
    .from(courses)
    .innerJoin(viewerOrg, eq(viewerOrg.id, viewer.organisationId))
    .leftJoin(myEnrolment, and(eq(myEnrolment.courseId, courses.id), eq(myEnrolment.userId, viewer.userId)))
    .leftJoin(latest, eq(latest.courseId, courses.id))
    .where(and(eq(courses.id, courseId), openable))
    .limit(1);
  return rows[0] ?? null;
}

/** The viewer's courses: enrolled (published or archived) and assigned (published), with their progress. */
export async function listMyLearning(db: Executor, viewer: CatalogueViewer) {
  const latest = latestAttemptsOf(db, viewer.userId);
  return db
    .select({ ...cardFields, ...progressFields(db, viewer, latest) })
    .from(courses)
    .innerJoin(viewerOrg, eq(viewerOrg.id, viewer.organisationId))
    .leftJoin(myEnrolment, and(eq(myEnrolment.courseId, courses.id), eq(myEnrolment.userId, viewer.userId)))
    .leftJoin(latest, eq(latest.courseId, courses.id))
    .where(or(and(isNotNull(myEnrolment.id), inArray(courses.status, ['published', 'archived'])), and(eq(courses.status, 'published'), assignedTo(db, viewer))))
    .orderBy(sql`${latest.lastAccessedAt} desc nulls last`, asc(courses.title));
}

/** One user's attempts on a course, newest first. */
export async function listAttemptsOfUser(db: Executor, courseId: string, userId: string) {
  return db
    .select({
      id: attempts.id,
      attemptNumber: attempts.attemptNumber,
      completionStatus: attempts.completionStatus,
      successStatus: attempts.successStatus,
      scoreScaled: attempts.scoreScaled,
      totalTimeSeconds: attempts.totalTimeSeconds,
      startedAt: attempts.startedAt,
      lastAccessedAt: attempts.lastAccessedAt,
    })
    .from(attempts)
    .where(and(eq(attempts.courseId, courseId), eq(attempts.userId, userId)))
    .orderBy(desc(attempts.attemptNumber));
}

/** The visible items of a version in document order (chapters have no launch href). */
export async function listOutline(db: Executor, versionId: string) {
  return db
    .select({ id: courseItems.id, identifier: courseItems.identifier, parentIdentifier: courseItems.parentIdentifier, depth: courseItems.depth, title: courseItems.title, launchHref: courseItems.launchHref })
    .from(courseItems)
    .where(and(eq(courseItems.versionId, versionId), eq(courseItems.isVisible, true)))
    .orderBy(asc(courseItems.position));
}

/** Per-item status within one attempt. */
export async function listItemStatuses(db: Executor, attemptId: string) {
  return db
    .select({ itemId: scoStates.itemId, completionStatus: scoStates.completionStatus, successStatus: scoStates.successStatus })
    .from(scoStates)
    .where(eq(scoStates.attemptId, attemptId));
}

/** Enrols once: a second enrolment of the same person in the same course changes nothing and returns null. */
export async function insertEnrolment(db: Executor, values: typeof enrolments.$inferInsert) {
  const rows = await db
    .insert(enrolments)
    .values(values)
    .onConflictDoNothing({ target: [enrolments.courseId, enrolments.userId] })
    .returning();
  return rows[0] ?? null;
}

export async function isAssignedTo(db: Executor, courseId: string, viewer: Pick<CatalogueViewer, 'organisationId' | 'role'>): Promise<boolean> {
  const rows = await db
    .select({ id: courseAssignments.id })
    .from(courseAssignments)
    .where(and(eq(courseAssignments.courseId, courseId), assignmentReaches(viewer)))
    .limit(1);
  return rows.length > 0;
}

/* ---------- Assignments (enablement) ---------- */

const assigner = alias(users, 'assigner');

/** A course's assignments, with the organisation's name and how many active people each one reaches now. */
export async function listAssignments(db: Executor, courseId: string) {
  const reached = db
    .select({ n: count() })
    .from(users)
    .where(
      and(
        eq(users.status, 'active'),
        or(isNull(courseAssignments.organisationId), eq(users.organisationId, courseAssignments.organisationId)),
        or(isNull(courseAssignments.role), eq(users.role, courseAssignments.role)),
      ),
    );
  return db
    .select({
      id: courseAssignments.id,
      organisationId: courseAssignments.organisationId,
      organisationName: organisations.name,
      role: courseAssignments.role,
      createdAt: courseAssignments.createdAt,
      assignedByName: assigner.name,
      peopleReached: sql<number>`(${reached})`.mapWith(Number),
    })
    .from(courseAssignments)
    .leftJoin(organisations, eq(organisations.id, courseAssignments.organisationId))
    .leftJoin(assigner, eq(assigner.id, courseAssignments.assignedById))
    .where(eq(courseAssignments.courseId, courseId))
    .orderBy(sql`${organisations.name} asc nulls first`, sql`${courseAssignments.role} asc nulls first`, asc(courseAssignments.createdAt));
}

/** The assignment with exactly this organisation and role (either may be "any"), if there is one. */
export async function findSameAssignment(db: Executor, courseId: string, organisationId: string | null, role: UserRole | null) {
  const rows = await db
    .select({ id: courseAssignments.id })
    .from(courseAssignments)
    .where(
      and(
        eq(courseAssignments.courseId, courseId),
        organisationId === null ? isNull(courseAssignments.organisationId) : eq(courseAssignments.organisationId, organisationId),
        role === null ? isNull(courseAssignments.role) : eq(courseAssignments.role, role),
      ),
    )
    .limit(1);
  return rows[0] ?? null;
}

export async function insertAssignment(db: Executor, values: typeof courseAssignments.$inferInsert) {
  const rows = await db.insert(courseAssignments).values(values).returning();
  return rows[0]!;
}

/** Removes one assignment of the course; false when there was none with that id on that course. */
export async function deleteAssignment(db: Executor, courseId: string, assignmentId: string): Promise<boolean> {
  const rows = await db
    .delete(courseAssignments)
    .where(and(eq(courseAssignments.courseId, courseId), eq(courseAssignments.id, assignmentId)))
    .returning({ id: courseAssignments.id });
  return rows.length > 0;
}

/* ---------- Course report ---------- */

export interface CourseReportFilter {
  /** Whose learners the caller may see (scopeFor). */
  scope: OrgScope;
  /** A further filter the caller chose (vendor side). */
  organisationId?: string | undefined;
}

/** Everyone with an enrolment in or an attempt on the course. */
function learnerIds(db: Executor, courseId: string) {
  return db
    .select({ userId: enrolments.userId })
    .from(enrolments)
    .where(eq(enrolments.courseId, courseId))
    .union(db.select({ userId: attempts.userId }).from(attempts).where(eq(attempts.courseId, courseId)));
}

function learnerConditions(db: Executor, courseId: string, filter: CourseReportFilter): SQL {
  return and(
    inArray(users.id, learnerIds(db, courseId)),
    filter.scope.kind === 'organisation' ? eq(users.organisationId, filter.scope.organisationId) : undefined,
    filter.organisationId ? eq(users.organisationId, filter.organisationId) : undefined,
  )!;
}

function latestAttemptPerLearner(db: Executor, courseId: string) {
  return db
    .selectDistinctOn([attempts.userId], {
      userId: attempts.userId,
      attemptId: attempts.id,
      completionStatus: attempts.completionStatus,
      successStatus: attempts.successStatus,
      scoreScaled: attempts.scoreScaled,
    })
    .from(attempts)
    .where(eq(attempts.courseId, courseId))
    .orderBy(attempts.userId, desc(attempts.attemptNumber))
    .as('latest_attempt');
}

/** Completed, or passed (a 2004 SCO may report success without completion). */
const completedSql = (latest: ReturnType<typeof latestAttemptPerLearner>) => sql`(${latest.completionStatus} = 'completed' or ${latest.successStatus} = 'passed')`;

/**
 * One row per learner of the course (enrolment or attempt) inside the filter: their status and score from
 * their latest attempt (with the latest raw score any of its SCOs reported, for packages that report no scaled
 * score), time summed over all attempts, attempt count and last access. Ordered by organisation, then name.
 */
export async function listCourseReport(db: Executor, courseId: string, filter: CourseReportFilter, page?: { limit: number; offset: number }) {
  const latest = latestAttemptPerLearner(db, courseId);
  const totals = db
    .select({
      userId: attempts.userId,
      attemptCount: count().as('attempt_count'),
      totalSeconds: sql<number>`sum(${attempts.totalTimeSeconds})`.mapWith(Number).as('total_seconds'),
      lastAccessedAt: max(attempts.lastAccessedAt).as('last_accessed_at'),
    })
    .from(attempts)
    .where(eq(attempts.courseId, courseId))
    .groupBy(attempts.userId)
    .as('attempt_totals');
  const learnerEnrolment = alias(enrolments, 'learner_enrolment');
  const latestRaw = (column: typeof scoStates.scoreRaw | typeof scoStates.scoreMax) =>
    sql<number | null>`(select ${column} from ${scoStates} where ${scoStates.attemptId} = ${latest.attemptId} and ${scoStates.scoreRaw} is not null order by ${scoStates.lastAccessedAt} desc limit 1)`.mapWith(Number);
  const query = db
    .select({
      userId: users.id,
      name: users.name,
      email: users.email,
      organisationId: organisations.id,
      organisationName: organisations.name,
      enrolledAt: learnerEnrolment.createdAt,
      enrolmentSource: learnerEnrolment.source,
      completionStatus: latest.completionStatus,
      successStatus: latest.successStatus,
      scoreScaled: latest.scoreScaled,
      scoreRaw: latestRaw(scoStates.scoreRaw),
      scoreMax: latestRaw(scoStates.scoreMax),
      attemptCount: sql<number>`coalesce(${totals.attemptCount}, 0)`.mapWith(Number),
      totalSeconds: sql<number>`coalesce(${totals.totalSeconds}, 0)`.mapWith(Number),
      lastAccessedAt: totals.lastAccessedAt,
    })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .leftJoin(latest, eq(latest.userId, users.id))
    .leftJoin(totals, eq(totals.userId, users.id))
    .leftJoin(learnerEnrolment, and(eq(learnerEnrolment.userId, users.id), eq(learnerEnrolment.courseId, courseId)))
    .where(learnerConditions(db, courseId, filter))
    .orderBy(asc(organisations.name), asc(users.name), asc(users.id));
  return page ? query.limit(page.limit).offset(page.offset) : query;
}

export type CourseReportRow = Awaited<ReturnType<typeof listCourseReport>>[number];

/** Totals over the whole filtered report (not one page of it). */
export async function summariseCourseReport(db: Executor, courseId: string, filter: CourseReportFilter) {
  const latest = latestAttemptPerLearner(db, courseId);
  const rows = await db
    .select({
      learners: count(),
      completed: sql<number>`count(*) filter (where ${completedSql(latest)})`.mapWith(Number),
      passed: sql<number>`count(*) filter (where ${latest.successStatus} = 'passed')`.mapWith(Number),
      averageScaledScore: sql<number | null>`avg(${latest.scoreScaled})`.mapWith(Number),
    })
    .from(users)
    .leftJoin(latest, eq(latest.userId, users.id))
    .where(learnerConditions(db, courseId, filter));
  return rows[0] ?? { learners: 0, completed: 0, passed: 0, averageScaledScore: null };
}

/** The organisations the course's learners (inside the scope) belong to, for the report's filter. */
export async function listCourseReportOrganisations(db: Executor, courseId: string, scope: OrgScope) {
  return db
    .selectDistinct({ id: organisations.id, name: organisations.name })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(learnerConditions(db, courseId, { scope }))
    .orderBy(asc(organisations.name), asc(organisations.id));
}

/**
 * Whether a partner organisation has anything to do with a course (so its admin may see the course's report):
 * the course is not a draft, and it is visible to the organisation, assigned to it (or to everyone), or has an
 * enrolment or attempt of one of its people.
 */
export async function courseConcernsOrganisation(db: Executor, courseId: string, organisationId: string): Promise<boolean> {
  const rows = await db
    .select({ id: courses.id })
    .from(courses)
    .innerJoin(viewerOrg, eq(viewerOrg.id, organisationId))
    .where(
      and(
        eq(courses.id, courseId),
        ne(courses.status, 'draft'),
        or(
          matchesVisibility,
          exists(
            db
              .select({ one: sql`1` })
              .from(courseAssignments)
              .where(and(eq(courseAssignments.courseId, courses.id), or(isNull(courseAssignments.organisationId), eq(courseAssignments.organisationId, organisationId)))),
          ),
          exists(db.select({ one: sql`1` }).from(enrolments).where(and(eq(enrolments.courseId, courses.id), eq(enrolments.organisationId, organisationId)))),
          exists(db.select({ one: sql`1` }).from(attempts).where(and(eq(attempts.courseId, courses.id), eq(attempts.organisationId, organisationId)))),
        ),
      ),
    )
    .limit(1);
  return rows.length > 0;
}
