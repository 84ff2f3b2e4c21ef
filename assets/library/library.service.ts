import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { AppDeps } from '../../server/app-deps.js';
import type { Actor } from '../../server/tenancy/actor.js';
import { canPerform } from '../../server/tenancy/policy.js';
import { httpErrors } from '../../server/http/http.errors.js';
import { listTiers } from '../../server/organisations/organisations.repository.js';
import { enqueueSearchUpdates } from '../../search/sync/outbox.repository.js';
import * as repository from './library.repository.js';
import type { LibraryViewer } from './library.repository.js';
import { recordAssetEvent } from './usage-events.repository.js';
import { inspectAssetFile, type InspectedFile } from './asset-file.js';
import { libraryErrors } from './library.errors.js';
import type { AssetFieldsInput, UploadFieldsInput } from './library.schema.js';
import type { AssetRow, AssetVersionRow } from './library.table.js';

export interface UploadedFile {
  path: string;
  originalName: string;
}

/** Where a version's objects live; the prefix holds only that version's original and preview. */
const versionPrefix = (assetId: string, versionId: string) => `library/${assetId}/${versionId}/`;

/** "Q3 brochure.final.pdf" → "Q3 brochure.final": the bulk page's default title. */
export function titleFromFileName(name: string): string {
  const base = path.basename(name.replace(/\\/g, '/'));
  const dot = base.lastIndexOf('.');
  return (dot > 0 ? base.slice(0, dot) : base).trim().slice(0, 200) || 'Untitled';
}

/** "Café: Überblick!" → "cafe-uberblick": accents dropped, ASCII words joined by "-", at most 60 characters. */
export function fileSlug(title: string): string {
  const words = title.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().match(/[a-z0-9]+/g) ?? [];
  return words.join('-').slice(0, 60).replace(/-$/, '') || 'asset';
}

/** The extension a download gets: the detected type's, or for unrecognised files the uploaded name's when it is plain. */
function downloadExtension(version: AssetVersionRow): string {
  if (version.format !== 'other') return path.extname(version.storageKey).slice(1);
  const own = path.extname(version.originalFilename).slice(1).toLowerCase();
  return /^[a-z0-9]{1,8}$/.test(own) ? own : 'bin';
}

/**
 * The content library: uploads judged by their bytes, versions, metadata, managed tags, visibility and usage
 * events. Every change to an asset enqueues its search document in the same transaction.
 */
