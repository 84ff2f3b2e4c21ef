import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../server/db/database.js';
import type { PartnerType } from '../../server/organisations/organisations.table.js';

/**
 * The partner organisations a figure covers: the caller's own (a partner admin's scope, put in organisationId by the
 * service) or the vendor side's filters. Only partner organisations count: the vendor's staff trying courses is not
 * partner learning.
 */
export interface ProgrammeFilter {
  organisationId?: string | undefined;
  partnerType?: PartnerType | undefined;
  tierId?: string | undefined;
  region?: string | undefined;
}

export interface PeriodFilter extends ProgrammeFilter {
  from: Date;
  until: Date;
}

/** Raw statements return { rows } on both drivers (PGlite and node-postgres). */
async function rowsOf<T>(db: Executor, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/** Conditions on the organisations row aliased `o`. */
function organisationsOf(filter: ProgrammeFilter): SQL {
  const parts: SQL[] = [sql`o.kind = 'partner'`];
  if (filter.organisationId) parts.push(sql`o.id = ${filter.organisationId}::uuid`);
  if (filter.partnerType) parts.push(sql`o.partner_type = ${filter.partnerType}::text::partner_type`);
  if (filter.tierId) parts.push(sql`o.tier_id = ${filter.tierId}::uuid`);
  if (filter.region) parts.push(sql`o.region = ${filter.region}`);
  return sql.join(parts, sql` and `);
}

/** The bucket a timestamp falls in (UTC day, or the Monday of its ISO week), as the period's buckets are keyed. */
const bucketOf = (column: SQL, unit: 'day' | 'week') => sql`to_char(date_trunc(${sql.raw(unit === 'week' ? "'week'" : "'day'")}, ${column} at time zone 'UTC'), 'YYYY-MM-DD')`;

/** Enrolments made and attempts completed per bucket; only buckets with something come back. */
export async function listLearningTrend(db: Executor, filter: PeriodFilter, unit: 'day' | 'week') {
  const enrolled = bucketOf(sql`e.created_at`, unit);
  const completed = bucketOf(sql`a.completed_at`, unit);
  return rowsOf<{ bucket: string; enrolments: number; completions: number }>(
    db,
    sql`
    select bucket, sum(enrolments)::int as enrolments, sum(completions)::int as completions from (
      select ${enrolled} as bucket, count(*) as enrolments, 0 as completions
        from enrolments e join organisations o on o.id = e.organisation_id
       where e.created_at >= ${at(filter.from)} and e.created_at < ${at(filter.until)} and ${organisationsOf(filter)}
       group by 1
      union all
      select ${completed} as bucket, 0 as enrolments, count(*) as completions
        from attempts a join organisations o on o.id = a.organisation_id
       where a.completed_at >= ${at(filter.from)} and a.completed_at < ${at(filter.until)} and ${organisationsOf(filter)}
       group by 1
    ) counted
    group by bucket order by bucket`,
  );
}

/**
 * Per course, the learners who enrolled in the period (the cohort) and how they have done since: how many completed an
 * attempt, the average of each learner's best score (0–100, learners with a score only) and the average time spent
 * (learners who started only). A cohort keeps the completion rate a true share (never above 100%).
 */
export async function listCourseOutcomes(db: Executor, filter: PeriodFilter) {
  const rows = await rowsOf<{ course_id: string; title: string; enrolled: number; completed: number; average_score: number | null; average_seconds: number | null }>(
    db,
    sql`
    with cohort as (
      select e.course_id, e.user_id
        from enrolments e join organisations o on o.id = e.organisation_id
       where e.created_at >= ${at(filter.from)} and e.created_at < ${at(filter.until)} and ${organisationsOf(filter)}
    ), learner as (
      select c.course_id, c.user_id, bool_or(a.completed_at is not null) as completed, max(a.score_scaled) as best_score,
             sum(a.total_time_seconds) as seconds, count(a.id) as attempts
        from cohort c left join attempts a on a.course_id = c.course_id and a.user_id = c.user_id
       group by c.course_id, c.user_id
    )
    select l.course_id, co.title, count(*)::int as enrolled, (count(*) filter (where l.completed))::int as completed,
           (avg(l.best_score) * 100)::float8 as average_score, (avg(l.seconds) filter (where l.attempts > 0))::float8 as average_seconds
      from learner l join courses co on co.id = l.course_id
     group by l.course_id, co.title
     order by enrolled desc, co.title, l.course_id`,
  );
  return rows.map((r) => ({ courseId: r.course_id, title: r.title, enrolled: r.enrolled, completed: r.completed, averageScore: r.average_score, averageSeconds: r.average_seconds }));
}

export type CourseOutcomeRow = Awaited<ReturnType<typeof listCourseOutcomes>>[number];

/** Distinct people with course activity (an attempt started or committed to) in the period. */
export async function countActiveLearners(db: Executor, filter: PeriodFilter): Promise<number> {
  const rows = await rowsOf<{ learners: number }>(
    db,
    sql`
    select count(distinct a.user_id)::int as learners
      from attempts a join organisations o on o.id = a.organisation_id
     where a.last_accessed_at >= ${at(filter.from)} and a.last_accessed_at < ${at(filter.until)} and ${organisationsOf(filter)}`,
  );
  return rows[0]?.learners ?? 0;
}

/** The valid certificates of `k` expiring in (now, until] that no later earning has renewed. */
const expiringBetween = (now: Date, until: Date) => sql`
  k.revoked_at is null and k.expires_at > ${at(now)} and k.expires_at <= ${at(until)}
  and not exists (select 1 from certificates newer where newer.certification_id = k.certification_id and newer.user_id = k.user_id and newer.cycle > k.cycle)`;

/** Per certification: certificates issued in the period, and valid ones expiring before `expiringUntil`. */
export async function listCertificationActivity(db: Executor, filter: PeriodFilter, now: Date, expiringUntil: Date) {
  const rows = await rowsOf<{ id: string; name: string; earned: number; expiring: number }>(
    db,
    sql`
    select c.id, c.name,
           (select count(*) from certificates k join organisations o on o.id = k.organisation_id
             where k.certification_id = c.id and k.issued_at >= ${at(filter.from)} and k.issued_at < ${at(filter.until)} and ${organisationsOf(filter)})::int as earned,
           (select count(*) from certificates k join organisations o on o.id = k.organisation_id
             where k.certification_id = c.id and ${expiringBetween(now, expiringUntil)} and ${organisationsOf(filter)})::int as expiring
      from certifications c
     order by c.name, c.id`,
  );
  return rows.map((r) => ({ certificationId: r.id, name: r.name, earned: r.earned, expiring: r.expiring }));
}

/**
 * Per partner organisation the filter covers: active people, how many of them have neither course nor library
 * activity since `inactiveSince`, valid certificates expiring by `expiringUntil`, and library downloads since `downloadsSince`.
 */
export async function listReadinessFacts(db: Executor, filter: ProgrammeFilter, input: { now: Date; inactiveSince: Date; expiringUntil: Date; downloadsSince: Date }) {
  const rows = await rowsOf<{ id: string; name: string; partner_type: PartnerType | null; region: string | null; tier_name: string | null; active_users: number; inactive_users: number; expiring: number; downloads: number }>(
    db,
    sql`
    select o.id, o.name, o.partner_type, o.region, t.name as tier_name,
           (select count(*) from users u where u.organisation_id = o.id and u.status = 'active')::int as active_users,
           -- The organisation's active people once, set-based (asset_events has no index by user; by organisation and time it has).
           (select count(*) from users u where u.organisation_id = o.id and u.status = 'active'
               and u.id not in (select a.user_id from attempts a where a.organisation_id = o.id and a.last_accessed_at >= ${at(input.inactiveSince)}
                                union
                                select ev.user_id from asset_events ev where ev.organisation_id = o.id and ev.occurred_at >= ${at(input.inactiveSince)} and ev.user_id is not null))::int as inactive_users,
           (select count(*) from certificates k where k.organisation_id = o.id and ${expiringBetween(input.now, input.expiringUntil)})::int as expiring,
           (select count(*) from asset_events ev where ev.organisation_id = o.id and ev.kind = 'download' and ev.occurred_at >= ${at(input.downloadsSince)})::int as downloads
      from organisations o left join partner_tiers t on t.id = o.tier_id
     where ${organisationsOf(filter)}
     order by o.name, o.id`,
  );
  return rows.map((r) => ({
    organisationId: r.id,
    name: r.name,
    partnerType: r.partner_type,
    region: r.region,
    tierName: r.tier_name,
    activeUsers: r.active_users,
    inactiveUsers: r.inactive_users,
    expiring: r.expiring,
    downloads: r.downloads,
  }));
}

/** Per organisation and exam course of a certification: the average scored attempt since `since` (0–100) and the passing score. */
export async function listExamAverages(db: Executor, filter: ProgrammeFilter, since: Date) {
  const rows = await rowsOf<{ organisation_id: string; course_id: string; title: string; passing_score: number; average_score: number; attempts: number }>(
    db,
    sql`
    select a.organisation_id, a.course_id, co.title, max(r.passing_score)::int as passing_score,
           (avg(a.score_scaled) * 100)::float8 as average_score, count(distinct a.id)::int as attempts
      from attempts a
      join organisations o on o.id = a.organisation_id
      join courses co on co.id = a.course_id
      join certification_requirements r on r.course_id = a.course_id and r.kind = 'exam'
     where a.score_scaled is not null and a.last_accessed_at >= ${at(since)} and ${organisationsOf(filter)}
     group by a.organisation_id, a.course_id, co.title
     order by co.title`,
  );
  return rows.map((r) => ({ organisationId: r.organisation_id, courseId: r.course_id, title: r.title, passingScore: r.passing_score, averageScore: r.average_score, attempts: r.attempts }));
}

/** The active partner admins of a partner organisation (who a readiness nudge goes to). */
export async function listPartnerAdmins(db: Executor, organisationId: string) {
  return rowsOf<{ email: string; name: string }>(
    db,
    sql`select u.email, u.name from users u where u.organisation_id = ${organisationId}::uuid and u.role = 'partner_admin' and u.status = 'active' order by u.name, u.email`,
  );
}
