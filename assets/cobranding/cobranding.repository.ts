import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../server/db/database.js';
import { organisations, type OrganisationRow } from '../../server/organisations/organisations.table.js';
import { assets, assetVersions } from '../library/library.table.js';
import { assetEvents } from '../analytics/usage.table.js';
import { visibleTo, type LibraryViewer } from '../library/library.repository.js';
import { cobrandRenders, cobrandTemplates, type CobrandRenderRow, type CobrandTemplateRow } from './cobranding.table.js';
import type { PlacementTemplateInput } from './placement.schema.js';

export async function findTemplate(db: Executor, assetId: string): Promise<CobrandTemplateRow | null> {
  const rows = await db.select().from(cobrandTemplates).where(eq(cobrandTemplates.assetId, assetId)).limit(1);
  return rows[0] ?? null;
}

/** Creates the template (placement version 1) or replaces its placements with the next placement version. */
export async function saveTemplate(db: Executor, assetId: string, placements: PlacementTemplateInput, userId: string): Promise<CobrandTemplateRow> {
  const rows = await db
    .insert(cobrandTemplates)
    .values({ assetId, placements, updatedById: userId })
    .onConflictDoUpdate({
      target: cobrandTemplates.assetId,
      set: { placements, updatedById: userId, updatedAt: new Date(), placementVersion: sql`${cobrandTemplates.placementVersion} + 1` },
    })
    .returning();
  return rows[0]!;
}

export async function findOrganisationById(db: Executor, id: string): Promise<OrganisationRow | null> {
  const rows = await db.select().from(organisations).where(eq(organisations.id, id)).limit(1);
  return rows[0] ?? null;
}

/** Applies branding changes and moves the organisation to the next branding version, in one statement. */
export async function updateBrandingAndBumpVersion(db: Executor, id: string, values: Partial<OrganisationRow>): Promise<OrganisationRow | null> {
  const rows = await db
    .update(organisations)
    .set({ ...values, brandingVersion: sql`${organisations.brandingVersion} + 1`, updatedAt: new Date() })
    .where(eq(organisations.id, id))
    .returning();
  return rows[0] ?? null;
}

export interface RenderKey {
  assetVersionId: string;
  organisationId: string;
  brandingVersion: number;
  placementVersion: number;
}

export async function findRender(db: Executor, key: RenderKey): Promise<CobrandRenderRow | null> {
  const rows = await db
    .select()
    .from(cobrandRenders)
    .where(
      and(
        eq(cobrandRenders.assetVersionId, key.assetVersionId),
        eq(cobrandRenders.organisationId, key.organisationId),
        eq(cobrandRenders.brandingVersion, key.brandingVersion),
        eq(cobrandRenders.placementVersion, key.placementVersion),
      ),
    )
    .limit(1);
  return rows[0] ?? null;
}

/** Records a stored render; a concurrent insert of the same key wins and this one changes nothing (null). */
export async function insertRender(db: Executor, values: RenderKey & { storageKey: string; byteSize: number }): Promise<CobrandRenderRow | null> {
  const rows = await db.insert(cobrandRenders).values(values).onConflictDoNothing().returning();
  return rows[0] ?? null;
}

/** Deletes the organisation's renders; returns their storage keys, for the caller to delete after commit. */
export async function deleteRendersOfOrganisation(db: Executor, organisationId: string): Promise<string[]> {
  const rows = await db.delete(cobrandRenders).where(eq(cobrandRenders.organisationId, organisationId)).returning({ storageKey: cobrandRenders.storageKey });
  return rows.map((row) => row.storageKey);
}

/** Deletes the renders of every version of the asset; returns their storage keys. */
export async function deleteRendersOfAsset(db: Executor, assetId: string): Promise<string[]> {
  const versionIds = db.select({ id: assetVersions.id }).from(assetVersions).where(eq(assetVersions.assetId, assetId));
  const rows = await db.delete(cobrandRenders).where(inArray(cobrandRenders.assetVersionId, versionIds)).returning({ storageKey: cobrandRenders.storageKey });
  return rows.map((row) => row.storageKey);
}

/**
 * Everything a co-branded download needs in one round trip: the asset and its current version if the viewer may
 * see it, its template's placement version, and the stored render for the organisation's current branding (or null).
 */
export async function findDownloadState(db: Executor, viewer: LibraryViewer, assetId: string, organisation: Pick<OrganisationRow, 'id' | 'brandingVersion'>, now: Date) {
  const [row] = await db
    .select({ asset: assets, version: assetVersions, template: cobrandTemplates, render: cobrandRenders })
    .from(assets)
    .innerJoin(assetVersions, eq(assetVersions.id, assets.currentVersionId))
    .leftJoin(cobrandTemplates, eq(cobrandTemplates.assetId, assets.id))
    .leftJoin(
      cobrandRenders,
      and(
        eq(cobrandRenders.assetVersionId, assetVersions.id),
        eq(cobrandRenders.organisationId, organisation.id),
        eq(cobrandRenders.brandingVersion, organisation.brandingVersion),
        eq(cobrandRenders.placementVersion, cobrandTemplates.placementVersion),
      ),
    )
    .where(and(eq(assets.id, assetId), visibleTo(viewer, now)));
  return row ?? null;
}

/** Partner organisations by name, for vendor staff choosing whose branding to try. */
export async function listPartnerOrganisations(db: Executor, limit: number): Promise<{ id: string; name: string }[]> {
  return db.select({ id: organisations.id, name: organisations.name }).from(organisations).where(eq(organisations.kind, 'partner')).orderBy(organisations.name).limit(limit);
}

/**
 * A co-branded download: its event row and the asset's download count, in one statement (one round trip instead of
 * a four-statement transaction; downloads are the hot path). Same columns as the library's recordAssetEvent.
 */
export async function recordDownload(db: Executor, event: { assetId: string; assetVersionId: string; userId: string; organisationId: string; occurredAt: Date }): Promise<void> {
  const inserted = db.$with('inserted').as(
    db
      .insert(assetEvents)
      .values({ kind: 'download', ...event })
      .returning({ assetId: assetEvents.assetId }),
  );
  await db
    .with(inserted)
    .update(assets)
    .set({ downloadCount: sql`${assets.downloadCount} + 1` })
    .where(inArray(assets.id, db.select({ assetId: inserted.assetId }).from(inserted)));
}

export async function deleteRender(db: Executor, id: string): Promise<void> {
  await db.delete(cobrandRenders).where(eq(cobrandRenders.id, id));
}
