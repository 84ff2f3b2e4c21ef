import { pgTable, pgEnum, bigserial, uuid, integer, text, timestamp, index } from 'drizzle-orm/pg-core';

export const searchDocumentKind = pgEnum('search_document_kind', ['asset', 'course']);

/**
 * Index changes waiting to be applied to the search engine. Written in the same transaction as the change
 * itself, so the index can never miss one; the sync worker applies and deletes rows, and retries later on failure.
 * A row says only "this item changed": the worker reloads the item, so replaying a row is always safe.
 */
export const searchOutbox = pgTable(
  'search_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    documentKind: searchDocumentKind('document_kind').notNull(),
    entityId: uuid('entity_id').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    availableAt: timestamp('available_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('search_outbox_available_idx').on(t.availableAt, t.id)],
);

export type SearchOutboxRow = typeof searchOutbox.$inferSelect;
export type SearchDocumentKind = (typeof searchDocumentKind.enumValues)[number];
