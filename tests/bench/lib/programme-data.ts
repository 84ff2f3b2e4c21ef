/**
 * The programme bench's dataset, set-based (INSERT ... SELECT over generate_series, hashes of the row numbers, so
 * it is deterministic and takes minutes, not hours): on top of the demo seed and tests/bench/generate-data.ts's
 * organisations and users, 200 published courses (one package version each), 10 certifications (exams on 20
 * courses), tier requirements, 2,000 library assets and `events` learning events spread over the last two years:
 *
 *   30% course attempts (from 24% as many enrolments: first attempts, plus a second go for a quarter of them),
 *   30% points-ledger rows (verified outcomes; activity is skewed: a few people score a lot, many little),
 *    4% certificates (about a sixth of them expiring or expired by now),
 *   36% library events (views, downloads, co-branded renders).
 *
 * Per-period points totals are then built from the ledger in one INSERT ... SELECT ... GROUP BY per table, the
 * same sums insertOutcome keeps up to date row by row (all time, the UTC month, the UTC quarter), with the
 * organisation's region, partner type and tier copied as the app copies them.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../../server/db/database.js';

export interface ProgrammeDataCounts {
  enrolments: number;
  attempts: number;
  ledger: number;
  certificates: number;
  assetEvents: number;
  userPoints: number;
  organisationPoints: number;
}

const COURSES = 200;
const CERTIFICATIONS = 10;
const ASSETS = 2000;
const DAYS = 730;

/** A non-negative integer hash of an SQL integer expression and a salt. */
const h = (expr: string, salt: number) => `(hashint8((${expr})::bigint * 1000003 + ${salt})::bigint & 2147483647)`;

async function count(db: Database, table: string): Promise<number> {
  const result = (await db.execute(sql.raw(`select count(*)::bigint as n from ${table}`))) as unknown as { rows: { n: string | number }[] };
  return Number(result.rows[0]!.n);
}

