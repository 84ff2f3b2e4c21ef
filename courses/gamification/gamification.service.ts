import type { AppDeps } from '../../server/app-deps.js';
import type { Executor } from '../../server/db/database.js';
import type { Actor } from '../../server/tenancy/actor.js';
import { listTiers } from '../../server/organisations/organisations.repository.js';
import * as repository from './gamification.repository.js';
import type { BoardFilter, OrganisationStanding, PersonStanding } from './gamification.repository.js';
import { OUTCOME_KINDS, type OutcomeKind, type SeasonRow } from './gamification.table.js';
import { DEFAULT_POINTS, type BadgeInput, type BoardQuery, type RulesInput, type SeasonInput } from './gamification.schema.js';
import { gamificationErrors } from './gamification.errors.js';

export const BOARD_SIZE = 50;
/** Headcounts change rarely (invitations, disabling); points stay live, headcounts may lag by this much. */
const HEADCOUNT_TTL_MS = 30_000;
const DAY_MS = 86_400_000;

/** 'm:2026-11' (UTC month). */
export function monthKeyOf(at: Date): string {
  return `m:${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** 'q:2026-4' (UTC calendar quarter). */
export function quarterKeyOf(at: Date): string {
  return `q:${at.getUTCFullYear()}-${Math.floor(at.getUTCMonth() / 3) + 1}`;
}

export interface Outcome {
  kind: OutcomeKind;
  userId: string;
  /** The organisation the outcome counts for; omitted: the user's current one. */
  organisationId?: string | null;
  /** The course, exam, certification, path or asset; with kind and user it is the outcome's identity. */
  subjectId: string;
  occurredAt: Date;
}

/**
 * Scores a verified outcome, at most once ever per (kind, subject, user): call it inside the transaction that
 * records the outcome. One statement when the outcome already scored; when it scores, a second one awards any badge
 * now earned. Returns the points awarded, or null when it had scored before (or the person is not a partner's:
 * only partner organisations compete). Points come from the rule as it is now: a later rule change does not
 * touch points already awarded.
 */
export async function awardOutcome(tx: Executor, outcome: Outcome): Promise<number | null> {
  const points = await repository.insertOutcome(tx, {
    outcomeKey: `${outcome.kind}:${outcome.subjectId}:${outcome.userId}`,
    kind: outcome.kind,
    userId: outcome.userId,
    organisationId: outcome.organisationId ?? null,
    subjectId: outcome.subjectId,
    defaultPoints: DEFAULT_POINTS[outcome.kind],
    occurredAt: outcome.occurredAt,
    monthKey: monthKeyOf(outcome.occurredAt),
    quarterKey: quarterKeyOf(outcome.occurredAt),
  });
  if (points !== null) await repository.awardEarnedBadges(tx, outcome.userId, outcome.occurredAt);
  return points;
}

/** The first day and the last day shown for a season (ends_at is the exclusive midnight after the last day). */
export function seasonDays(season: Pick<SeasonRow, 'startsAt' | 'endsAt'>) {
  return { firstDay: season.startsAt.toISOString().slice(0, 10), lastDay: new Date(season.endsAt.getTime() - DAY_MS).toISOString().slice(0, 10) };
}

function utcMidnight(day: string, field: string): Date {
  const date = new Date(`${day}T00:00:00.000Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== day) throw gamificationErrors.invalidDay(field);
  return date;
}

export interface Leaderboard {
  board: 'people' | 'organisations';
  period: { value: string; label: string };
  seasons: SeasonRow[];
  tiers: { id: string; name: string }[];
  people: PersonStanding[];
  organisations: OrganisationStanding[];
  /** The viewer on the people board (also when hidden from others or outside the top); null without points. */
  me: { points: number; rank: number; inTop: boolean } | null;
  /** The viewer's organisation on the organisations board, when it has points. */
  myOrganisation: OrganisationStanding | null;
  hidden: boolean;
  myPoints: { total: number; recent: { kind: OutcomeKind; points: number; occurredAt: Date }[] };
  myBadges: { id: string; name: string; description: string; awardedAt: Date }[];
}

/**
 * Leaderboards and their settings. Boards are public inside the programme (names of people and organisations,
 * never emails) except people who chose to be hidden; their points still count for their organisation.
 */
