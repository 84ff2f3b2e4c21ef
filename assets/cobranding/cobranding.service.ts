import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import type { AppDeps } from '../../server/app-deps.js';
import type { Actor } from '../../server/tenancy/actor.js';
import { canPerform, canPerformOn } from '../../server/tenancy/policy.js';
import { httpErrors } from '../../server/http/http.errors.js';
import type { OrganisationRow } from '../../server/organisations/organisations.table.js';
import type { AssetKind } from '../files/asset-type.js';
import type { AssetRow, AssetVersionRow } from '../library/library.table.js';
import type { CobrandRenderRow } from './cobranding.table.js';
import { cobrandingErrors } from './cobranding.errors.js';
import { placementTemplateSchema, type Branding, type PlacementField, type PlacementTemplateInput } from './placement.schema.js';
import { normaliseLogo } from './logo-image.js';
import * as cobrandingRepository from './cobranding.repository.js';
import * as libraryRepository from '../library/library.repository.js';
import { recordAssetEvent } from '../library/usage-events.repository.js';
// GAMIFICATION hook (see download below).
import { awardOutcome } from '../../courses/gamification/gamification.service.js';
import { cobrandActionsFor } from './cobrand-actions.js';

/** Formats a template can be made for: the ones pdf-cobrand.ts and image-cobrand.ts draw on. */
export const COBRANDABLE_FORMATS = ['pdf', 'png', 'jpeg', 'webp'] as const;
type CobrandableFormat = (typeof COBRANDABLE_FORMATS)[number];
/** Width of editor and co-branded previews: sharp enough to place boxes, small enough to refresh quickly. */
export const PREVIEW_WIDTH = 900;

const MIME_TYPES: Readonly<Record<CobrandableFormat, string>> = { pdf: 'application/pdf', png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };
const EXTENSIONS: Readonly<Record<CobrandableFormat, string>> = { pdf: 'pdf', png: 'png', jpeg: 'jpg', webp: 'webp' };

/** A partner for the editor's live preview: accents, Cyrillic and a long address, so the worst case shows while placing. */
export const SAMPLE_PARTNER = {
  name: 'Société Générale Пример ООО',
  contact: { person: 'Zoë Ångström', email: 'zoe.angstrom@example.com', phone: '+44 20 7946 0958', website: 'https://partner.example.com' },
} as const;

let sampleLogo: Promise<Buffer> | undefined;
/** A two-colour sample logo drawn with sharp (no font needed), so placement shows how a real logo fits. */
function sampleLogoPng(): Promise<Buffer> {
  sampleLogo ??= sharp(
    Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="160"><rect width="400" height="160" rx="24" fill="#0b5cab"/>' +
        '<circle cx="80" cy="80" r="50" fill="#f4b400"/><rect x="160" y="50" width="200" height="22" rx="6" fill="#ffffff"/>' +
        '<rect x="160" y="90" width="140" height="22" rx="6" fill="#cfe3ff"/></svg>',
    ),
  )
    .png()
    .toBuffer();
  return sampleLogo;
}

export function isCobrandableFormat(format: string): format is CobrandableFormat {
  return (COBRANDABLE_FORMATS as readonly string[]).includes(format);
}

/** The reason a version cannot get a template, or null. */
export function cobrandBlockerOf(version: Pick<AssetVersionRow, 'format' | 'cobrandBlocker'>): string | null {
  if (version.cobrandBlocker) return version.cobrandBlocker;
  if (!isCobrandableFormat(version.format)) return `only PDF documents and PNG, JPEG or WebP images can be co-branded, and this file is ${version.format.toUpperCase()}.`;
  return null;
}

