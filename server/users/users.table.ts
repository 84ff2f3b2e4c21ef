import { sql } from 'drizzle-orm';
import { pgTable, pgEnum, uuid, text, timestamp, index, uniqueIndex } from 'drizzle-orm/pg-core';
import { organisations } from '../organisations/organisations.table.js';

export const userRole = pgEnum('user_role', [
  'vendor_admin',
  'enablement_manager',
  'channel_manager',
  'partner_admin',
  'partner_rep',
  'partner_marketer',
]);
export const userStatus = pgEnum('user_status', ['active', 'disabled']);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'restrict' }),
    // Stored lower-cased; the unique index makes one account per address.
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: userRole('role').notNull(),
    status: userStatus('status').notNull().default('active'),
    passwordHash: text('password_hash'),
    lastSignInAt: timestamp('last_sign_in_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('users_email_key').on(t.email),
    index('users_organisation_name_idx').on(t.organisationId, t.name),
    // The few people who are not active: a leaderboard rank skips them by id instead of joining users for everyone ahead.
    index('users_not_active_idx').on(t.id).where(sql`${t.status} <> 'active'`),
  ],
);

export type UserRow = typeof users.$inferSelect;
export type NewUserRow = typeof users.$inferInsert;
export type UserRole = (typeof userRole.enumValues)[number];
export const USER_ROLES = userRole.enumValues;
