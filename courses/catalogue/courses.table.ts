import { pgTable, uuid, text, integer, boolean, timestamp, index, uniqueIndex, pgEnum } from 'drizzle-orm/pg-core';
import { users, userRole } from '../../server/users/users.table.js';
import { organisations, partnerType } from '../../server/organisations/organisations.table.js';

export const courseStatus = pgEnum('course_status', ['draft', 'published', 'archived']);
export const enrolmentSource = pgEnum('enrolment_source', ['self', 'assigned']);

/**
 * A course in the catalogue. Its content is a SCORM package version (course_versions); current_version_id is
 * what new attempts launch. Visibility lists are empty for "everyone"; otherwise a partner user sees the course
 * only when their organisation matches every non-empty list.
 */
export const courses = pgTable(
  'courses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    coverImageKey: text('cover_image_key'),
    durationMinutes: integer('duration_minutes'),
    tags: text('tags').array().notNull().default([]),
    language: text('language').notNull().default('en'),
    status: courseStatus('status').notNull().default('draft'),
    visiblePartnerTypes: partnerType('visible_partner_types').array().notNull().default([]),
    visibleTierIds: uuid('visible_tier_ids').array().notNull().default([]),
    visibleRegions: text('visible_regions').array().notNull().default([]),
    allowNewAttemptAfterCompletion: boolean('allow_new_attempt_after_completion').notNull().default(true),
    currentVersionId: uuid('current_version_id'),
    createdById: uuid('created_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('courses_status_title_idx').on(t.status, t.title)],
);

/** Who takes a course: self-enrolled from the catalogue, or assigned by enablement. */
export const enrolments = pgTable(
  'enrolments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    source: enrolmentSource('source').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('enrolments_course_user_key').on(t.courseId, t.userId),
    index('enrolments_user_idx').on(t.userId),
    index('enrolments_organisation_course_idx').on(t.organisationId, t.courseId),
    // Programme dashboards: enrolments of a period (trend and course cohorts) read from the index alone.
    index('enrolments_created_idx').on(t.createdAt, t.organisationId, t.courseId, t.userId),
  ],
);

/** Enablement assigns a course to organisations, to roles, or to a role within one organisation. */
export const courseAssignments = pgTable(
  'course_assignments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id').references(() => organisations.id, { onDelete: 'cascade' }),
    role: userRole('role'),
    assignedById: uuid('assigned_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('course_assignments_course_idx').on(t.courseId)],
);

export type CourseRow = typeof courses.$inferSelect;
export type NewCourseRow = typeof courses.$inferInsert;
export type EnrolmentRow = typeof enrolments.$inferSelect;
