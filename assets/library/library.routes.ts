import type { CobrandingService } from '../cobranding/cobranding.service.js';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { RouteSpec } from '../../server/http/route-table.js';
import type { AppConfig } from '../../server/config/config.js';
import { idParam } from '../../server/http/common.schema.js';
import { httpErrors } from '../../server/http/http.errors.js';
import { fieldErrorsOf, parseFields, parseOrThrow, type FieldErrors } from '../../server/http/validate.js';
import { flash } from '../../server/http/shell.js';
import { formatBytes } from '../../courses/scorm/scorm.errors.js';
import type { StoredObjectBody } from '../../server/storage/storage.js';
import type { LibraryService } from './library.service.js';
import type { SearchService } from '../../search/search.service.js';
import { assetUpload, optionalUploadedFile, uploadedFile } from './asset-upload.js';
import { removeUploadedFile } from '../../server/http/file-upload.js';
import { assetFields, LIBRARY_SORTS, libraryQuery, tagGroupForm, tagParams, tagValueForm, uploadFields, versionParams } from './library.schema.js';
import {
  assetFormModel,
  cardModel,
  categoryLabel,
  dateInputValue,
  facetModel,
  libraryHref,
  libraryPager,
  SORT_LABELS,
  formatLabel,
  languageLabel,
  previewModel,
  statusBadges,
  submittedValues,
} from './library.view.js';

function assetIdOf(req: Request): string {
  const parsed = idParam.safeParse(req.params);
  if (!parsed.success) throw httpErrors.notFound('asset');
  return parsed.data.id;
}

function versionOf(req: Request): { id: string; versionId: string } {
  const parsed = versionParams.safeParse(req.params);
  if (!parsed.success) throw httpErrors.notFound('asset version');
  return parsed.data;
}

const wantsJson = (req: Request) => req.is('application/json') === 'application/json' || req.accepts(['html', 'json']) === 'json';

/** An expected refusal shown on the form (400, 409, 413, 415, 422); 403, 404 and unknown errors go to the error handler. */
function formFailureOf(err: unknown) {
  const failure = fieldErrorsOf(err);
  if (!failure || failure.status === 403 || failure.status === 404) throw err;
  return failure;
}

/**
 * Sends a stored file as an attachment. Nothing the library serves is rendered on this origin: the sandbox CSP
 * and nosniff hold for every download, and SVG (which could run script if a browser displayed it) goes out as
 * application/octet-stream.
 */
async function sendAttachment(res: Response, stored: StoredObjectBody, fileName: string, mimeType: string, format: string) {
  res.status(200);
  res.setHeader('Content-Type', format === 'svg' ? 'application/octet-stream' : mimeType);
  res.setHeader('Content-Length', String(stored.size));
  res.setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', 'sandbox');
  res.setHeader('Cache-Control', 'private, no-store');
  await pipeline(stored.body, res);
}

export const LIBRARY_PAGE_SIZE = 24;

