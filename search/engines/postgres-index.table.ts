import { pgTable, customType, text, boolean, integer, timestamp, uuid, index } from 'drizzle-orm/pg-core';
import { searchDocumentKind } from '../sync/outbox.table.js';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/**
 * The embedded engine's index: one row per searchable item, in the app's own database.
 * `document` holds weighted lexemes (A title, B tags and managed tags, C description, D body), built with the
 * 'simple' configuration: no stemming, so prefixes typed so far always match and every language is treated alike.
 * The dictionary's trigram index needs pg_trgm: migration 0004 (hand-written) creates both.
 */
export const searchDocuments = pgTable(
  'search_documents',
  {
    id: text('id').primaryKey(),
    kind: searchDocumentKind('kind').notNull(),
    entityId: uuid('entity_id').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    tags: text('tags').array().notNull().default([]),
    managedTags: text('managed_tags').array().notNull().default([]),
    body: text('body').notNull().default(''),
    category: text('category').notNull(),
    format: text('format').notNull(),
    language: text('language').notNull(),
    visiblePartnerTypes: text('visible_partner_types').array().notNull().default([]),
    visibleTierIds: text('visible_tier_ids').array().notNull().default([]),
    visibleRegions: text('visible_regions').array().notNull().default([]),
    published: boolean('published').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    popularity: integer('popularity').notNull().default(0),
    document: tsvector('document').notNull(),
  },
  (t) => [
    index('search_documents_document_idx').using('gin', t.document),
    index('search_documents_created_idx').on(t.createdAt),
    index('search_documents_popularity_idx').on(t.popularity),
  ],
);

/** Every word the index has seen, for typo correction (trigram similarity). Never shown to anyone as such. */
export const searchWords = pgTable('search_words', {
  word: text('word').primaryKey(),
});

export type SearchDocumentRow = typeof searchDocuments.$inferSelect;
