import { sql } from 'drizzle-orm';
import { pgTable, pgEnum, uuid, text, integer, boolean, timestamp, index, uniqueIndex, check } from 'drizzle-orm/pg-core';
import { users, userRole } from '../../server/users/users.table.js';
import { partnerType } from '../../server/organisations/organisations.table.js';
import { courses } from '../catalogue/courses.table.js';
import { assets } from '../../assets/library/library.table.js';

export const learningPathStatus = pgEnum('learning_path_status', ['draft', 'published', 'archived']);
export const learningPathStepKind = pgEnum('learning_path_step_kind', ['course', 'asset']);
export const learningPathEnrolmentStatus = pgEnum('learning_path_enrolment_status', ['assigned', 'unassigned']);
/** Why someone is assigned: a rule (kept in line with the rules), or a certificate's recertification (kept until renewed). */
export const learningPathAssignmentSource = pgEnum('learning_path_assignment_source', ['rule', 'recertification']);

/** An ordered list of courses and required reading. Only published paths reach learners; due_days is counted from each person's assignment. */
export const learningPaths = pgTable(
  'learning_paths',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    status: learningPathStatus('status').notNull().default('draft'),
    /** Days a learner has from being assigned; null for no due date. */
    dueDays: integer('due_days'),
    createdById: uuid('created_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('learning_paths_status_title_idx').on(t.status, t.title)],
);

/**
 * One step of a path: a course or a library asset to read, in position order. requires_previous locks the step
 * until every earlier step is complete.
 */
export const learningPathSteps = pgTable(
  'learning_path_steps',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    pathId: uuid('path_id')
      .notNull()
      .references(() => learningPaths.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    kind: learningPathStepKind('kind').notNull(),
    courseId: uuid('course_id').references(() => courses.id, { onDelete: 'cascade' }),
    assetId: uuid('asset_id').references(() => assets.id, { onDelete: 'cascade' }),
    requiresPrevious: boolean('requires_previous').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('learning_path_steps_path_position_idx').on(t.pathId, t.position),
    check('learning_path_steps_target_check', sql`(${t.kind} = 'course' and ${t.courseId} is not null and ${t.assetId} is null) or (${t.kind} = 'asset' and ${t.assetId} is not null and ${t.courseId} is null)`),
  ],
);

/**
 * Who a path is for. A person matches a rule when their organisation and role are in every non-empty list
 * (empty = any); matched at query time, so people who match later (new users, an organisation changing tier)
 * are assigned without a job.
 */
export const learningPathRules = pgTable(
  'learning_path_rules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    pathId: uuid('path_id')
      .notNull()
      .references(() => learningPaths.id, { onDelete: 'cascade' }),
    partnerTypes: partnerType('partner_types').array().notNull().default([]),
    tierIds: uuid('tier_ids').array().notNull().default([]),
    regions: text('regions').array().notNull().default([]),
    organisationIds: uuid('organisation_ids').array().notNull().default([]),
    roles: userRole('roles').array().notNull().default([]),
    createdById: uuid('created_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('learning_path_rules_path_idx').on(t.pathId)],
);

/**
 * A person's assignment to a path, written the first time they are found matching, so their due date stays put.
 * When no rule matches them any more the row turns 'unassigned' and stays (with all course progress, which lives
 * in attempts); matching again turns it back. completed_at is set once, when the path is first seen complete.
 * A recertification assignment is not the rules' to remove: it stays until the holder renews.
 */
export const learningPathEnrolments = pgTable(
  'learning_path_enrolments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    pathId: uuid('path_id')
      .notNull()
      .references(() => learningPaths.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    status: learningPathEnrolmentStatus('status').notNull().default('assigned'),
    assignedAt: timestamp('assigned_at', { withTimezone: true }).notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }),
    unassignedAt: timestamp('unassigned_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    lastRemindedAt: timestamp('last_reminded_at', { withTimezone: true }),
    source: learningPathAssignmentSource('source').notNull().default('rule'),
    /**
     * Only completions at or after this count towards the path (null: any). Set for a recertification, so courses
     * done for the previous certificate do not finish the path again.
     */
    progressFrom: timestamp('progress_from', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('learning_path_enrolments_path_user_key').on(t.pathId, t.userId),
    index('learning_path_enrolments_user_idx').on(t.userId),
    index('learning_path_enrolments_due_idx').on(t.dueAt),
  ],
);

export type LearningPathRow = typeof learningPaths.$inferSelect;
export type LearningPathStepRow = typeof learningPathSteps.$inferSelect;
export type LearningPathRuleRow = typeof learningPathRules.$inferSelect;
export type LearningPathEnrolmentRow = typeof learningPathEnrolments.$inferSelect;
export type LearningPathStatus = (typeof learningPathStatus.enumValues)[number];