export function libraryRoutes(config: AppConfig, library: LibraryService, search: SearchService, cobranding: Pick<CobrandingService, 'actionsFor'>): RouteSpec[] {
  const maxUpload = formatBytes(config.assets.maxUploadBytes);

  const renderNew = async (res: Response, status: number, model: { values?: Record<string, string | string[]>; errors?: FieldErrors; message?: string }) => {
    const values = model.values ?? { language: 'en', category: '' };
    res.status(status).render('pages/library/new', {
      title: 'Upload an asset',
      maxUpload,
      values,
      errors: model.errors ?? {},
      message: model.message,
      form: assetFormModel(await library.formOptions(), values),
    });
  };

  const renderEdit = async (req: Request, res: Response, status: number, model: { values?: Record<string, string | string[]>; errors?: FieldErrors; message?: string }) => {
    const { asset, managedTagIds } = await library.getForEdit(req.actor!, assetIdOf(req));
    const values = model.values ?? {
      title: asset.title,
      description: asset.description,
      category: asset.category,
      language: asset.language,
      tags: asset.tags.join(', '),
      managedTagIds,
      visiblePartnerTypes: asset.visiblePartnerTypes,
      visibleTierIds: asset.visibleTierIds,
      visibleRegions: asset.visibleRegions,
      expiresAt: dateInputValue(asset.expiresAt),
      ownerId: asset.ownerId ?? '',
    };
    res.status(status).render('pages/library/edit', {
      title: `Edit ${asset.title}`,
      asset,
      values,
      errors: model.errors ?? {},
      message: model.message,
      form: assetFormModel(await library.formOptions(), values),
    });
  };

  const renderTags = async (res: Response, status: number, model: { errors?: FieldErrors; message?: string; values?: Record<string, string> } = {}) => {
    res.status(status).render('pages/library/tags', { title: 'Managed tags', groups: await library.listTagGroups(), errors: model.errors ?? {}, message: model.message, values: model.values ?? {} });
  };

  return [
    {
      method: 'get',
      path: '/library',
      access: { action: 'asset.view' },
      handler: async (req, res) => {
        const query = libraryQuery.parse(req.query);
        const text = query.q ?? '';
        const sort = query.sort ?? (text ? 'relevance' : 'newest');
        const filters = { category: query.category, format: query.format, language: query.language, tags: query.tags, managedTags: query.managedTags };
        const [result, tagGroups] = await Promise.all([
          search.search(req.actor!, { text, filters: { kind: ['asset'], ...filters }, sort, page: query.page, pageSize: LIBRARY_PAGE_SIZE }),
          library.listTagGroups(),
        ]);
        const snippets = new Map(result.hits.map((h) => [h.entityId, h.snippet]));
        const now = library.now();
        const cards = (await library.cardsFor(req.actor!, result.hits.map((h) => h.entityId))).map((row) => ({ ...cardModel(row, now), snippet: snippets.get(row.asset.id) ?? [] }));
        const groupNames = new Map(tagGroups.map((g) => [g.key, g.name]));
        const managedByGroup = new Map<string, { value: string; count: number }[]>();
        for (const facet of result.facets.managedTags ?? []) {
          const group = facet.value.slice(0, facet.value.indexOf(':'));
          managedByGroup.set(group, [...(managedByGroup.get(group) ?? []), facet]);
        }
        for (const ticked of query.managedTags) {
          const group = ticked.slice(0, ticked.indexOf(':'));
          if (!managedByGroup.has(group)) managedByGroup.set(group, []);
        }
        const linkQuery = { q: query.q, ...filters, sort: query.sort };
        const facets = [
          facetModel('category', 'Category', result.facets.category ?? [], query.category, categoryLabel),
          facetModel('format', 'Format', result.facets.format ?? [], query.format, formatLabel),
          facetModel('language', 'Language', result.facets.language ?? [], query.language, languageLabel),
          ...[...managedByGroup].map(([group, counts]) =>
            facetModel('managedTags', groupNames.get(group) ?? group, counts, query.managedTags.filter((t) => t.startsWith(`${group}:`)), (v) => v.slice(v.indexOf(':') + 1)),
          ),
          facetModel('tags', 'Tags', (result.facets.tags ?? []).slice(0, 15), query.tags, (v) => v),
        ].filter((f) => f.options.length > 0);
        const filtered = Object.values(filters).some((v) => v.length > 0);
        res.render('pages/library/list', {
          title: 'Library',
          query,
          facets,
          sorts: LIBRARY_SORTS.map((s) => ({ value: s, label: SORT_LABELS[s], selected: s === sort })),
          cards,
          total: result.total,
          searched: Boolean(text) || filtered,
          clearHref: libraryHref({}),
          pagination: libraryPager(linkQuery, result.total, query.page, LIBRARY_PAGE_SIZE),
          mayManage: library.mayManage(req.actor!),
          mayReport: library.mayReport(req.actor!),
        });
      },
    },
    {
      method: 'get',
      path: '/library/new',
      access: { action: 'asset.manage' },
      handler: (_req, res) => renderNew(res, 200, {}),
    },
    {
      method: 'get',
      path: '/library/upload',
      access: { action: 'asset.manage' },
      handler: async (_req, res) => {
        const values = { language: 'en', category: '' };
        res.render('pages/library/upload', { title: 'Bulk upload', maxUpload, maxUploadBytes: config.assets.maxUploadBytes, values, errors: {}, form: assetFormModel(await library.formOptions(), values) });
      },
    },
    {
      method: 'post',
      path: '/library/assets',
      access: { action: 'asset.manage' },
      upload: assetUpload(config, uploadFields),
      handler: async (req, res) => {
        try {
          const parsed = parseFields(uploadFields, req.body);
          if (!parsed.ok) throw httpErrors.invalidInput(parsed.fields);
          const { id } = await library.createAsset(req.actor!, parsed.data, uploadedFile(req));
          const url = `/library/assets/${id}`;
          if (wantsJson(req)) {
            res.status(201).json({ id, url });
            return;
          }
          flash(req, 'success', 'The asset was uploaded.');
          res.redirect(303, url);
        } catch (err) {
          if (wantsJson(req)) throw err;
          const failure = formFailureOf(err);
          await renderNew(res, failure.status, { values: submittedValues(req.body), errors: failure.fields, message: failure.message });
        } finally {
          await removeUploadedFile(req);
        }
      },
    },
    {
      method: 'get',
      path: '/library/assets/:id',
      access: { action: 'asset.view' },
      handler: async (req, res) => {
        const page = await library.getAssetPage(req.actor!, assetIdOf(req));
        const { asset, version, now } = page;
        const cobrand = await cobranding.actionsFor(req.actor!, asset, version);
        const groups = new Map<string, string[]>();
        for (const tag of page.managedTags) groups.set(tag.groupName, [...(groups.get(tag.groupName) ?? []), tag.label]);
        res.render('pages/library/detail', {
          title: asset.title,
          asset: {
            ...asset,
            categoryLabel: categoryLabel(asset.category),
            languageLabel: languageLabel(asset.language),
            expired: asset.expiresAt !== null && asset.expiresAt <= now,
          },
          badges: statusBadges(asset, now),
          preview: previewModel(asset, version),
          version: {
            ...version,
            formatLabel: formatLabel(version.format),
            size: formatBytes(version.byteSize),
            dimensions: version.width && version.height ? (version.format === 'pdf' ? `${version.width} × ${version.height} pt` : `${version.width} × ${version.height} px`) : null,
          },
          ownerName: page.ownerName,
          managedTagGroups: [...groups].map(([name, labels]) => ({ name, labels })),
          versions: page.versions.map(({ version: v, uploadedByName }) => ({
            id: v.id,
            number: v.versionNumber,
            createdAt: v.createdAt,
            uploadedByName: uploadedByName ?? 'Former user',
            size: formatBytes(v.byteSize),
            formatLabel: formatLabel(v.format),
            originalFilename: v.originalFilename,
            current: v.id === version.id,
          })),
          related: page.related.map((r) => cardModel(r, now)),
          cobrand,
          // A partner gets the file with their own branding; the unbranded original stays one click away for the vendor side.
          plainDownload: !(cobrand.available && cobrand.partners === null),
          mayManage: page.mayManage,
          maxUpload,
        });
      },
    },
    {
      method: 'get',
      path: '/library/assets/:id/download',
      access: { action: 'asset.view' },
      handler: async (req, res) => {
        const { stored, version, fileName } = await library.openDownload(req.actor!, assetIdOf(req));
        await sendAttachment(res, stored, fileName, version.mimeType, version.format);
      },
    },
    {
      method: 'get',
      path: '/library/assets/:id/versions/:versionId/download',
      access: { action: 'asset.view' },
      handler: async (req, res) => {
        const { id, versionId } = versionOf(req);
        const { stored, version, fileName } = await library.openDownload(req.actor!, id, versionId);
        await sendAttachment(res, stored, fileName, version.mimeType, version.format);
      },
    },
    {
      method: 'get',
      path: '/library/assets/:id/versions/:versionId/preview.webp',
      access: { action: 'asset.view' },
      handler: async (req, res) => {
        const { id, versionId } = versionOf(req);
        const stored = await library.openPreview(req.actor!, id, versionId);
        res.setHeader('Content-Type', 'image/webp');
        res.setHeader('Content-Length', String(stored.size));
        res.setHeader('X-Content-Type-Options', 'nosniff');
        // A version's preview never changes, but visibility can: the browser may keep it, shared caches may not.
        res.setHeader('Cache-Control', 'private, max-age=3600');
        await pipeline(stored.body, res);
      },
    },
    {
      method: 'get',
      path: '/library/assets/:id/edit',
      access: { action: 'asset.manage' },
      handler: (req, res) => renderEdit(req, res, 200, {}),
    },
    {
      method: 'post',
      path: '/library/assets/:id/edit',
      access: { action: 'asset.manage' },
      handler: async (req, res) => {
        const assetId = assetIdOf(req);
        const parsed = parseFields(assetFields, req.body);
        if (!parsed.ok) return renderEdit(req, res, 400, { values: submittedValues(req.body), errors: parsed.fields });
        try {
          await library.updateMetadata(req.actor!, assetId, parsed.data);
        } catch (err) {
          const failure = formFailureOf(err);
          return renderEdit(req, res, failure.status, { values: submittedValues(req.body), errors: failure.fields, message: failure.message });
        }
        flash(req, 'success', 'The changes were saved.');
        res.redirect(303, `/library/assets/${assetId}`);
      },
    },
    {
      method: 'post',
      path: '/library/assets/:id/versions',
      access: { action: 'asset.manage' },
      upload: assetUpload(config),
      handler: async (req, res) => {
        try {
          const assetId = assetIdOf(req);
          const { versionNumber } = await library.addVersion(req.actor!, assetId, optionalUploadedFile(req));
          const url = `/library/assets/${assetId}`;
          if (wantsJson(req)) {
            res.status(201).json({ id: assetId, url, versionNumber });
            return;
          }
          flash(req, 'success', `Version ${versionNumber} uploaded; it is now the current version.`);
          res.redirect(303, url);
        } finally {
          await removeUploadedFile(req);
        }
      },
    },
    {
      method: 'post',
      path: '/library/assets/:id/archive',
      access: { action: 'asset.manage' },
      handler: async (req, res) => {
        const asset = await library.setArchived(req.actor!, assetIdOf(req), true);
        flash(req, 'success', 'The asset was archived: partners no longer see it. You can restore it from this page.');
        res.redirect(303, `/library/assets/${asset.id}`);
      },
    },
    {
      method: 'post',
      path: '/library/assets/:id/restore',
      access: { action: 'asset.manage' },
      handler: async (req, res) => {
        const asset = await library.setArchived(req.actor!, assetIdOf(req), false);
        flash(req, 'success', 'The asset was restored.');
        res.redirect(303, `/library/assets/${asset.id}`);
      },
    },
    {
      method: 'get',
      path: '/library/tags',
      access: { action: 'asset.manage' },
      handler: (_req, res) => renderTags(res, 200),
    },
    {
      method: 'post',
      path: '/library/tags',
      access: { action: 'asset.manage' },
      handler: async (req, res) => {
        const parsed = parseFields(tagGroupForm, req.body);
        if (!parsed.ok) return renderTags(res, 400, { errors: parsed.fields, values: { name: String(req.body?.name ?? '') } });
        try {
          await library.createTagGroup(req.actor!, parsed.data.name);
        } catch (err) {
          const failure = formFailureOf(err);
          return renderTags(res, failure.status, { errors: failure.fields, message: failure.message, values: { name: parsed.data.name } });
        }
        flash(req, 'success', `The tag group "${parsed.data.name}" was created. Add its values below.`);
        res.redirect(303, '/library/tags');
      },
    },
    {
      method: 'post',
      path: '/library/tags/:id/values',
      access: { action: 'asset.manage' },
      handler: async (req, res) => {
        const groupId = assetIdOfGroup(req);
        const { label } = parseOrThrow(tagValueForm, req.body);
        try {
          await library.addTag(req.actor!, groupId, label);
          flash(req, 'success', `"${label}" was added.`);
        } catch (err) {
          flash(req, 'error', formFailureOf(err).message);
        }
        res.redirect(303, '/library/tags');
      },
    },
    {
      method: 'post',
      path: '/library/tags/:id/values/:tagId',
      access: { action: 'asset.manage' },
      handler: async (req, res) => {
        const { id, tagId } = tagIdsOf(req);
        const { label } = parseOrThrow(tagValueForm, req.body);
        try {
          await library.renameTag(req.actor!, id, tagId, label);
          flash(req, 'success', `The tag was renamed to "${label}".`);
        } catch (err) {
          flash(req, 'error', formFailureOf(err).message);
        }
        res.redirect(303, '/library/tags');
      },
    },
    {
      method: 'post',
      path: '/library/tags/:id/values/:tagId/delete',
      access: { action: 'asset.manage' },
      handler: async (req, res) => {
        const { id, tagId } = tagIdsOf(req);
        const removed = await library.removeTag(req.actor!, id, tagId);
        flash(req, removed ? 'success' : 'info', removed ? 'The tag was removed from the group and from every asset.' : 'That tag had already been removed.');
        res.redirect(303, '/library/tags');
      },
    },
  ];
}

function assetIdOfGroup(req: Request): string {
  const parsed = idParam.safeParse(req.params);
  if (!parsed.success) throw httpErrors.notFound('tag group');
  return parsed.data.id;
}

function tagIdsOf(req: Request): { id: string; tagId: string } {
  const parsed = tagParams.safeParse(req.params);
  if (!parsed.success) throw httpErrors.notFound('tag');
  return parsed.data;
}
