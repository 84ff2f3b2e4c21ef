import { and, arrayContains, arrayOverlaps, asc, desc, eq, gt, inArray, isNull, ne, or, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Executor } from '../../server/db/database.js';
import { users } from '../../server/users/users.table.js';
import { organisations } from '../../server/organisations/organisations.table.js';
import type { PartnerType } from '../../server/organisations/organisations.table.js';
import {
  assetManagedTags,
  assets,
  assetVersions,
  managedTags,
  tagGroups,
  type AssetRow,
  type AssetVersionRow,
  type NewAssetRow,
  type NewAssetVersionRow,
} from './library.table.js';

/**
 * Who is looking, as the visibility rule reads it: the enablement team sees every asset (archived and expired
 * included); other vendor staff every live one; a partner user the live ones whose lists match their organisation.
 */
export type LibraryViewer =
  | { kind: 'manager' }
  | { kind: 'vendor' }
  | { kind: 'partner'; partnerType: PartnerType | null; tierId: string | null; region: string | null };

/** Every non-empty list must contain the organisation's value; a missing value (null) matches no list. */
function listMatches(column: PgColumn, value: string | null): SQL {
  return or(sql`cardinality(${column}) = 0`, value === null ? sql`false` : arrayContains(column, [value]))!;
}

/** The WHERE part that limits assets to what the viewer may see at `now`. */
export function visibleTo(viewer: LibraryViewer, now: Date): SQL | undefined {
  const hasVersion = sql`${assets.currentVersionId} is not null`;
  if (viewer.kind === 'manager') return hasVersion;
  const live = and(hasVersion, isNull(assets.archivedAt), or(isNull(assets.expiresAt), gt(assets.expiresAt, now)));
  if (viewer.kind === 'vendor') return live;
  return and(
    live,
    listMatches(assets.visiblePartnerTypes, viewer.partnerType),
    listMatches(assets.visibleTierIds, viewer.tierId),
    listMatches(assets.visibleRegions, viewer.region),
  );
}

export async function findOrganisationAudience(db: Executor, organisationId: string) {
  const [row] = await db
    .select({ partnerType: organisations.partnerType, tierId: organisations.tierId, region: organisations.region })
    .from(organisations)
    .where(eq(organisations.id, organisationId));
  return row ?? null;
}

/* ---------- assets and versions ---------- */

export async function insertAsset(db: Executor, values: NewAssetRow): Promise<AssetRow> {
  const [row] = await db.insert(assets).values(values).returning();
  return row!;
}

export async function updateAsset(db: Executor, id: string, values: Partial<NewAssetRow>): Promise<AssetRow | null> {
  const [row] = await db.update(assets).set(values).where(eq(assets.id, id)).returning();
  return row ?? null;
}

export async function findAsset(db: Executor, id: string, options: { forUpdate?: boolean } = {}): Promise<AssetRow | null> {
  const query = db.select().from(assets).where(eq(assets.id, id));
  const [row] = options.forUpdate ? await query.for('update') : await query;
  return row ?? null;
}

/** The asset and its current version, when the viewer may see it. */
export async function findVisibleAsset(db: Executor, viewer: LibraryViewer, id: string, now: Date): Promise<{ asset: AssetRow; version: AssetVersionRow } | null> {
  const [row] = await db
    .select({ asset: assets, version: assetVersions })
    .from(assets)
    .innerJoin(assetVersions, eq(assetVersions.id, assets.currentVersionId))
    .where(and(eq(assets.id, id), visibleTo(viewer, now)));
  return row ?? null;
}

export async function insertVersion(db: Executor, values: NewAssetVersionRow): Promise<AssetVersionRow> {
  const [row] = await db.insert(assetVersions).values(values).returning();
  return row!;
}

export async function nextVersionNumber(db: Executor, assetId: string): Promise<number> {
  const [row] = await db
    .select({ next: sql<number>`coalesce(max(${assetVersions.versionNumber}), 0)::int + 1` })
    .from(assetVersions)
    .where(eq(assetVersions.assetId, assetId));
  return row!.next;
}

