import { pgTable, uuid, text, integer, boolean, timestamp, jsonb, doublePrecision, bigint, index, uniqueIndex, pgEnum } from 'drizzle-orm/pg-core';
import { courses } from '../catalogue/courses.table.js';
import { users } from '../../server/users/users.table.js';

export const scormStandard = pgEnum('scorm_standard', ['scorm12', 'scorm2004']);

/**
 * One uploaded package of a course. Its files live in storage under storage_prefix
 * ("courses/<course id>/<version id>/"), which never changes, so a CDN may cache them forever.
 */
export const courseVersions = pgTable(
  'course_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    versionNumber: integer('version_number').notNull(),
    standard: scormStandard('standard').notNull(),
    /** 2004 edition (2, 3, 4), null for 1.2 or unknown. */
    edition: integer('edition'),
    schemaVersion: text('schema_version'),
    storagePrefix: text('storage_prefix').notNull(),
    originalFilename: text('original_filename').notNull(),
    fileCount: integer('file_count').notNull(),
    totalBytes: bigint('total_bytes', { mode: 'number' }).notNull(),
    /** The parsed manifest (organisation tree, resources, sequencing XML) as the runtime needs it. */
    manifest: jsonb('manifest').notNull(),
    warnings: jsonb('warnings').$type<string[]>().notNull().default([]),
    uploadedById: uuid('uploaded_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('course_versions_course_number_key').on(t.courseId, t.versionNumber)],
);

/**
 * The item tree of a version, flattened in document order. Items without a launch href are chapters.
 * Tracking rows point here, so per-SCO status and roll-up are joins, not JSON walks.
 */
export const courseItems = pgTable(
  'course_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    versionId: uuid('version_id')
      .notNull()
      .references(() => courseVersions.id, { onDelete: 'cascade' }),
    identifier: text('identifier').notNull(),
    parentIdentifier: text('parent_identifier'),
    position: integer('position').notNull(),
    depth: integer('depth').notNull(),
    title: text('title').notNull(),
    isVisible: boolean('is_visible').notNull().default(true),
    scormType: text('scorm_type'),
    /** Package-relative URL to launch (path + query + fragment), null for a chapter. */
    launchHref: text('launch_href'),
    masteryScore: doublePrecision('mastery_score'),
    maxTimeAllowed: text('max_time_allowed'),
    timeLimitAction: text('time_limit_action'),
    dataFromLms: text('data_from_lms'),
    completionThreshold: doublePrecision('completion_threshold'),
    minNormalizedMeasure: doublePrecision('min_normalized_measure'),
    satisfiedByMeasure: boolean('satisfied_by_measure').notNull().default(false),
  },
  (t) => [uniqueIndex('course_items_version_identifier_key').on(t.versionId, t.identifier), index('course_items_version_position_idx').on(t.versionId, t.position)],
);

export type CourseVersionRow = typeof courseVersions.$inferSelect;
export type CourseItemRow = typeof courseItems.$inferSelect;
