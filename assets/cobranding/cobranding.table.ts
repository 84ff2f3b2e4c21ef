import { pgTable, uuid, integer, bigint, text, jsonb, timestamp, index, uniqueIndex } from 'drizzle-orm/pg-core';
import { assets, assetVersions } from '../library/library.table.js';
import { organisations } from '../../server/organisations/organisations.table.js';
import { users } from '../../server/users/users.table.js';
import type { PlacementTemplateInput } from './placement.schema.js';

/**
 * Where partner branding goes on a co-brandable asset. One template per asset; it applies to every version
 * (a new upload keeps its placements). placement_version grows on every save, so renders made from older
 * placements are never served again.
 */
export const cobrandTemplates = pgTable('cobrand_templates', {
  assetId: uuid('asset_id')
    .primaryKey()
    .references(() => assets.id, { onDelete: 'cascade' }),
  placements: jsonb('placements').$type<PlacementTemplateInput>().notNull(),
  placementVersion: integer('placement_version').notNull().default(1),
  updatedById: uuid('updated_by_id').references(() => users.id, { onDelete: 'set null' }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * A stored co-branded file: the cache key is (asset version, organisation, branding version, placement version).
 * A repeat download with the same key is a plain file send.
 */
export const cobrandRenders = pgTable(
  'cobrand_renders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    assetVersionId: uuid('asset_version_id')
      .notNull()
      .references(() => assetVersions.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    brandingVersion: integer('branding_version').notNull(),
    placementVersion: integer('placement_version').notNull(),
    storageKey: text('storage_key').notNull(),
    byteSize: bigint('byte_size', { mode: 'number' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('cobrand_renders_key').on(t.assetVersionId, t.organisationId, t.brandingVersion, t.placementVersion),
    index('cobrand_renders_organisation_idx').on(t.organisationId),
  ],
);

export type CobrandTemplateRow = typeof cobrandTemplates.$inferSelect;
export type CobrandRenderRow = typeof cobrandRenders.$inferSelect;
