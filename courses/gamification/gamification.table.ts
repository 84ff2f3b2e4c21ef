import { sql } from 'drizzle-orm';
import { pgTable, pgEnum, uuid, text, integer, boolean, timestamp, index, uniqueIndex, primaryKey, check } from 'drizzle-orm/pg-core';
import { users } from '../../server/users/users.table.js';
import { organisations, partnerType, partnerTiers } from '../../server/organisations/organisations.table.js';

/** Verified outcomes that can score; nothing a person can repeat at will (downloads, re-takes) is one. */
export const outcomeKind = pgEnum('gamification_outcome_kind', ['course_completed', 'exam_passed', 'certification_earned', 'path_completed', 'cobrand_used']);
/** What a badge counts: all-time points, or how many outcomes of one kind. */
export const badgeCriterion = pgEnum('gamification_badge_criterion', ['points', 'course_completed', 'exam_passed', 'certification_earned', 'path_completed', 'cobrand_used']);

/** Points per outcome kind, edited by the enablement team; a kind without a row scores its default (gamification.service). */
export const pointRules = pgTable(
  'gamification_point_rules',
  {
    kind: outcomeKind('kind').primaryKey(),
    points: integer('points').notNull(),
    updatedById: uuid('updated_by_id').references(() => users.id, { onDelete: 'set null' }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('gamification_point_rules_points_check', sql`${t.points} >= 0 and ${t.points} <= 100000`)],
);

/** A named competition window; ends_at is exclusive (the day after the last day shown). */
export const seasons = pgTable(
  'gamification_seasons',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('gamification_seasons_window_idx').on(t.startsAt, t.endsAt), check('gamification_seasons_window_check', sql`${t.endsAt} > ${t.startsAt}`)],
);

/**
 * The append-only points ledger: one row per verified outcome. outcome_key ('course_completed:<course>:<user>') is
 * unique, so an outcome scores at most once however often or concurrently it is reported (insert ... on conflict do nothing).
 * points is the rule's value when it was earned: changing a rule never rewrites history.
 */
export const pointsLedger = pgTable(
  'gamification_points_ledger',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    outcomeKey: text('outcome_key').notNull(),
    kind: outcomeKind('kind').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    subjectId: uuid('subject_id').notNull(),
    points: integer('points').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('gamification_points_ledger_outcome_key').on(t.outcomeKey),
    index('gamification_points_ledger_user_kind_idx').on(t.userId, t.kind),
    // Rebuilding a season's totals from history reads one time range.
    index('gamification_points_ledger_occurred_idx').on(t.occurredAt),
  ],
);

/**
 * Pre-aggregated points per person and period ('all', 'm:2026-11', 'q:2026-4', 's:<season id>'), upserted in the
 * same statement as the ledger row, so any board reads one row per person. Region, partner type and tier are copied
 * from the organisation so each filtered board is one index range read in points order (ORDER BY points DESC LIMIT n
 * stops after n rows) instead of a join that must look at every person of the period; they are refreshed when an
 * organisation's attributes change (refreshOrganisationAttributes).
 */
export const userPoints = pgTable(
  'gamification_user_points',
  {
    periodKey: text('period_key').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    region: text('region'),
    partnerType: partnerType('partner_type'),
    tierId: uuid('tier_id').references(() => partnerTiers.id, { onDelete: 'set null' }),
    points: integer('points').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.periodKey, t.userId] }),
    index('gamification_user_points_board_idx').on(t.periodKey, t.points.desc(), t.userId),
    // user_id last in every board index: a viewer's rank counts the people ahead from the index alone, skipping the
    // hidden and disabled by id (standingOfPerson), without a heap visit per person ahead.
    index('gamification_user_points_region_idx').on(t.periodKey, t.region, t.points.desc(), t.userId),
    index('gamification_user_points_type_idx').on(t.periodKey, t.partnerType, t.points.desc(), t.userId),
    index('gamification_user_points_tier_idx').on(t.periodKey, t.tierId, t.points.desc(), t.userId),
    index('gamification_user_points_user_idx').on(t.userId),
  ],
);

/** Points per organisation and period (every member's, hidden or not), upserted with the ledger row; at most 2,000 rows per period. */
export const organisationPoints = pgTable(
  'gamification_organisation_points',
  {
    periodKey: text('period_key').notNull(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    points: integer('points').notNull(),
  },
  (t) => [primaryKey({ columns: [t.periodKey, t.organisationId] })],
);

/** A badge and its one criterion: all-time points ≥ threshold, or at least threshold outcomes of one kind. */
export const badges = pgTable(
  'gamification_badges',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    criterion: badgeCriterion('criterion').notNull(),
    threshold: integer('threshold').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('gamification_badges_threshold_check', sql`${t.threshold} >= 1`)],
);

/** A badge a person earned; the key makes it once only. */
export const userBadges = pgTable(
  'gamification_user_badges',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    badgeId: uuid('badge_id')
      .notNull()
      .references(() => badges.id, { onDelete: 'cascade' }),
    awardedAt: timestamp('awarded_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.badgeId] })],
);

/** A person's leaderboard choices; no row = shown. Kept apart from users, which this module does not own. */
export const userGamificationSettings = pgTable('user_gamification_settings', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  hiddenFromBoards: boolean('hidden_from_boards').notNull().default(false),
});

export type OutcomeKind = (typeof outcomeKind.enumValues)[number];
export const OUTCOME_KINDS = outcomeKind.enumValues;
export type BadgeCriterion = (typeof badgeCriterion.enumValues)[number];
export const BADGE_CRITERIA = badgeCriterion.enumValues;
export type SeasonRow = typeof seasons.$inferSelect;
export type BadgeRow = typeof badges.$inferSelect;
