import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../server/db/database.js';
import type { PartnerType } from '../../server/organisations/organisations.table.js';
import { badges, pointRules, seasons, userBadges, userGamificationSettings, userPoints, type BadgeCriterion, type OutcomeKind } from './gamification.table.js';

/** Raw statements return { rows } on both drivers. */
async function rowsOf<T>(db: Executor, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

export interface OutcomeRecord {
  outcomeKey: string;
  kind: OutcomeKind;
  userId: string;
  /** Null: the user's current organisation. */
  organisationId: string | null;
  subjectId: string;
  defaultPoints: number;
  occurredAt: Date;
  /** 'm:2026-11' and 'q:2026-4' of occurredAt (UTC). */
  monthKey: string;
  quarterKey: string;
}

/**
 * One statement (atomic on its own, and inside the caller's transaction when given one): the ledger row, skipped when
 * the outcome already scored (unique outcome_key), and only when it was inserted, the person's and the organisation's
 * totals for all time, its month, its quarter and every season containing it. Only partner organisations' people score.
 * Returns the points awarded, or null when the outcome had already scored (or the person is not a partner's).
 */
export async function insertOutcome(db: Executor, o: OutcomeRecord): Promise<number | null> {
  const rows = await rowsOf<{ points: number }>(
    db,
    sql`
    with org as (
      select o.id, o.region, o.partner_type, o.tier_id from organisations o
       where o.kind = 'partner' and o.id = coalesce(${o.organisationId}::uuid, (select u.organisation_id from users u where u.id = ${o.userId}::uuid))
    ), ins as (
      insert into gamification_points_ledger (outcome_key, kind, user_id, organisation_id, subject_id, points, occurred_at)
      select ${o.outcomeKey}, ${o.kind}::gamification_outcome_kind, ${o.userId}::uuid, org.id, ${o.subjectId}::uuid,
             coalesce((select r.points from gamification_point_rules r where r.kind = ${o.kind}::gamification_outcome_kind), ${o.defaultPoints}::int),
             ${o.occurredAt.toISOString()}::timestamptz
        from org
      on conflict (outcome_key) do nothing
      returning points, organisation_id
    ), periods as (
      select unnest(array['all', ${o.monthKey}::text, ${o.quarterKey}::text]) as period_key
      union all
      select 's:' || s.id::text from gamification_seasons s where s.starts_at <= ${o.occurredAt.toISOString()}::timestamptz and s.ends_at > ${o.occurredAt.toISOString()}::timestamptz
    ), person as (
      insert into gamification_user_points as up (period_key, user_id, organisation_id, region, partner_type, tier_id, points)
      select periods.period_key, ${o.userId}::uuid, org.id, org.region, org.partner_type, org.tier_id, ins.points from ins, org, periods
      on conflict (period_key, user_id) do update set points = up.points + excluded.points, organisation_id = excluded.organisation_id,
         region = excluded.region, partner_type = excluded.partner_type, tier_id = excluded.tier_id
    ), organisation as (
      insert into gamification_organisation_points as op (period_key, organisation_id, points)
      select periods.period_key, ins.organisation_id, ins.points from ins, periods
      on conflict (period_key, organisation_id) do update set points = op.points + excluded.points
    )
    select points from ins`,
  );
  return rows[0]?.points ?? null;
}

/** Awards every badge whose criterion the person now meets and they do not hold yet (once: the key). */
export async function awardEarnedBadges(db: Executor, userId: string | null, now: Date): Promise<void> {
  // userId null: everyone (a new badge is awarded to those who already meet it).
  await db.execute(sql`
    insert into gamification_user_badges (user_id, badge_id, awarded_at)
    select p.user_id, b.id, ${now.toISOString()}::timestamptz
      from gamification_badges b
      join gamification_user_points p on p.period_key = 'all' and (${userId}::uuid is null or p.user_id = ${userId}::uuid)
     where case when b.criterion = 'points' then p.points >= b.threshold
                else (select count(*) from gamification_points_ledger l where l.user_id = p.user_id and l.kind::text = b.criterion::text) >= b.threshold end
    on conflict (user_id, badge_id) do nothing`);
}

/* ---------- rules, seasons, badges ---------- */

export async function listPointRules(db: Executor) {
  return db.select().from(pointRules);
}

export async function upsertPointRule(db: Executor, input: { kind: OutcomeKind; points: number; updatedById: string; now: Date }) {
  await db
    .insert(pointRules)
    .values({ kind: input.kind, points: input.points, updatedById: input.updatedById, updatedAt: input.now })
    .onConflictDoUpdate({ target: pointRules.kind, set: { points: input.points, updatedById: input.updatedById, updatedAt: input.now } });
}

export async function listSeasons(db: Executor) {
  return db.select().from(seasons).orderBy(desc(seasons.startsAt), asc(seasons.name));
}

export async function findSeason(db: Executor, id: string) {
  const [row] = await db.select().from(seasons).where(eq(seasons.id, id));
  return row ?? null;
}

export async function insertSeason(db: Executor, input: { name: string; startsAt: Date; endsAt: Date }) {
  const [row] = await db.insert(seasons).values(input).returning();
  return row!;
}

/** A season's totals rebuilt from the ledger (created later than the points it covers): one range read of the ledger. */
export async function rebuildSeasonTotals(db: Executor, season: { id: string; startsAt: Date; endsAt: Date }): Promise<void> {
  const key = `s:${season.id}`;
  const [from, to] = [season.startsAt.toISOString(), season.endsAt.toISOString()];
  await db.execute(sql`delete from gamification_user_points where period_key = ${key}`);
  await db.execute(sql`delete from gamification_organisation_points where period_key = ${key}`);
  await db.execute(sql`
    insert into gamification_user_points (period_key, user_id, organisation_id, region, partner_type, tier_id, points)
    select ${key}, l.user_id, o.id, o.region, o.partner_type, o.tier_id, sum(l.points)::int
      from gamification_points_ledger l join users u on u.id = l.user_id join organisations o on o.id = u.organisation_id
     where l.occurred_at >= ${from}::timestamptz and l.occurred_at < ${to}::timestamptz
     group by l.user_id, o.id`);
  await db.execute(sql`
    insert into gamification_organisation_points (period_key, organisation_id, points)
    select ${key}, l.organisation_id, sum(l.points)::int from gamification_points_ledger l
     where l.occurred_at >= ${from}::timestamptz and l.occurred_at < ${to}::timestamptz
     group by l.organisation_id`);
}

/** New name and window; the caller rebuilds the season's totals when the window moved. */
export async function updateSeason(db: Executor, id: string, input: { name: string; startsAt: Date; endsAt: Date }) {
  const [row] = await db.update(seasons).set(input).where(eq(seasons.id, id)).returning();
  return row ?? null;
}

/** The season definition and its derived totals (rebuilt from the ledger at any time); the ledger itself is not touched. */
export async function deleteSeason(db: Executor, id: string) {
  const key = `s:${id}`;
  await db.execute(sql`delete from gamification_user_points where period_key = ${key}`);
  await db.execute(sql`delete from gamification_organisation_points where period_key = ${key}`);
  const [row] = await db.delete(seasons).where(eq(seasons.id, id)).returning();
  return row ?? null;
}

export async function findBadge(db: Executor, id: string) {
  const [row] = await db.select().from(badges).where(eq(badges.id, id));
  return row ?? null;
}

/** How many people hold the badge. */
export async function countBadgeHolders(db: Executor, badgeId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(userBadges).where(eq(userBadges.badgeId, badgeId));
  return row?.n ?? 0;
}

export async function updateBadge(db: Executor, id: string, input: { name: string; description: string; criterion: BadgeCriterion; threshold: number }) {
  const [row] = await db.update(badges).set(input).where(eq(badges.id, id)).returning();
  return row ?? null;
}

export async function deleteBadge(db: Executor, id: string) {
  const [row] = await db.delete(badges).where(eq(badges.id, id)).returning();
  return row ?? null;
}

export async function listBadges(db: Executor) {
  return db.select().from(badges).orderBy(asc(badges.criterion), asc(badges.threshold));
}

export async function insertBadge(db: Executor, input: { name: string; description: string; criterion: BadgeCriterion; threshold: number }) {
  const [row] = await db.insert(badges).values(input).returning();
  return row!;
}

export async function listBadgesOfUser(db: Executor, userId: string) {
  return db
    .select({ id: badges.id, name: badges.name, description: badges.description, awardedAt: userBadges.awardedAt })
    .from(userBadges)
    .innerJoin(badges, eq(badges.id, userBadges.badgeId))
    .where(eq(userBadges.userId, userId))
    .orderBy(asc(userBadges.awardedAt), asc(badges.name));
}

/* ---------- settings ---------- */

export async function isHiddenFromBoards(db: Executor, userId: string): Promise<boolean> {
  const [row] = await db.select({ hidden: userGamificationSettings.hiddenFromBoards }).from(userGamificationSettings).where(eq(userGamificationSettings.userId, userId));
  return row?.hidden ?? false;
}

export async function setHiddenFromBoards(db: Executor, userId: string, hidden: boolean): Promise<void> {
  await db
    .insert(userGamificationSettings)
    .values({ userId, hiddenFromBoards: hidden })
    .onConflictDoUpdate({ target: userGamificationSettings.userId, set: { hiddenFromBoards: hidden } });
}

/** Copies an organisation's region, type and tier onto its people's totals (call when they change). */
export async function refreshOrganisationAttributes(db: Executor, organisationId: string): Promise<void> {
  await db.execute(sql`
    update gamification_user_points p set region = o.region, partner_type = o.partner_type, tier_id = o.tier_id
      from organisations o where o.id = ${organisationId}::uuid and p.organisation_id = o.id`);
}

/* ---------- boards ---------- */

export interface BoardFilter {
  periodKey: string;
  region: string | null;
  partnerType: PartnerType | null;
  tierId: string | null;
}

export interface PersonStanding {
  userId: string;
  name: string;
  organisationName: string;
  points: number;
  rank: number;
}

/** The denormalised filter columns: each matches one of the board indexes. */
function personFilter(f: BoardFilter): SQL {
  const parts: SQL[] = [sql`p.period_key = ${f.periodKey}`, sql`p.points > 0`];
  if (f.region !== null) parts.push(sql`p.region = ${f.region}`);
  if (f.partnerType !== null) parts.push(sql`p.partner_type = ${f.partnerType}::partner_type`);
  if (f.tierId !== null) parts.push(sql`p.tier_id = ${f.tierId}::uuid`);
  return sql.join(parts, sql` and `);
}

const visiblePerson = sql`not exists (select 1 from user_gamification_settings s where s.user_id = p.user_id and s.hidden_from_boards) and u.status = 'active'`;

/**
 * The top `limit` people (ties share a rank: 1 + how many have more points), walking the board index in points order.
 * Hidden and disabled people are left out of people boards.
 */
export async function topPeople(db: Executor, f: BoardFilter, limit: number): Promise<PersonStanding[]> {
  const rows = await rowsOf<{ user_id: string; name: string; organisation_name: string; points: number }>(
    db,
    sql`
    select p.user_id, u.name, o.name as organisation_name, p.points
      from gamification_user_points p join users u on u.id = p.user_id join organisations o on o.id = p.organisation_id
     where ${personFilter(f)} and ${visiblePerson}
     -- nulls last as the board indexes are declared (points is never null): the plan then walks the index in points
     -- order and stops after the page (an incremental sort orders ties by name), instead of sorting the whole period.
     order by p.points desc nulls last, u.name asc, p.user_id asc
     limit ${limit}`,
  );
  return withRanks(rows.map((r) => ({ userId: r.user_id, name: r.name, organisationName: r.organisation_name, points: Number(r.points) })));
}

/** Competition ranking over an ordered list; only valid from the top (rank 1) of a board. */
function withRanks<T extends { points: number }>(rows: T[]): (T & { rank: number })[] {
  let rank = 0;
  return rows.map((row, i) => {
    if (i === 0 || rows[i - 1]!.points !== row.points) rank = i + 1;
    return { ...row, rank };
  });
}

/**
 * A person's own standing on a board (even when hidden from others, or outside the top): their points and 1 + visible
 * people ahead. One index-only range read of the board index (people with more points; no join with users, no heap),
 * skipping the few hidden or not active people through a hashed set built once per statement (both lists are small
 * and their ids never null, so NOT IN is exact). Far down a board of 100,000 it reads index entries, not joined rows.
 */
export async function standingOfPerson(db: Executor, f: BoardFilter, userId: string): Promise<{ points: number; rank: number } | null> {
  const rows = await rowsOf<{ points: number; ahead: number }>(
    db,
    sql`
    select me.points,
           (select count(*) from gamification_user_points p
             where ${personFilter(f)} and p.points > me.points
               and p.user_id not in (select s.user_id from user_gamification_settings s where s.hidden_from_boards
                                     union all
                                     select u.id from users u where u.status <> 'active'))::int as ahead
      from gamification_user_points me
     where me.period_key = ${f.periodKey} and me.user_id = ${userId}::uuid and me.points > 0
       ${f.region !== null ? sql`and me.region = ${f.region}` : sql``}
       ${f.partnerType !== null ? sql`and me.partner_type = ${f.partnerType}::partner_type` : sql``}
       ${f.tierId !== null ? sql`and me.tier_id = ${f.tierId}::uuid` : sql``}`,
  );
  const row = rows[0];
  return row ? { points: Number(row.points), rank: Number(row.ahead) + 1 } : null;
}

/**
 * The home page's standing in one statement: points and the count of visible people ahead this month and of all time
 * (as standingOfPerson ranks them, unfiltered), the badges held and whether the person hides from the boards.
 */
export async function homeStanding(db: Executor, input: { userId: string; monthKey: string }) {
  const rows = await rowsOf<{ month_points: number | null; month_ahead: number; all_points: number | null; all_ahead: number; badges: number; hidden: boolean }>(
    db,
    sql`
    with mine as (
      select me.period_key, me.points from gamification_user_points me
       where me.user_id = ${input.userId}::uuid and me.period_key in (${input.monthKey}, 'all') and me.points > 0
    ), unseen as (
      select s.user_id from user_gamification_settings s where s.hidden_from_boards
      union all
      select u.id from users u where u.status <> 'active'
    ), month as (select points from mine where period_key = ${input.monthKey}),
       alltime as (select points from mine where period_key = 'all')
    select (select points from month) as month_points,
           (select count(*) from gamification_user_points p, month
             where p.period_key = ${input.monthKey} and p.points > month.points and p.user_id not in (select user_id from unseen))::int as month_ahead,
           (select points from alltime) as all_points,
           (select count(*) from gamification_user_points p, alltime
             where p.period_key = 'all' and p.points > alltime.points and p.user_id not in (select user_id from unseen))::int as all_ahead,
           (select count(*) from gamification_user_badges b where b.user_id = ${input.userId}::uuid)::int as badges,
           coalesce((select s.hidden_from_boards from user_gamification_settings s where s.user_id = ${input.userId}::uuid), false) as hidden`,
  );
  const row = rows[0]!;
  const standing = (points: number | null, ahead: number) => (points === null ? { points: 0, rank: null } : { points: Number(points), rank: Number(ahead) + 1 });
  return { month: standing(row.month_points, row.month_ahead), allTime: standing(row.all_points, row.all_ahead), badges: Number(row.badges), hidden: row.hidden === true };
}

export interface OrganisationStanding {
  organisationId: string;
  name: string;
  points: number;
  activeMembers: number;
  /** points / activeMembers, the ranking key. */
  pointsPerHead: number;
  rank: number;
}

/** Active members (users with status active) per organisation: one pass over users, cached by the service. */
export async function activeMembersByOrganisation(db: Executor): Promise<Map<string, number>> {
  const rows = await rowsOf<{ organisation_id: string; members: number }>(db, sql`select organisation_id, count(*)::int as members from users where status = 'active' group by organisation_id`);
  return new Map(rows.map((r) => [r.organisation_id, Number(r.members)]));
}

/**
 * Every partner organisation with points in the period, ranked by points per active member (headcounts from
 * activeMembersByOrganisation). At most 2,000 rows: ranked whole, then cut by the caller.
 */
export async function organisationBoard(db: Executor, f: BoardFilter, activeMembers: ReadonlyMap<string, number>): Promise<OrganisationStanding[]> {
  const filters: SQL[] = [sql`op.period_key = ${f.periodKey}`, sql`op.points > 0`, sql`o.kind = 'partner'`];
  if (f.region !== null) filters.push(sql`o.region = ${f.region}`);
  if (f.partnerType !== null) filters.push(sql`o.partner_type = ${f.partnerType}::partner_type`);
  if (f.tierId !== null) filters.push(sql`o.tier_id = ${f.tierId}::uuid`);
  const rows = await rowsOf<{ organisation_id: string; name: string; points: number }>(
    db,
    sql`
    select op.organisation_id, o.name, op.points
      from gamification_organisation_points op join organisations o on o.id = op.organisation_id
     where ${sql.join(filters, sql` and `)}`,
  );
  const standings = rows.map((r) => {
    const members = activeMembers.get(r.organisation_id) ?? 0;
    const points = Number(r.points);
    // An organisation whose members were all disabled keeps its total but cannot lead per head.
    return { organisationId: r.organisation_id, name: r.name, points, activeMembers: members, pointsPerHead: members === 0 ? 0 : points / members };
  });
  standings.sort((a, b) => b.pointsPerHead - a.pointsPerHead || b.points - a.points || a.name.localeCompare(b.name));
  let rank = 0;
  return standings.map((s, i) => {
    if (i === 0 || standings[i - 1]!.pointsPerHead !== s.pointsPerHead) rank = i + 1;
    return { ...s, rank };
  });
}

/** A person's points for all time and their outcomes, newest first (My points). */
export async function pointsOfUser(db: Executor, userId: string) {
  const [total] = await db
    .select({ points: userPoints.points })
    .from(userPoints)
    .where(and(eq(userPoints.periodKey, 'all'), eq(userPoints.userId, userId)));
  const recent = await rowsOf<{ kind: OutcomeKind; points: number; occurred_at: Date | string }>(
    db,
    sql`select kind, points, occurred_at from gamification_points_ledger where user_id = ${userId}::uuid order by occurred_at desc limit 20`,
  );
  return { total: total?.points ?? 0, recent: recent.map((r) => ({ kind: r.kind, points: Number(r.points), occurredAt: new Date(r.occurred_at) })) };
}