export async function generateProgrammeData(db: Database, options: { events: number; log: (line: string) => void }): Promise<ProgrammeDataCounts> {
  const log = options.log;
  const run = async (label: string, query: SQL) => {
    const t = performance.now();
    await db.execute(query);
    log(`    ${label}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  };
  // Targets per kind, from the total.
  const attemptsTarget = Math.round(options.events * 0.3);
  const ledgerTarget = Math.round(options.events * 0.3);
  const certificatesTarget = Math.round(options.events * 0.04);
  const assetEventsTarget = options.events - attemptsTarget - ledgerTarget - certificatesTarget;

  // Partner people numbered 1..N (the seed's and the generated ones), the base of every per-person series.
  await run(
    'numbered people',
    sql`create unlogged table bench_people as
        select row_number() over (order by u.created_at, u.id)::int as n, u.id as user_id, u.organisation_id
          from users u join organisations o on o.id = u.organisation_id where o.kind = 'partner'`,
  );
  await db.execute(sql`create unique index on bench_people (n)`);
  const people = await count(db, 'bench_people');

  await run(
    'courses and versions',
    sql`with c as (
          insert into courses (title, description, status, duration_minutes, created_at, updated_at)
          select 'Bench course ' || lpad(i::text, 3, '0'), 'Generated for the programme bench', 'published', 15 + i % 90, now() - interval '800 days', now() - interval '800 days'
            from generate_series(1, ${COURSES}) i
          returning id, title)
        insert into course_versions (course_id, version_number, standard, storage_prefix, original_filename, file_count, total_bytes, manifest)
        select c.id, 1, 'scorm12', 'courses/' || c.id || '/bench/', 'bench.zip', 1, 1000, '{}'::jsonb from c`,
  );
  await db.execute(sql`update courses c set current_version_id = v.id from course_versions v where v.course_id = c.id and c.title like 'Bench course %'`);
  await db.execute(sql`create unlogged table bench_courses as
        select row_number() over (order by c.title)::int - 1 as n, c.id as course_id, c.current_version_id as version_id from courses c where c.title like 'Bench course %'`);

  await run(
    'certifications, exams and tier requirements',
    sql`with k as (
          insert into certifications (name, description, validity_months)
          select 'Bench certification ' || i, 'Generated', 12 + (i % 3) * 12 from generate_series(1, ${CERTIFICATIONS}) i returning id, name)
        insert into certification_requirements (certification_id, kind, course_id, passing_score, position)
        select k.id, r.kind::certification_requirement_kind, bc.course_id, case when r.kind = 'exam' then 70 end, r.pos
          from k cross join lateral (values ('course', 0), ('exam', 1)) r(kind, pos)
          join bench_courses bc on bc.n = (substring(k.name from '\\d+$')::int - 1) * 2 + r.pos`,
  );
  await db.execute(sql`
    insert into tier_certification_requirements (tier_id, certification_id, role, required_count)
    select t.id, k.id, case when t.key = 'platinum' then 'partner_rep'::user_role end, case t.key when 'silver' then 1 when 'gold' then 2 else 3 end
      from partner_tiers t, certifications k where t.key in ('silver', 'gold', 'platinum') and k.name in ('Bench certification 1', 'Bench certification 2')
    on conflict do nothing`);

  // Enrolments: 12 distinct courses per active learner slot; attempts: one per enrolment plus a second for a quarter.
  const enrolmentsPerPerson = Math.max(1, Math.round((attemptsTarget / 1.25) / people));
  await run(
    'enrolments',
    sql.raw(`insert into enrolments (course_id, user_id, organisation_id, source, created_at)
        select bc.course_id, p.user_id, p.organisation_id, (case when k % 3 = 0 then 'assigned' else 'self' end)::enrolment_source,
               now() - make_interval(days => (${h('p.n * 64 + k', 1)} % ${DAYS})::int, mins => (${h('p.n * 64 + k', 2)} % 1440)::int)
          from bench_people p cross join generate_series(0, ${Math.min(enrolmentsPerPerson, COURSES) - 1}) k
          join bench_courses bc on bc.n = (${h('p.n', 3)} + k * 13) % ${COURSES}`),
  );
  await run(
    'attempts',
    sql.raw(`insert into attempts (course_id, version_id, user_id, organisation_id, attempt_number, completion_status, success_status, score_scaled, total_time_seconds, started_at, last_accessed_at, completed_at)
        select e.course_id, bc.version_id, e.user_id, e.organisation_id, a.no,
               (case when done then 'completed' else 'incomplete' end)::completion_status,
               (case when done and score is not null then case when score >= 0.7 then 'passed' else 'failed' end else 'unknown' end)::success_status,
               score, seconds, started, started + make_interval(secs => seconds + gap), case when done then started + make_interval(secs => seconds + gap) end
          from enrolments e join bench_courses bc on bc.course_id = e.course_id
          cross join lateral (select ${h("hashtext(e.id::text)", 4)} as r) hr
          cross join lateral generate_series(1, case when hr.r % 4 = 0 then 2 else 1 end) a(no)
          cross join lateral (select hr.r % 10 < 6 or a.no = 2 as done,
                                     case when bc.n % 2 = 1 or hr.r % 5 = 0 then ((hr.r >> 4) % 61 + 40) / 100.0 end as score,
                                     (300 + (hr.r >> 8) % 5400)::int as seconds,
                                     ((hr.r >> 12) % 86400)::int * a.no as gap,
                                     least(now() - interval '1 minute', e.created_at + make_interval(days => ((hr.r >> 3) % 20)::int * a.no)) as started) x`),
  );

  // The ledger: per person a skewed number of outcomes (the product of two uniform draws: many people with a few,
  // a few with up to 4× the mean), each with a distinct subject.
  const maxSlots = Math.max(1, Math.round(4 * (ledgerTarget / people + 0.5)));
  await run(
    'points ledger',
    sql.raw(`insert into gamification_points_ledger (outcome_key, kind, user_id, organisation_id, subject_id, points, occurred_at)
        select kind || ':' || subject || ':' || p.user_id, kind::gamification_outcome_kind, p.user_id, p.organisation_id, subject,
               case kind when 'course_completed' then 100 when 'exam_passed' then 150 when 'certification_earned' then 300 when 'path_completed' then 200 else 25 end,
               now() - make_interval(days => (${h('p.n * 128 + k', 6)} % ${DAYS})::int, mins => (${h('p.n * 128 + k', 7)} % 1440)::int)
          from bench_people p
          cross join lateral generate_series(0, ((${h('p.n', 5)} % ${maxSlots + 1}) * (${h('p.n', 14)} % ${maxSlots + 1}) / ${maxSlots})::int - 1) k
          cross join lateral (select (array['course_completed','course_completed','course_completed','course_completed','exam_passed','exam_passed','certification_earned','path_completed','cobrand_used','cobrand_used'])[1 + k % 10] as kind,
                                     md5('bench-subject-' || k)::uuid as subject) s`),
  );

  const certsPerPerson = Math.max(1, Math.min(CERTIFICATIONS, Math.round(certificatesTarget / people)));
  await run(
    'certificates',
    sql.raw(`insert into certificates (id, certification_id, user_id, organisation_id, cycle, certification_name, requirements_revision, requirements, issued_at, expires_at, revoked_at, revoke_reason)
        select 'bench-' || p.n || '-' || k, c.id, p.user_id, p.organisation_id, 1, c.name, 1, '[]'::jsonb, issued, issued + make_interval(months => c.validity_months),
               case when ${h('p.n * 16 + k', 9)} % 100 = 0 then issued + interval '30 days' end,
               case when ${h('p.n * 16 + k', 9)} % 100 = 0 then 'Generated revocation' end
          from bench_people p cross join generate_series(0, ${certsPerPerson - 1}) k
          join lateral (select id, name, validity_months from certifications order by name offset ((${h('p.n', 8)} + k * 3) % ${CERTIFICATIONS}) limit 1) c on true
          cross join lateral (select now() - make_interval(days => (${h('p.n * 16 + k', 10)} % ${DAYS})::int) as issued) i`),
  );

  await run(
    'library assets',
    sql`insert into assets (title, category, created_at) select 'Bench asset ' || i, 'datasheet', now() - interval '800 days' from generate_series(1, ${ASSETS}) i`,
  );
  await db.execute(sql`create unlogged table bench_assets as select row_number() over (order by id)::int - 1 as n, id as asset_id from assets`);
  const assetCount = await count(db, 'bench_assets');
  await run(
    'library events',
    sql.raw(`insert into asset_events (kind, asset_id, user_id, organisation_id, occurred_at)
        select (case when r % 10 < 6 then 'view' when r % 10 < 9 then 'download' else 'render' end)::asset_event_kind, a.asset_id, p.user_id, p.organisation_id,
               now() - make_interval(days => ((r >> 4) % ${DAYS})::int, mins => ((r >> 12) % 1440)::int)
          from generate_series(1, ${assetEventsTarget}) i
          cross join lateral (select ${h('i', 11)} as r) hr
          join bench_people p on p.n = 1 + (${h('i', 12)} % ${people})
          join bench_assets a on a.n = (r >> 5) % ${assetCount}`),
  );

  // 2% of people chose to be hidden from boards.
  await db.execute(sql.raw(`insert into user_gamification_settings (user_id, hidden_from_boards) select user_id, true from bench_people where ${h('n', 13)} % 50 = 0`));

  // Totals, from the ledger, exactly what insertOutcome adds up row by row.
  const periodKeys = `(values ('all'), ('m:' || to_char(l.occurred_at at time zone 'UTC', 'YYYY-MM')), ('q:' || to_char(l.occurred_at at time zone 'UTC', 'YYYY') || '-' || to_char(l.occurred_at at time zone 'UTC', 'Q'))) k(period_key)`;
  await run(
    'per-person totals',
    sql.raw(`insert into gamification_user_points (period_key, user_id, organisation_id, region, partner_type, tier_id, points)
        select k.period_key, l.user_id, o.id, o.region, o.partner_type, o.tier_id, sum(l.points)::int
          from gamification_points_ledger l join organisations o on o.id = l.organisation_id cross join lateral ${periodKeys}
         group by k.period_key, l.user_id, o.id`),
  );
  await run(
    'per-organisation totals',
    sql.raw(`insert into gamification_organisation_points (period_key, organisation_id, points)
        select k.period_key, l.organisation_id, sum(l.points)::int from gamification_points_ledger l cross join lateral ${periodKeys}
         group by k.period_key, l.organisation_id`),
  );
  await db.execute(sql`drop table bench_people, bench_courses, bench_assets`);
  await run('vacuum analyze', sql`vacuum analyze`);

  return {
    enrolments: await count(db, 'enrolments'),
    attempts: await count(db, 'attempts'),
    ledger: await count(db, 'gamification_points_ledger'),
    certificates: await count(db, 'certificates'),
    assetEvents: await count(db, 'asset_events'),
    userPoints: await count(db, 'gamification_user_points'),
    organisationPoints: await count(db, 'gamification_organisation_points'),
  };
}
