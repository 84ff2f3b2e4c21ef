import { pgTable, uuid, text, integer, timestamp, jsonb, doublePrecision, bigint, index, uniqueIndex, primaryKey, pgEnum } from 'drizzle-orm/pg-core';
import { courses } from '../catalogue/courses.table.js';
import { courseItems, courseVersions } from '../scorm/scorm.table.js';
import { users } from '../../server/users/users.table.js';
import { organisations } from '../../server/organisations/organisations.table.js';

/** SCORM 2004's two statuses; SCORM 1.2's lesson_status is mapped onto them so reports treat both alike. */
export const completionStatus = pgEnum('completion_status', ['not_attempted', 'incomplete', 'completed', 'unknown']);
export const successStatus = pgEnum('success_status', ['passed', 'failed', 'unknown']);

/** One learner's go at a course, pinned to the version it started on. */
export const attempts = pgTable(
  'attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    versionId: uuid('version_id')
      .notNull()
      .references(() => courseVersions.id, { onDelete: 'restrict' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    attemptNumber: integer('attempt_number').notNull(),
    completionStatus: completionStatus('completion_status').notNull().default('not_attempted'),
    successStatus: successStatus('success_status').notNull().default('unknown'),
    scoreScaled: doublePrecision('score_scaled'),
    totalTimeSeconds: doublePrecision('total_time_seconds').notNull().default(0),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    lastAccessedAt: timestamp('last_accessed_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('attempts_user_course_number_key').on(t.userId, t.courseId, t.attemptNumber),
    index('attempts_course_org_idx').on(t.courseId, t.organisationId),
    index('attempts_version_idx').on(t.versionId),
    // Programme dashboards (courses/programme-analytics): per organisation, who was active since a day (readiness,
    // one range per organisation, user_id read from the index), and completions in a period (trend, index only).
    // last_accessed_at changes on every CMI commit, so those updates are no longer HOT (see BENCHMARKS.md, Programme).
    index('attempts_organisation_accessed_idx').on(t.organisationId, t.lastAccessedAt, t.userId),
    index('attempts_completed_idx').on(t.completedAt, t.organisationId),
  ],
);

/**
 * The full CMI of one SCO in one attempt, plus the columns reports read. commit_sequence is the highest
 * sequence number stored: an older commit is refused, the same one again is acknowledged without writing.
 */
export const scoStates = pgTable(
  'sco_states',
  {
    attemptId: uuid('attempt_id')
      .notNull()
      .references(() => attempts.id, { onDelete: 'cascade' }),
    itemId: uuid('item_id')
      .notNull()
      .references(() => courseItems.id, { onDelete: 'cascade' }),
    cmi: jsonb('cmi').notNull(),
    commitSequence: bigint('commit_sequence', { mode: 'number' }).notNull(),
    commitDigest: text('commit_digest').notNull(),
    completionStatus: completionStatus('completion_status').notNull().default('not_attempted'),
    successStatus: successStatus('success_status').notNull().default('unknown'),
    scoreRaw: doublePrecision('score_raw'),
    scoreMin: doublePrecision('score_min'),
    scoreMax: doublePrecision('score_max'),
    scoreScaled: doublePrecision('score_scaled'),
    totalTimeSeconds: doublePrecision('total_time_seconds').notNull().default(0),
    sessionTimeSeconds: doublePrecision('session_time_seconds').notNull().default(0),
    location: text('location'),
    interactionCount: integer('interaction_count').notNull().default(0),
    firstAccessedAt: timestamp('first_accessed_at', { withTimezone: true }).notNull().defaultNow(),
    lastAccessedAt: timestamp('last_accessed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.attemptId, t.itemId] })],
);

export type AttemptRow = typeof attempts.$inferSelect;
export type ScoStateRow = typeof scoStates.$inferSelect;
