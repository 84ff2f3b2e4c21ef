import { sql } from 'drizzle-orm';
import { pgTable, pgEnum, uuid, text, integer, timestamp, jsonb, index, uniqueIndex, unique, check } from 'drizzle-orm/pg-core';
import { courses } from '../catalogue/courses.table.js';
import { learningPaths } from '../paths/paths.table.js';
import { users, userRole } from '../../server/users/users.table.js';
import { organisations, partnerTiers } from '../../server/organisations/organisations.table.js';

export const certificationRequirementKind = pgEnum('certification_requirement_kind', ['course', 'exam', 'path']);

/**
 * What a partner can be certified in. Editing it changes what later earnings need; certificates already issued
 * keep the requirements they were earned under (certificates.requirements), so an edit never revokes anyone.
 */
export const certifications = pgTable(
  'certifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    validityMonths: integer('validity_months').notNull(),
    /** Days before expiry in which the holder is reminded and a new earning renews the certification. */
    recertWindowDays: integer('recert_window_days').notNull().default(60),
    /**
     * The path holders are assigned when their recertification window opens; when set, completing it (after the
     * window opened) is what renews the certification. Null: renewing means meeting the requirements again.
     */
    recertPathId: uuid('recert_path_id').references(() => learningPaths.id, { onDelete: 'set null' }),
    /** Grows on every change of the requirements; certificates record the revision they were earned under. */
    requirementsRevision: integer('requirements_revision').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('certifications_name_key').on(t.name),
    check('certifications_validity_check', sql`${t.validityMonths} between 1 and 120`),
    check('certifications_recert_window_check', sql`${t.recertWindowDays} between 0 and 365`),
  ],
);

/**
 * One requirement of a certification: a course to complete (not failed), the exam course whose score must reach
 * passing_score (0–100), or a learning path to complete (path_id).
 */
export const certificationRequirements = pgTable(
  'certification_requirements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    certificationId: uuid('certification_id')
      .notNull()
      .references(() => certifications.id, { onDelete: 'cascade' }),
    kind: certificationRequirementKind('kind').notNull(),
    courseId: uuid('course_id').references(() => courses.id, { onDelete: 'restrict' }),
    pathId: uuid('path_id').references(() => learningPaths.id, { onDelete: 'restrict' }),
    passingScore: integer('passing_score'),
    position: integer('position').notNull().default(0),
  },
  (t) => [
    // The completion hook looks certifications up by the course just completed.
    index('certification_requirements_course_idx').on(t.courseId),
    index('certification_requirements_certification_idx').on(t.certificationId),
    check('certification_requirements_target_check', sql`(${t.kind} = 'path') = (${t.pathId} is not null) and (${t.kind} = 'path') = (${t.courseId} is null)`),
    check('certification_requirements_score_check', sql`(${t.kind} = 'exam') = (${t.passingScore} is not null) and (${t.passingScore} is null or ${t.passingScore} between 0 and 100)`),
  ],
);

/**
 * An issued certificate. id is its public id (128 random bits, base64url): the verification URL and the PDF name,
 * unguessable so the verification page cannot be walked. One row per earning: (certification, user, cycle) is
 * unique, so concurrent evaluations of the same completion insert once. Name and requirements are snapshotted.
 */
export const certificates = pgTable(
  'certificates',
  {
    id: text('id').primaryKey(),
    certificationId: uuid('certification_id')
      .notNull()
      .references(() => certifications.id, { onDelete: 'restrict' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The holder's organisation when the certificate was issued. */
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    cycle: integer('cycle').notNull(),
    certificationName: text('certification_name').notNull(),
    requirementsRevision: integer('requirements_revision').notNull(),
    requirements: jsonb('requirements').notNull(),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokeReason: text('revoke_reason'),
    revokedById: uuid('revoked_by_id').references(() => users.id, { onDelete: 'set null' }),
    /** When the holder was reminded to recertify (once per certificate). */
    recertRemindedAt: timestamp('recert_reminded_at', { withTimezone: true }),
    /** The recertification path the holder was assigned for this certificate's renewal (when the window opened). */
    recertPathId: uuid('recert_path_id').references(() => learningPaths.id, { onDelete: 'set null' }),
  },
  (t) => [
    uniqueIndex('certificates_earning_key').on(t.certificationId, t.userId, t.cycle),
    index('certificates_user_idx').on(t.userId),
    index('certificates_organisation_idx').on(t.organisationId, t.certificationId),
    index('certificates_expires_idx').on(t.expiresAt),
    // Readiness: an organisation's certificates expiring in a window, one range per organisation.
    index('certificates_organisation_expires_idx').on(t.organisationId, t.expiresAt),
    check('certificates_revocation_check', sql`(${t.revokedAt} is null) = (${t.revokeReason} is null)`),
  ],
);

/** How many certified people a partner of a tier needs per certification (optionally of one role): gold needs 5 certified reps. */
export const tierCertificationRequirements = pgTable(
  'tier_certification_requirements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tierId: uuid('tier_id')
      .notNull()
      .references(() => partnerTiers.id, { onDelete: 'cascade' }),
    certificationId: uuid('certification_id')
      .notNull()
      .references(() => certifications.id, { onDelete: 'cascade' }),
    /** Null: anyone at the organisation counts. */
    role: userRole('role'),
    requiredCount: integer('required_count').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('tier_certification_requirements_key').on(t.tierId, t.certificationId, t.role).nullsNotDistinct(),
    check('tier_certification_requirements_count_check', sql`${t.requiredCount} between 1 and 10000`),
  ],
);

export type CertificationRow = typeof certifications.$inferSelect;
export type CertificationRequirementRow = typeof certificationRequirements.$inferSelect;
export type CertificateRow = typeof certificates.$inferSelect;
export type TierCertificationRequirementRow = typeof tierCertificationRequirements.$inferSelect;
export type RequirementKind = (typeof certificationRequirementKind.enumValues)[number];