export async function findVersion(db: Executor, assetId: string, versionId: string): Promise<AssetVersionRow | null> {
  const [row] = await db.select().from(assetVersions).where(and(eq(assetVersions.assetId, assetId), eq(assetVersions.id, versionId)));
  return row ?? null;
}

/** Newest first, with who uploaded each. */
export async function listVersions(db: Executor, assetId: string) {
  return db
    .select({ version: assetVersions, uploadedByName: users.name })
    .from(assetVersions)
    .leftJoin(users, eq(users.id, assetVersions.uploadedById))
    .where(eq(assetVersions.assetId, assetId))
    .orderBy(desc(assetVersions.versionNumber));
}

export async function incrementDownloadCount(db: Executor, assetId: string): Promise<void> {
  await db
    .update(assets)
    .set({ downloadCount: sql`${assets.downloadCount} + 1` })
    .where(eq(assets.id, assetId));
}

/** Grid cards for search hits: only ids the viewer may see come back (the index may lag behind the database). */
export async function listVisibleAssetsByIds(db: Executor, viewer: LibraryViewer, ids: readonly string[], now: Date) {
  if (ids.length === 0) return [];
  return db
    .select({ asset: assets, version: assetVersions })
    .from(assets)
    .innerJoin(assetVersions, eq(assetVersions.id, assets.currentVersionId))
    .where(and(inArray(assets.id, [...ids]), visibleTo(viewer, now)));
}

/** Other visible assets sharing a managed tag, a free tag or the category; the closest first. */
export async function listRelatedAssets(db: Executor, viewer: LibraryViewer, asset: AssetRow, managedTagIds: readonly string[], now: Date, limit: number) {
  const sharedManaged = managedTagIds.length
    ? sql<number>`(select count(*) from ${assetManagedTags} amt where amt.asset_id = ${assets.id} and amt.tag_id in (${sql.join(
        managedTagIds.map((id) => sql`${id}::uuid`),
        sql`, `,
      )}))::int`
    : sql<number>`0`;
  const sharedTags = asset.tags.length ? sql<number>`cardinality(array(select unnest(${assets.tags}) intersect select unnest(${sql.param(asset.tags)}::text[])))` : sql<number>`0`;
  const sameCategory = sql<number>`(case when ${assets.category} = ${asset.category} then 1 else 0 end)`;
  const score = sql<number>`(${sharedManaged} * 4 + ${sharedTags} * 2 + ${sameCategory})`;
  return db
    .select({ asset: assets, version: assetVersions })
    .from(assets)
    .innerJoin(assetVersions, eq(assetVersions.id, assets.currentVersionId))
    .where(
      and(
        ne(assets.id, asset.id),
        visibleTo(viewer, now),
        or(
          eq(assets.category, asset.category),
          asset.tags.length ? arrayOverlaps(assets.tags, asset.tags) : undefined,
          managedTagIds.length ? sql`exists (select 1 from ${assetManagedTags} amt where amt.asset_id = ${assets.id} and amt.tag_id in (${sql.join(managedTagIds.map((id) => sql`${id}::uuid`), sql`, `)}))` : undefined,
        ),
      ),
    )
    .orderBy(desc(score), desc(assets.createdAt))
    .limit(limit);
}

/* ---------- managed tags ---------- */

export async function setAssetManagedTags(db: Executor, assetId: string, tagIds: readonly string[]): Promise<void> {
  await db.delete(assetManagedTags).where(eq(assetManagedTags.assetId, assetId));
  if (tagIds.length) await db.insert(assetManagedTags).values(tagIds.map((tagId) => ({ assetId, tagId })));
}

export async function countManagedTags(db: Executor, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(managedTags).where(inArray(managedTags.id, [...ids]));
  return row!.n;
}