export function createLibraryService(deps: Pick<AppDeps, 'database' | 'storage' | 'renderPool' | 'clock' | 'logger'>) {
  const { db } = deps.database;

  const mayManage = (actor: Actor) => canPerform(actor, 'asset.manage');

  async function viewerOf(actor: Actor): Promise<LibraryViewer> {
    if (mayManage(actor)) return { kind: 'manager' };
    if (actor.organisationKind === 'vendor') return { kind: 'vendor' };
    const audience = await repository.findOrganisationAudience(db, actor.organisationId);
    return { kind: 'partner', partnerType: audience?.partnerType ?? null, tierId: audience?.tierId ?? null, region: audience?.region ?? null };
  }

  async function visibleAsset(actor: Actor, assetId: string) {
    const found = await repository.findVisibleAsset(db, await viewerOf(actor), assetId, deps.clock());
    if (!found) throw httpErrors.notFound('asset');
    return found;
  }

  function assertManager(actor: Actor) {
    if (!mayManage(actor)) throw httpErrors.forbidden();
  }

  async function checkReferences(fields: Pick<AssetFieldsInput, 'managedTagIds' | 'ownerId'>) {
    if ((await repository.countManagedTags(db, fields.managedTagIds)) !== fields.managedTagIds.length) throw libraryErrors.unknownManagedTags();
    if (fields.ownerId && !(await repository.listVendorStaff(db)).some((u) => u.id === fields.ownerId)) throw libraryErrors.unknownOwner();
  }

  /**
   * Stores a version's original (streamed from the temp file) and preview, then runs `record` with the new
   * version id; if anything fails, the objects are deleted again, so nothing is left half-stored.
   */
  async function storeVersion<T>(assetId: string, file: UploadedFile, inspected: InspectedFile, record: (versionId: string, storageKey: string, previewKey: string | null) => Promise<T>): Promise<T> {
    const versionId = randomUUID();
    const prefix = versionPrefix(assetId, versionId);
    const storageKey = `${prefix}original.${inspected.type.extension}`;
    const previewKey = inspected.preview ? `${prefix}preview.webp` : null;
    try {
      await deps.storage.put(storageKey, createReadStream(file.path), { contentType: inspected.type.mime });
      if (inspected.preview) await deps.storage.put(previewKey!, inspected.preview, { contentType: 'image/webp' });
      return await record(versionId, storageKey, previewKey);
    } catch (err) {
      await deps.storage.deletePrefix(prefix).catch((cleanupErr) => deps.logger.error({ err: cleanupErr, prefix }, 'could not delete the objects of a failed asset upload'));
      throw err;
    }
  }

  function versionRow(assetId: string, versionId: string, versionNumber: number, actor: Actor, file: UploadedFile, inspected: InspectedFile, storageKey: string, previewKey: string | null) {
    return {
      id: versionId,
      assetId,
      versionNumber,
      storageKey,
      previewKey,
      originalFilename: path.basename(file.originalName.replace(/\\/g, '/')).slice(0, 255) || 'upload',
      format: inspected.type.kind,
      mimeType: inspected.type.mime,
      byteSize: inspected.byteSize,
      sha256: inspected.sha256,
      pageCount: inspected.pageCount,
      width: inspected.width,
      height: inspected.height,
      extractedText: inspected.extractedText,
      cobrandBlocker: inspected.cobrandBlocker,
      uploadedById: actor.userId,
      createdAt: deps.clock(),
    };
  }

  /** Records a view or download by the actor (their organisation, the version they got). */
  async function recordEvent(tx: Parameters<typeof recordAssetEvent>[0], actor: Actor, kind: 'view' | 'download', assetId: string, versionId: string) {
    await recordAssetEvent(tx, { kind, assetId, assetVersionId: versionId, userId: actor.userId, organisationId: actor.organisationId, occurredAt: deps.clock() });
  }

  return {
    viewerOf,
    mayManage,
    mayReport: (actor: Actor) => canPerform(actor, 'asset.report'),
    /** The app's clock (tests move it), for badges such as "Expired". */
    now: () => deps.clock(),

    /** A new asset from an uploaded file; the title defaults to the file name. Returns the new asset's id. */
    async createAsset(actor: Actor, fields: UploadFieldsInput, file: UploadedFile): Promise<{ id: string }> {
      assertManager(actor);
      await checkReferences(fields);
      const inspected = await inspectAssetFile(file.path, deps.renderPool);
      const assetId = randomUUID();
      return storeVersion(assetId, file, inspected, (versionId, storageKey, previewKey) =>
        db.transaction(async (tx) => {
          const now = deps.clock();
          await repository.insertAsset(tx, {
            id: assetId,
            title: fields.title ?? titleFromFileName(file.originalName),
            description: fields.description,
            category: fields.category,
            language: fields.language,
            tags: fields.tags,
            ownerId: fields.ownerId ?? actor.userId,
            visiblePartnerTypes: fields.visiblePartnerTypes,
            visibleTierIds: fields.visibleTierIds,
            visibleRegions: fields.visibleRegions,
            expiresAt: fields.expiresAt,
            createdById: actor.userId,
            createdAt: now,
            updatedAt: now,
          });
          await repository.insertVersion(tx, versionRow(assetId, versionId, 1, actor, file, inspected, storageKey, previewKey));
          await repository.updateAsset(tx, assetId, { currentVersionId: versionId });
          await repository.setAssetManagedTags(tx, assetId, fields.managedTagIds);
          await enqueueSearchUpdates(tx, 'asset', [assetId]);
          return { id: assetId };
        }),
      );
    },

    /** A new file for an asset: it becomes the current version; earlier ones stay as history. */
    async addVersion(actor: Actor, assetId: string, file: UploadedFile | null): Promise<{ versionNumber: number }> {
      assertManager(actor);
      if (!(await repository.findAsset(db, assetId))) throw httpErrors.notFound('asset');
      if (!file) throw libraryErrors.uploadMissing();
      const inspected = await inspectAssetFile(file.path, deps.renderPool);
      return storeVersion(assetId, file, inspected, (versionId, storageKey, previewKey) =>
        db.transaction(async (tx) => {
          if (!(await repository.findAsset(tx, assetId, { forUpdate: true }))) throw httpErrors.notFound('asset');
          const versionNumber = await repository.nextVersionNumber(tx, assetId);
          await repository.insertVersion(tx, versionRow(assetId, versionId, versionNumber, actor, file, inspected, storageKey, previewKey));
          await repository.updateAsset(tx, assetId, { currentVersionId: versionId, updatedAt: deps.clock() });
          await enqueueSearchUpdates(tx, 'asset', [assetId]);
          return { versionNumber };
        }),
      );
    },

    async updateMetadata(actor: Actor, assetId: string, fields: AssetFieldsInput): Promise<void> {
      assertManager(actor);
      await checkReferences(fields);
      await db.transaction(async (tx) => {
        const updated = await repository.updateAsset(tx, assetId, {
          title: fields.title,
          description: fields.description,
          category: fields.category,
          language: fields.language,
          tags: fields.tags,
          ...(fields.ownerId ? { ownerId: fields.ownerId } : {}),
          visiblePartnerTypes: fields.visiblePartnerTypes,
          visibleTierIds: fields.visibleTierIds,
          visibleRegions: fields.visibleRegions,
          expiresAt: fields.expiresAt,
          updatedAt: deps.clock(),
        });
        if (!updated) throw httpErrors.notFound('asset');
        await repository.setAssetManagedTags(tx, assetId, fields.managedTagIds);
        await enqueueSearchUpdates(tx, 'asset', [assetId]);
      });
    },

    /** Archives (hidden from everyone but the enablement team) or restores an asset. */
    async setArchived(actor: Actor, assetId: string, archived: boolean): Promise<AssetRow> {
      assertManager(actor);
      return db.transaction(async (tx) => {
        const asset = await repository.findAsset(tx, assetId, { forUpdate: true });
        if (!asset) throw httpErrors.notFound('asset');
        const updated = await repository.updateAsset(tx, assetId, { archivedAt: archived ? (asset.archivedAt ?? deps.clock()) : null, updatedAt: deps.clock() });
        await enqueueSearchUpdates(tx, 'asset', [assetId]);
        return updated!;
      });
    },

    /** The edit form's asset (managers only) with its managed tag ids. */
    async getForEdit(actor: Actor, assetId: string) {
      assertManager(actor);
      const asset = await repository.findAsset(db, assetId);
      if (!asset) throw httpErrors.notFound('asset');
      const managedTags = await repository.listAssetManagedTags(db, assetId);
      return { asset, managedTagIds: managedTags.map((t) => t.id) };
    },

    /**
     * The detail page: the asset and current version (if the actor may see it), its managed tags, its history
     * (the enablement team only) and related assets the actor may see. Records a view.
     */
    async getAssetPage(actor: Actor, assetId: string) {
      const viewer = await viewerOf(actor);
      const now = deps.clock();
      const found = await repository.findVisibleAsset(db, viewer, assetId, now);
      if (!found) throw httpErrors.notFound('asset');
      const managedTags = await repository.listAssetManagedTags(db, assetId);
      const [versions, related, ownerName] = await Promise.all([
        viewer.kind === 'manager' ? repository.listVersions(db, assetId) : Promise.resolve([]),
        repository.listRelatedAssets(db, viewer, found.asset, managedTags.map((t) => t.id), now, 6),
        found.asset.ownerId ? repository.findUserName(db, found.asset.ownerId) : Promise.resolve(null),
      ]);
      await db.transaction((tx) => recordEvent(tx, actor, 'view', assetId, found.version.id));
      return { ...found, managedTags, versions, related, ownerName, now, mayManage: viewer.kind === 'manager' };
    },

    /**
     * Opens a version's file for download: the current one for anyone who may see the asset, earlier ones for
     * the enablement team only. Records the download and counts it.
     */
    async openDownload(actor: Actor, assetId: string, versionId?: string) {
      const { asset, version: current } = await visibleAsset(actor, assetId);
      let version = current;
      if (versionId && versionId !== current.id) {
        if (!mayManage(actor)) throw httpErrors.notFound('asset version');
        const older = await repository.findVersion(db, assetId, versionId);
        if (!older) throw httpErrors.notFound('asset version');
        version = older;
      }
      const stored = await deps.storage.get(version.storageKey);
      if (!stored) throw httpErrors.notFound('file');
      try {
        await db.transaction(async (tx) => {
          await recordEvent(tx, actor, 'download', assetId, version.id);
          await repository.incrementDownloadCount(tx, assetId);
          await enqueueSearchUpdates(tx, 'asset', [assetId]);
        });
      } catch (err) {
        stored.body.destroy();
        throw err;
      }
      const suffix = version.id === current.id ? '' : `-v${version.versionNumber}`;
      return { stored, version, fileName: `${fileSlug(asset.title)}${suffix}.${downloadExtension(version)}` };
    },

    /** A version's WebP preview, under the same visibility as its download (earlier versions: managers only). */
    async openPreview(actor: Actor, assetId: string, versionId: string) {
      const { version: current } = await visibleAsset(actor, assetId);
      const version = versionId === current.id ? current : mayManage(actor) ? await repository.findVersion(db, assetId, versionId) : null;
      if (!version?.previewKey) throw httpErrors.notFound('preview');
      const stored = await deps.storage.get(version.previewKey);
      if (!stored) throw httpErrors.notFound('preview');
      return stored;
    },

    /** Cards for search hits, in the hits' order, leaving out any the actor may no longer see. */
    async cardsFor(actor: Actor, assetIds: readonly string[]) {
      const rows = await repository.listVisibleAssetsByIds(db, await viewerOf(actor), assetIds, deps.clock());
      const byId = new Map(rows.map((r) => [r.asset.id, r]));
      return assetIds.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
    },

    /** What the upload and edit forms offer: managed tag groups, tiers and vendor staff as owners. */
    async formOptions() {
      const [tagGroups, tiers, staff] = await Promise.all([repository.listTagGroups(db), listTiers(db), repository.listVendorStaff(db)]);
      return { tagGroups, tiers, staff };
    },

    listTagGroups: () => repository.listTagGroups(db),

    async createTagGroup(actor: Actor, name: string) {
      assertManager(actor);
      const key = name
        .normalize('NFKD')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '_')
        .replace(/^_+|_+$/g, '') || `group_${randomUUID().slice(0, 8)}`;
      return db.transaction(async (tx) => {
        if (await repository.findTagGroupByKey(tx, key)) throw libraryErrors.tagGroupExists(name);
        const position = (await repository.listTagGroups(tx)).length;
        return repository.insertTagGroup(tx, { key, name, position });
      });
    },

    async addTag(actor: Actor, groupId: string, label: string) {
      assertManager(actor);
      return db.transaction(async (tx) => {
        const group = await repository.findTagGroup(tx, groupId);
        if (!group) throw httpErrors.notFound('tag group');
        if (await repository.findManagedTagByLabel(tx, groupId, label)) throw libraryErrors.tagExists(label);
        const position = (await repository.listTagGroups(tx)).find((g) => g.id === groupId)!.tags.length;
        return repository.insertManagedTag(tx, { groupId, label, position });
      });
    },

    async renameTag(actor: Actor, groupId: string, tagId: string, label: string) {
      assertManager(actor);
      await db.transaction(async (tx) => {
        const same = await repository.findManagedTagByLabel(tx, groupId, label);
        if (same && same.id !== tagId) throw libraryErrors.tagExists(label);
        if (!(await repository.renameManagedTag(tx, groupId, tagId, label))) throw httpErrors.notFound('tag');
        await enqueueSearchUpdates(tx, 'asset', await repository.listAssetsWithManagedTag(tx, tagId));
      });
    },

    /** Removes a tag from the group and from every asset carrying it; false when it was already gone. */
    async removeTag(actor: Actor, groupId: string, tagId: string): Promise<boolean> {
      assertManager(actor);
      return db.transaction(async (tx) => {
        if (!(await repository.listTagGroups(tx)).some((g) => g.id === groupId && g.tags.some((t) => t.id === tagId))) return false;
        await enqueueSearchUpdates(tx, 'asset', await repository.deleteManagedTag(tx, groupId, tagId));
        return true;
      });
    },
  };
}

export type LibraryService = ReturnType<typeof createLibraryService>;
