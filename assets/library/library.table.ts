import { pgTable, uuid, text, integer, bigint, timestamp, index, uniqueIndex, primaryKey } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { users } from '../../server/users/users.table.js';
import { partnerType } from '../../server/organisations/organisations.table.js';

/** What a piece of collateral is for people (not its file format, which each version records from its bytes). */
export const ASSET_CATEGORIES = ['presentation', 'brochure', 'datasheet', 'case_study', 'whitepaper', 'banner', 'logo', 'video', 'template', 'other'] as const;
export type AssetCategory = (typeof ASSET_CATEGORIES)[number];

/**
 * A library asset. Its file is the current version (asset_versions); older versions stay as history.
 * Visibility lists are empty for "every partner"; otherwise a partner user sees the asset only when their
 * organisation matches every non-empty list (the same rule as courses). Past expires_at, partners no longer
 * see it; enablement still does.
 */
export const assets = pgTable(
  'assets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    category: text('category').$type<AssetCategory>().notNull().default('other'),
    language: text('language').notNull().default('en'),
    /** Free tags as typed (trimmed, de-duplicated case-insensitively). Managed tags live in asset_managed_tags. */
    tags: text('tags').array().notNull().default([]),
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    visiblePartnerTypes: partnerType('visible_partner_types').array().notNull().default([]),
    visibleTierIds: uuid('visible_tier_ids').array().notNull().default([]),
    visibleRegions: text('visible_regions').array().notNull().default([]),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    /** Set once the first version is stored; an asset is never visible without one. */
    currentVersionId: uuid('current_version_id'),
    /** Kept here for "most downloaded" sorting without counting events per query; analytics hold the detail. */
    downloadCount: integer('download_count').notNull().default(0),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdById: uuid('created_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('assets_created_idx').on(t.createdAt), index('assets_category_idx').on(t.category)],
);

/** One uploaded file of an asset. Its bytes live in storage under storage_key and never change. */
export const assetVersions = pgTable(
  'asset_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    assetId: uuid('asset_id')
      .notNull()
      .references(() => assets.id, { onDelete: 'cascade' }),
    versionNumber: integer('version_number').notNull(),
    storageKey: text('storage_key').notNull(),
    /** WebP preview (first page of a PDF, the image itself, a rasterised SVG); null for plain downloads. */
    previewKey: text('preview_key'),
    originalFilename: text('original_filename').notNull(),
    /** AssetKind decided from the bytes: pdf, png, jpeg, webp, svg, pptx, docx, xlsx, mp4, zip, other. */
    format: text('format').notNull(),
    mimeType: text('mime_type').notNull(),
    byteSize: bigint('byte_size', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    /** PDF page count, or null. */
    pageCount: integer('page_count'),
    /** Pixel size of images, or of the PDF's first page in points; null for plain downloads. */
    width: integer('width'),
    height: integer('height'),
    /** Text found inside the file (PDF text layer), capped; feeds search. */
    extractedText: text('extracted_text').notNull().default(''),
    /** Why a PDF cannot be co-branded (encrypted...), or null when it can. */
    cobrandBlocker: text('cobrand_blocker'),
    uploadedById: uuid('uploaded_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('asset_versions_asset_number_key').on(t.assetId, t.versionNumber)],
);

/** A managed tag group (product line, solution, industry, funnel stage) and its allowed values. */
export const tagGroups = pgTable('tag_groups', {
  id: uuid('id').primaryKey().defaultRandom(),
  key: text('key').notNull().unique(),
  name: text('name').notNull(),
  position: integer('position').notNull().default(0),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const managedTags = pgTable(
  'managed_tags',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    groupId: uuid('group_id')
      .notNull()
      .references(() => tagGroups.id, { onDelete: 'cascade' }),
    label: text('label').notNull(),
    position: integer('position').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('managed_tags_group_label_key').on(t.groupId, sql`lower(${t.label})`)],
);

export const assetManagedTags = pgTable(
  'asset_managed_tags',
  {
    assetId: uuid('asset_id')
      .notNull()
      .references(() => assets.id, { onDelete: 'cascade' }),
    tagId: uuid('tag_id')
      .notNull()
      .references(() => managedTags.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.assetId, t.tagId] }), index('asset_managed_tags_tag_idx').on(t.tagId)],
);

export type AssetRow = typeof assets.$inferSelect;
export type NewAssetRow = typeof assets.$inferInsert;
export type AssetVersionRow = typeof assetVersions.$inferSelect;
export type NewAssetVersionRow = typeof assetVersions.$inferInsert;
export type TagGroupRow = typeof tagGroups.$inferSelect;
export type ManagedTagRow = typeof managedTags.$inferSelect;