/** The asset's managed tags with their group names, in group then tag order. */
export async function listAssetManagedTags(db: Executor, assetId: string) {
  return db
    .select({ id: managedTags.id, label: managedTags.label, groupKey: tagGroups.key, groupName: tagGroups.name })
    .from(assetManagedTags)
    .innerJoin(managedTags, eq(managedTags.id, assetManagedTags.tagId))
    .innerJoin(tagGroups, eq(tagGroups.id, managedTags.groupId))
    .where(eq(assetManagedTags.assetId, assetId))
    .orderBy(asc(tagGroups.position), asc(tagGroups.name), asc(managedTags.position), asc(managedTags.label));
}

/** Every group with its tags (groups without tags included), in display order. */
export async function listTagGroups(db: Executor) {
  const rows = await db
    .select({ group: tagGroups, tag: managedTags })
    .from(tagGroups)
    .leftJoin(managedTags, eq(managedTags.groupId, tagGroups.id))
    .orderBy(asc(tagGroups.position), asc(tagGroups.name), asc(managedTags.position), asc(managedTags.label));
  const groups = new Map<string, { id: string; key: string; name: string; tags: { id: string; label: string }[] }>();
  for (const { group, tag } of rows) {
    const entry = groups.get(group.id) ?? { id: group.id, key: group.key, name: group.name, tags: [] };
    groups.set(group.id, entry);
    if (tag) entry.tags.push({ id: tag.id, label: tag.label });
  }
  return [...groups.values()];
}

export async function findTagGroupByKey(db: Executor, key: string) {
  const [row] = await db.select().from(tagGroups).where(eq(tagGroups.key, key));
  return row ?? null;
}

export async function insertTagGroup(db: Executor, values: { key: string; name: string; position: number }) {
  const [row] = await db.insert(tagGroups).values(values).returning();
  return row!;
}

export async function findTagGroup(db: Executor, id: string) {
  const [row] = await db.select().from(tagGroups).where(eq(tagGroups.id, id));
  return row ?? null;
}

export async function findManagedTagByLabel(db: Executor, groupId: string, label: string) {
  const [row] = await db
    .select()
    .from(managedTags)
    .where(and(eq(managedTags.groupId, groupId), sql`lower(${managedTags.label}) = lower(${label})`));
  return row ?? null;
}

export async function insertManagedTag(db: Executor, values: { groupId: string; label: string; position: number }) {
  const [row] = await db.insert(managedTags).values(values).returning();
  return row!;
}

export async function renameManagedTag(db: Executor, groupId: string, tagId: string, label: string) {
  const [row] = await db.update(managedTags).set({ label }).where(and(eq(managedTags.id, tagId), eq(managedTags.groupId, groupId))).returning();
  return row ?? null;
}

/** Deletes the tag; returns the assets that carried it (their search documents change). */
export async function deleteManagedTag(db: Executor, groupId: string, tagId: string): Promise<string[]> {
  const carriers = await db.select({ assetId: assetManagedTags.assetId }).from(assetManagedTags).where(eq(assetManagedTags.tagId, tagId));
  await db.delete(managedTags).where(and(eq(managedTags.id, tagId), eq(managedTags.groupId, groupId)));
  return carriers.map((c) => c.assetId);
}

export async function listAssetsWithManagedTag(db: Executor, tagId: string): Promise<string[]> {
  const rows = await db.select({ assetId: assetManagedTags.assetId }).from(assetManagedTags).where(eq(assetManagedTags.tagId, tagId));
  return rows.map((r) => r.assetId);
}

/* ---------- people ---------- */

/** Who can own an asset: active vendor staff, by name. */
export async function listVendorStaff(db: Executor) {
  return db
    .select({ id: users.id, name: users.name })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(and(eq(organisations.kind, 'vendor'), eq(users.status, 'active')))
    .orderBy(asc(users.name));
}

export async function findUserName(db: Executor, id: string): Promise<string | null> {
  const [row] = await db.select({ name: users.name }).from(users).where(eq(users.id, id));
  return row?.name ?? null;
}
