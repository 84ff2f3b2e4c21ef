import { pgTable, pgEnum, uuid, bigserial, timestamp, index } from 'drizzle-orm/pg-core';
import { assets, assetVersions } from '../library/library.table.js';
import { organisations } from '../../server/organisations/organisations.table.js';
import { users } from '../../server/users/users.table.js';

export const assetEventKind = pgEnum('asset_event_kind', ['view', 'download', 'render']);

/** Every view, download and co-branded render of a library asset: who, which organisation, which version, when. */
export const assetEvents = pgTable(
  'asset_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: assetEventKind('kind').notNull(),
    assetId: uuid('asset_id')
      .notNull()
      .references(() => assets.id, { onDelete: 'cascade' }),
    assetVersionId: uuid('asset_version_id').references(() => assetVersions.id, { onDelete: 'set null' }),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('asset_events_asset_time_idx').on(t.assetId, t.occurredAt),
    // kind and user_id too: readiness counts an organisation's downloads and active people from the index alone.
    index('asset_events_organisation_time_idx').on(t.organisationId, t.occurredAt, t.kind, t.userId),
    // Covering: period totals (kinds, distinct people, organisations, assets) read the index, not 1 row per event.
    index('asset_events_time_idx').on(t.occurredAt, t.organisationId, t.kind, t.assetId, t.userId),
  ],
);

export type AssetEventRow = typeof assetEvents.$inferSelect;
export type AssetEventKind = (typeof assetEventKind.enumValues)[number];