/**
 * Leaderboard filters read region, partner type and tier copied onto each person's totals: call this in the
 * transaction that changes an organisation's, so filtered boards follow at once.
 */
export async function followOrganisationChange(tx: Executor, organisationId: string): Promise<void> {
  await repository.refreshOrganisationAttributes(tx, organisationId);
}

export function createGamificationService(deps: Pick<AppDeps, 'database' | 'clock'>) {
  const { db } = deps.database;
  let headcounts: { at: number; members: Promise<Map<string, number>> } | null = null;

  /** Active members per organisation, read at most once per HEADCOUNT_TTL_MS (one pass over users instead of one per board). */
  function activeMembers(): Promise<Map<string, number>> {
    const now = Date.now();
    if (headcounts === null || now - headcounts.at > HEADCOUNT_TTL_MS) {
      const members = repository.activeMembersByOrganisation(db);
      headcounts = { at: now, members };
      members.catch(() => (headcounts = null));
    }
    return headcounts.members;
  }

  async function periodOf(period: string, now: Date): Promise<{ key: string; label: string }> {
    if (period === 'all') return { key: 'all', label: 'All time' };
    if (period === 'quarter') return { key: quarterKeyOf(now), label: `This quarter (Q${quarterKeyOf(now).slice(-1)} ${now.getUTCFullYear()})` };
    if (period.startsWith('season:')) {
      const season = await repository.findSeason(db, period.slice('season:'.length).toLowerCase());
      if (season === null) throw gamificationErrors.seasonNotFound();
      const { firstDay, lastDay } = seasonDays(season);
      return { key: `s:${season.id}`, label: `${season.name} (${firstDay} to ${lastDay})` };
    }
    return { key: monthKeyOf(now), label: `This month (${now.toLocaleString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' })})` };
  }

  return {
    async leaderboard(actor: Actor, query: BoardQuery): Promise<Leaderboard> {
      const now = deps.clock();
      const period = await periodOf(query.period.toLowerCase(), now);
      const filter: BoardFilter = { periodKey: period.key, region: query.region ?? null, partnerType: query.partnerType ?? null, tierId: query.tierId ?? null };
      const [seasons, tiers, hidden, myPoints, myBadges] = [
        await repository.listSeasons(db),
        await listTiers(db),
        await repository.isHiddenFromBoards(db, actor.userId),
        await repository.pointsOfUser(db, actor.userId),
        await repository.listBadgesOfUser(db, actor.userId),
      ];
      let people: PersonStanding[] = [];
      let organisations: OrganisationStanding[] = [];
      let me: Leaderboard['me'] = null;
      let myOrganisation: OrganisationStanding | null = null;
      if (query.board === 'people') {
        people = await repository.topPeople(db, filter, BOARD_SIZE);
        const standing = await repository.standingOfPerson(db, filter, actor.userId);
        if (standing) me = { ...standing, inTop: people.some((p) => p.userId === actor.userId) };
      } else {
        const all = await repository.organisationBoard(db, filter, await activeMembers());
        organisations = all.slice(0, BOARD_SIZE);
        myOrganisation = all.find((o) => o.organisationId === actor.organisationId) ?? null;
      }
      return {
        board: query.board,
        period: { value: query.period.toLowerCase(), label: period.label },
        seasons,
        tiers: tiers.map((t) => ({ id: t.id, name: t.name })),
        people,
        organisations,
        me,
        myOrganisation,
        hidden,
        myPoints,
        myBadges,
      };
    },

    /**
     * The viewer's own points and rank this month and of all time (ranked among people shown on the boards, as
     * /leaderboards ranks them; a hidden person still sees their own), and how many badges they hold. For the home
     * page: a few indexed lookups instead of a whole board.
     */
    async standingOf(actor: Actor): Promise<{ month: { points: number; rank: number | null }; allTime: { points: number; rank: number | null }; badges: number; hidden: boolean }> {
      return repository.homeStanding(db, { userId: actor.userId, monthKey: monthKeyOf(deps.clock()) });
    },

    async setHidden(actor: Actor, hidden: boolean): Promise<void> {
      await repository.setHiddenFromBoards(db, actor.userId, hidden);
    },

    /** Every outcome kind with its points now (its default until set). */
    async pointRules(): Promise<{ kind: OutcomeKind; points: number; updatedAt: Date | null }[]> {
      const stored = new Map((await repository.listPointRules(db)).map((r) => [r.kind, r]));
      return OUTCOME_KINDS.map((kind) => ({ kind, points: stored.get(kind)?.points ?? DEFAULT_POINTS[kind], updatedAt: stored.get(kind)?.updatedAt ?? null }));
    },

    /** New points per kind; outcomes already scored keep what they earned. */
    async savePointRules(actor: Actor, input: RulesInput): Promise<void> {
      const now = deps.clock();
      await db.transaction(async (tx) => {
        for (const kind of OUTCOME_KINDS) await repository.upsertPointRule(tx, { kind, points: input[kind], updatedById: actor.userId, now });
      });
    },

    async seasons() {
      return repository.listSeasons(db);
    },

    /** A season from its first to its last day (UTC), with its board built from the points already earned in it. */
    async createSeason(input: SeasonInput): Promise<SeasonRow> {
      const startsAt = utcMidnight(input.startsOn, 'startsOn');
      const endsAt = new Date(utcMidnight(input.endsOn, 'endsOn').getTime() + DAY_MS);
      return db.transaction(async (tx) => {
        const season = await repository.insertSeason(tx, { name: input.name, startsAt, endsAt });
        await repository.rebuildSeasonTotals(tx, season);
        return season;
      });
    },

    async season(id: string): Promise<SeasonRow> {
      const season = await repository.findSeason(db, id);
      if (season === null) throw gamificationErrors.seasonNotFound();
      return season;
    },

    /** New name and days; when the days moved, the season's board is rebuilt from the ledger (which is not changed). */
    async updateSeason(id: string, input: SeasonInput): Promise<SeasonRow> {
      const startsAt = utcMidnight(input.startsOn, 'startsOn');
      const endsAt = new Date(utcMidnight(input.endsOn, 'endsOn').getTime() + DAY_MS);
      return db.transaction(async (tx) => {
        const before = await repository.findSeason(tx, id);
        if (before === null) throw gamificationErrors.seasonNotFound();
        const season = (await repository.updateSeason(tx, id, { name: input.name, startsAt, endsAt }))!;
        if (before.startsAt.getTime() !== startsAt.getTime() || before.endsAt.getTime() !== endsAt.getTime()) await repository.rebuildSeasonTotals(tx, season);
        return season;
      });
    },

    /** Removes the season definition and its derived board totals; the points ledger and every other board stay as they are. */
    async deleteSeason(id: string): Promise<SeasonRow> {
      return db.transaction(async (tx) => {
        const season = await repository.deleteSeason(tx, id);
        if (season === null) throw gamificationErrors.seasonNotFound();
        return season;
      });
    },

    async badge(id: string) {
      const badge = await repository.findBadge(db, id);
      if (badge === null) throw gamificationErrors.badgeNotFound();
      return { ...badge, holders: await repository.countBadgeHolders(db, id) };
    },

    /**
     * New name, description, criterion or threshold. Badges already awarded stay awarded (they were earned under the
     * criterion of the time); anyone who meets the new criterion and does not hold it yet receives it now.
     */
    async updateBadge(id: string, input: BadgeInput) {
      return db.transaction(async (tx) => {
        const badge = await repository.updateBadge(tx, id, input);
        if (badge === null) throw gamificationErrors.badgeNotFound();
        await repository.awardEarnedBadges(tx, null, deps.clock());
        return badge;
      });
    },

    /** Only a badge nobody holds can be deleted: earned badges stay visible to the people who earned them. */
    async deleteBadge(id: string) {
      return db.transaction(async (tx) => {
        const badge = await repository.findBadge(tx, id);
        if (badge === null) throw gamificationErrors.badgeNotFound();
        const holders = await repository.countBadgeHolders(tx, id);
        if (holders > 0) throw gamificationErrors.badgeHeld(holders);
        await repository.deleteBadge(tx, id);
        return badge;
      });
    },

    async badges() {
      return repository.listBadges(db);
    },

    /** A badge, given at once to everyone who already meets it. */
    async createBadge(input: BadgeInput) {
      return db.transaction(async (tx) => {
        const badge = await repository.insertBadge(tx, input);
        await repository.awardEarnedBadges(tx, null, deps.clock());
        return badge;
      });
    },
  };
}

export type GamificationService = ReturnType<typeof createGamificationService>;