/** "Product brochure - Acme Corp.pdf": characters that file systems or headers refuse become spaces; the length is capped. */
export function downloadFilenameOf(title: string, organisationName: string, extension: string): string {
  const clean = (text: string, max: number) =>
    text
      .normalize('NFC')
      .replace(/[\u0000-\u001f\u007f<>:"/\\|?*]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/^\.+/, '')
      .slice(0, max)
      .trim();
  const base = [clean(title, 120) || 'Asset', clean(organisationName, 80)].filter(Boolean).join(' - ');
  return `${base}.${extension}`;
}

async function bufferOf(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

export interface PageSize {
  width: number;
  height: number;
}

export interface CobrandedFile {
  body: Readable;
  size: number;
  contentType: string;
  filename: string;
}

export function createCobrandingService(deps: Pick<AppDeps, 'database' | 'storage' | 'renderPool' | 'clock' | 'logger' | 'config'>) {
  const { db } = deps.database;
  const { storage, renderPool, logger } = deps;
  const tmpDir = path.join(deps.config.dataDir, 'tmp', 'cobrand');
  /** First downloads of the same render in this process share one render (two marketers clicking at once). */
  const inFlight = new Map<string, Promise<CobrandRenderRow>>();

  async function readObject(key: string): Promise<Buffer> {
    const object = await storage.get(key);
    if (!object) throw new Error(`storage object ${key} is missing`);
    return bufferOf(object.body);
  }

  /** Deletes stored objects after their rows are gone; a failure leaves an orphan file, never a served stale one. */
  async function deleteObjects(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      await storage.deletePrefix(key).catch((err: unknown) => logger.warn({ err, storageKey: key }, 'could not delete a co-branded render'));
    }
  }

  /** The library's visibility rule: the enablement team sees every asset, other vendor staff live ones, partners what matches them. */
  async function viewerOf(actor: Actor): Promise<libraryRepository.LibraryViewer> {
    if (canPerform(actor, 'asset.manage')) return { kind: 'manager' };
    if (actor.organisationKind === 'vendor') return { kind: 'vendor' };
    const audience = await libraryRepository.findOrganisationAudience(db, actor.organisationId);
    return { kind: 'partner', partnerType: audience?.partnerType ?? null, tierId: audience?.tierId ?? null, region: audience?.region ?? null };
  }

  async function loadAsset(actor: Actor, assetId: string) {
    const found = await libraryRepository.findVisibleAsset(db, await viewerOf(actor), assetId, deps.clock());
    if (!found) throw httpErrors.notFound('asset');
    return found;
  }

  /** The asset for template editing, refused when its current version cannot be co-branded. */
  async function loadForTemplate(actor: Actor, assetId: string) {
    if (!canPerform(actor, 'asset.manage')) throw httpErrors.forbidden();
    const found = await loadAsset(actor, assetId);
    const blocker = cobrandBlockerOf(found.version);
    if (blocker) throw cobrandingErrors.assetNotCobrandable(blocker);
    return found as { asset: AssetRow; version: AssetVersionRow & { format: CobrandableFormat } };
  }

  async function brandingOf(organisation: OrganisationRow): Promise<Branding> {
    const contact = {
      ...(organisation.contactName ? { person: organisation.contactName } : {}),
      ...(organisation.contactEmail ? { email: organisation.contactEmail } : {}),
      ...(organisation.contactPhone ? { phone: organisation.contactPhone } : {}),
      ...(organisation.website ? { website: organisation.website } : {}),
    };
    const logoPng = organisation.logoKey ? new Uint8Array(await readObject(organisation.logoKey)) : undefined;
    return { name: organisation.name, contact, ...(logoPng ? { logoPng } : {}), ...(organisation.website ? { qrUrl: organisation.website } : {}) };
  }

  async function sampleBranding(): Promise<Branding> {
    return { name: SAMPLE_PARTNER.name, contact: { ...SAMPLE_PARTNER.contact }, logoPng: new Uint8Array(await sampleLogoPng()), qrUrl: SAMPLE_PARTNER.contact.website };
  }

  function cobrand(format: CobrandableFormat, bytes: Uint8Array, placements: PlacementTemplateInput, branding: Branding): Promise<Uint8Array> {
    return format === 'pdf' ? renderPool.cobrandPdf(bytes, placements, branding) : renderPool.cobrandImage(bytes, placements, branding);
  }

  /** A WebP of one page of a PDF (or of an image), through the render pool; the bytes go via a temp file, as previews read paths. */
  async function previewOf(bytes: Uint8Array, kind: AssetKind, page: number): Promise<Buffer> {
    await mkdir(tmpDir, { recursive: true });
    const file = path.join(tmpDir, `${randomUUID()}.${kind}`);
    await writeFile(file, bytes);
    try {
      return await renderPool.preview({ path: file, kind }, { width: PREVIEW_WIDTH, page });
    } finally {
      await rm(file, { force: true });
    }
  }

  /** Page sizes in points (PDF crop boxes) or the image's pixel size, for the editor's coordinates. */
  async function pageSizesOf(version: AssetVersionRow & { format: CobrandableFormat }, bytes: Buffer): Promise<PageSize[]> {
    if (version.format !== 'pdf') {
      const { width = version.width ?? 0, height = version.height ?? 0, autoOrient } = await sharp(bytes, { limitInputPixels: false }).metadata().catch(() => {
        throw cobrandingErrors.assetNotCobrandable('the image cannot be decoded. Upload it again.');
      });
      return [{ width: autoOrient?.width ?? width, height: autoOrient?.height ?? height }];
    }
    try {
      const doc = await PDFDocument.load(bytes, { ignoreEncryption: false, updateMetadata: false });
      return doc.getPages().map((page) => {
        const box = page.getCropBox();
        return { width: Math.round(box.width * 100) / 100, height: Math.round(box.height * 100) / 100 };
      });
    } catch (err) {
      if (err instanceof Error && /encrypt/i.test(err.message)) throw cobrandingErrors.assetNotCobrandable('the PDF is encrypted or password-protected. Upload a copy saved without protection.');
      throw cobrandingErrors.assetNotCobrandable('the file cannot be read as a PDF. Export it again and upload the new copy.');
    }
  }

  function parsePlacements(input: unknown): PlacementField[] {
    const result = placementTemplateSchema.safeParse(input);
    if (!result.success) throw cobrandingErrors.templateInvalid(result.error.issues.map((issue) => `${issue.path.join('.') || 'template'} ${issue.message}`));
    return result.data;
  }

  /** Checks the template against the real file by rendering it with the sample partner: page numbers, bounds, encryption, corruption. */
  async function assertTemplateRenders(version: AssetVersionRow & { format: CobrandableFormat }, bytes: Buffer, placements: PlacementField[]): Promise<Uint8Array> {
    try {
      return await cobrand(version.format, bytes, placements, await sampleBranding());
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'cobranding.pdf_encrypted' || code === 'cobranding.pdf_corrupt' || code === 'cobranding.image_unsupported') {
        throw cobrandingErrors.assetNotCobrandable((err as Error).message);
      }
      throw err;
    }
  }

  /** The organisation whose branding a download uses: a partner's own; for the vendor side, the one chosen (a partner). */
  async function targetOrganisation(actor: Actor, organisationId: string | undefined): Promise<OrganisationRow> {
    if (actor.organisationKind === 'partner') {
      if (organisationId && organisationId !== actor.organisationId) throw httpErrors.notFound('organisation');
      const own = await cobrandingRepository.findOrganisationById(db, actor.organisationId);
      if (!own) throw httpErrors.notFound('organisation');
      return own;
    }
    if (!organisationId) throw cobrandingErrors.organisationRequired();
    const chosen = await cobrandingRepository.findOrganisationById(db, organisationId);
    if (!chosen || chosen.kind !== 'partner') throw httpErrors.notFound('organisation');
    return chosen;
  }

  /** Renders and stores a co-branded file once; the row tells where it is. */
  async function renderAndStore(actor: Actor, asset: AssetRow, version: AssetVersionRow & { format: CobrandableFormat }, organisation: OrganisationRow, key: cobrandingRepository.RenderKey, placements: PlacementTemplateInput): Promise<CobrandRenderRow> {
    const started = performance.now();
    const [bytes, branding] = await Promise.all([readObject(version.storageKey), brandingOf(organisation)]);
    const read = performance.now();
    const output = await cobrand(version.format, bytes, placements, branding);
    const rendered = performance.now();
    const storageKey = `cobrand/${organisation.id}/${version.id}/b${key.brandingVersion}-p${key.placementVersion}.${EXTENSIONS[version.format]}`;
    await storage.put(storageKey, Buffer.from(output.buffer, output.byteOffset, output.byteLength), { contentType: MIME_TYPES[version.format] });
    const stored = performance.now();
    const inserted = await cobrandingRepository.insertRender(db, { ...key, storageKey, byteSize: output.byteLength });
    if (!inserted) {
      // Another process stored the same render first; both wrote identical bytes to the same key, so its row serves.
      const existing = await cobrandingRepository.findRender(db, key);
      if (existing) return existing;
      throw new Error('co-branded render row vanished right after a conflicting insert');
    }
    await recordAssetEvent(db, { kind: 'render', assetId: asset.id, assetVersionId: version.id, userId: actor.userId, organisationId: organisation.id, occurredAt: deps.clock() });
    const ms = (from: number, to: number) => Math.round(to - from);
    logger.info(
      { assetId: asset.id, assetVersionId: version.id, organisationId: organisation.id, storageKey, bytes: output.byteLength, readMs: ms(started, read), renderMs: ms(read, rendered), storeMs: ms(rendered, stored), totalMs: ms(started, performance.now()) },
      'co-branded render stored',
    );
    return inserted;
  }

  /**
   * The stored co-branded file for (current version, organisation, branding version, placement version), rendering
   * it on first use. A cached download costs two queries: the organisation, then asset, template and render joined.
   */
  async function ensureRender(actor: Actor, assetId: string, organisationId: string | undefined) {
    if (actor.organisationKind === 'vendor' && !organisationId) {
      await loadAsset(actor, assetId);
      throw cobrandingErrors.organisationRequired();
    }
    const organisation = await targetOrganisation(actor, organisationId);
    // A partner downloads for its own organisation, so its row is the viewer's audience; no second lookup.
    const viewer: libraryRepository.LibraryViewer =
      actor.organisationKind === 'partner' ? { kind: 'partner', partnerType: organisation.partnerType, tierId: organisation.tierId, region: organisation.region } : await viewerOf(actor);
    const found = await cobrandingRepository.findDownloadState(db, viewer, assetId, organisation, deps.clock());
    if (!found) throw httpErrors.notFound('asset');
    const { asset, version, template } = found;
    if (!template || !isCobrandableFormat(version.format) || version.cobrandBlocker) throw cobrandingErrors.notCobranded();
    const cobrandable = version as AssetVersionRow & { format: CobrandableFormat };
    let render = found.render;
    if (!render) {
      const key = { assetVersionId: version.id, organisationId: organisation.id, brandingVersion: organisation.brandingVersion, placementVersion: template.placementVersion };
      const flightKey = `${key.assetVersionId}/${key.organisationId}/${key.brandingVersion}/${key.placementVersion}`;
      let flight = inFlight.get(flightKey);
      if (!flight) {
        flight = (async () => (await cobrandingRepository.findRender(db, key)) ?? renderAndStore(actor, asset, cobrandable, organisation, key, template.placements))().finally(() =>
          inFlight.delete(flightKey),
        );
        inFlight.set(flightKey, flight);
      }
      render = await flight;
    }
    return { asset, version: cobrandable, organisation, render };
  }

  /** The render and its stored object; a row whose file is gone (lost disk, manual cleanup) is dropped and rendered again. */
  async function openRender(actor: Actor, assetId: string, organisationId: string | undefined) {
    let state = await ensureRender(actor, assetId, organisationId);
    let object = await storage.get(state.render.storageKey);
    if (!object) {
      logger.warn({ storageKey: state.render.storageKey }, 'co-branded render recorded but not stored; rendering it again');
      await cobrandingRepository.deleteRender(db, state.render.id);
      state = await ensureRender(actor, assetId, organisationId);
      object = await storage.get(state.render.storageKey);
    }
    if (!object) throw new Error(`co-branded render ${state.render.storageKey} is recorded but not stored`);
    return { ...state, object };
  }

  return {
    /** Where logo uploads are written before uploadLogo reads them. */
    logoUploadDir: path.join(deps.config.dataDir, 'tmp', 'uploads'),

    /** The co-branding buttons of the asset detail page; the caller has already checked the actor may see the asset. */
    actionsFor: (actor: Actor, asset: { id: string }, version: Pick<AssetVersionRow, 'format' | 'cobrandBlocker'>) => cobrandActionsFor(db, actor, asset, version),

    /* ---------- Template editor (asset.manage) ---------- */

    async getEditor(actor: Actor, assetId: string) {
      const { asset, version } = await loadForTemplate(actor, assetId);
      const bytes = await readObject(version.storageKey);
      const pageSizes = await pageSizesOf(version, bytes);
      const template = await cobrandingRepository.findTemplate(db, asset.id);
      return { asset, version, pageSizes, template, units: version.format === 'pdf' ? 'pt' : 'px' };
    },

    /** The page with the given (unsaved) placements drawn for the sample partner, as WebP. */
    async previewDraft(actor: Actor, assetId: string, page: number, placementsInput: unknown): Promise<Buffer> {
      const { version } = await loadForTemplate(actor, assetId);
      const placements = Array.isArray(placementsInput) && placementsInput.length === 0 ? [] : parsePlacements(placementsInput);
      const bytes = await readObject(version.storageKey);
      const output = placements.length === 0 ? bytes : await assertTemplateRenders(version, bytes, placements);
      return previewOf(output, version.format, page);
    },

    /** Validates, stores the placements as the next placement version and deletes that asset's renders (and only those). */
    async saveTemplate(actor: Actor, assetId: string, placementsInput: unknown) {
      const { asset, version } = await loadForTemplate(actor, assetId);
      const placements = parsePlacements(placementsInput);
      await assertTemplateRenders(version, await readObject(version.storageKey), placements);
      const { template, staleKeys } = await db.transaction(async (tx) => {
        const saved = await cobrandingRepository.saveTemplate(tx, asset.id, placements, actor.userId);
        return { template: saved, staleKeys: await cobrandingRepository.deleteRendersOfAsset(tx, asset.id) };
      });
      await deleteObjects(staleKeys);
      logger.info({ assetId: asset.id, placementVersion: template.placementVersion, deletedRenders: staleKeys.length, userId: actor.userId }, 'co-branding template saved');
      return template;
    },

    /* ---------- Co-branded downloads (asset.view) ---------- */

    async download(actor: Actor, assetId: string, organisationId?: string): Promise<CobrandedFile> {
      const { asset, version, organisation, object } = await openRender(actor, assetId, organisationId);
      // Committed before the body goes out, so a finished download is always counted.
      try {
        await cobrandingRepository.recordDownload(db, { assetId: asset.id, assetVersionId: version.id, userId: actor.userId, organisationId: organisation.id, occurredAt: deps.clock() });
      } catch (err) {
        object.body.destroy();
        throw err;
      }
      // ---- GAMIFICATION hook ----
      // A co-branded download is the asset used: it scores once per person and asset (unique outcome key; repeat
      // downloads score nothing), for the downloader's own organisation (vendor staff downloading for a partner never score).
      await awardOutcome(db, { kind: 'cobrand_used', userId: actor.userId, subjectId: asset.id, occurredAt: deps.clock() }).catch((err: unknown) =>
        logger.error({ err, userId: actor.userId, assetId: asset.id }, 'gamification: co-branded use not scored'),
      );
      // ---- end GAMIFICATION hook ----
      return { body: object.body, size: object.size, contentType: MIME_TYPES[version.format], filename: downloadFilenameOf(asset.title, organisation.name, EXTENSIONS[version.format]) };
    },

    /** Page 1 (or the image) of the co-branded file as WebP, so a marketer sees it before downloading. */
    async cobrandedPreview(actor: Actor, assetId: string, organisationId?: string): Promise<Buffer> {
      const { version, object } = await openRender(actor, assetId, organisationId);
      return previewOf(await bufferOf(object.body), version.format, 1);
    },

    async previewPage(actor: Actor, assetId: string, organisationId?: string) {
      const { asset, version } = await loadAsset(actor, assetId);
      const template = await cobrandingRepository.findTemplate(db, asset.id);
      if (!template || cobrandBlockerOf(version)) throw cobrandingErrors.notCobranded();
      const organisation = await targetOrganisation(actor, organisationId);
      return { asset, organisation };
    },

    /* ---------- Organisation logo (organisation.updateBranding) ---------- */

    async uploadLogo(actor: Actor, organisationId: string, upload: { path: string }) {
      const organisation = await loadOrganisationForBranding(actor, organisationId);
      const logo = await normaliseLogo(upload.path);
      const logoKey = `logos/${organisation.id}/${logo.hash}.png`;
      await storage.put(logoKey, logo.png, { contentType: 'image/png' });
      let staleKeys: string[];
      try {
        staleKeys = await db.transaction(async (tx) => {
          await cobrandingRepository.updateBrandingAndBumpVersion(tx, organisation.id, { logoKey, logoWidth: logo.width, logoHeight: logo.height });
          return cobrandingRepository.deleteRendersOfOrganisation(tx, organisation.id);
        });
      } catch (err) {
        if (organisation.logoKey !== logoKey) await deleteObjects([logoKey]);
        throw err;
      }
      await deleteObjects(organisation.logoKey && organisation.logoKey !== logoKey ? [...staleKeys, organisation.logoKey] : staleKeys);
      logger.info({ organisationId: organisation.id, logoKey, width: logo.width, height: logo.height, userId: actor.userId }, 'organisation logo updated');
      return logo;
    },

    /** The organisation row for its branding page, after the same checks as a logo upload. */
    organisationForBranding: (actor: Actor, organisationId: string) => loadOrganisationForBranding(actor, organisationId),

    async removeLogo(actor: Actor, organisationId: string): Promise<boolean> {
      const organisation = await loadOrganisationForBranding(actor, organisationId);
      if (!organisation.logoKey) return false;
      const staleKeys = await db.transaction(async (tx) => {
        await cobrandingRepository.updateBrandingAndBumpVersion(tx, organisation.id, { logoKey: null, logoWidth: null, logoHeight: null });
        return cobrandingRepository.deleteRendersOfOrganisation(tx, organisation.id);
      });
      await deleteObjects([...staleKeys, organisation.logoKey]);
      return true;
    },

    /** The organisation's current logo (PNG we encoded), for people who may see the organisation; the hash must be the current one. */
    async getLogo(actor: Actor, organisationId: string, hash: string) {
      const organisation = await cobrandingRepository.findOrganisationById(db, organisationId);
      if (!organisation || !canPerformOn(actor, 'organisation.view', { organisationId: organisation.id, organisationKind: organisation.kind })) throw httpErrors.notFound('logo');
      if (!organisation.logoKey || organisation.logoKey !== `logos/${organisation.id}/${hash}.png`) throw httpErrors.notFound('logo');
      const object = await storage.get(organisation.logoKey);
      if (!object) throw httpErrors.notFound('logo');
      return object;
    },
  };

  async function loadOrganisationForBranding(actor: Actor, organisationId: string): Promise<OrganisationRow> {
    const organisation = await cobrandingRepository.findOrganisationById(db, organisationId);
    const target = organisation ? { organisationId: organisation.id, organisationKind: organisation.kind } : null;
    if (!organisation || !target || !canPerformOn(actor, 'organisation.view', target)) throw httpErrors.notFound('organisation');
    if (!canPerformOn(actor, 'organisation.updateBranding', target)) throw httpErrors.forbidden();
    return organisation;
  }
}

export type CobrandingService = ReturnType<typeof createCobrandingService>;
