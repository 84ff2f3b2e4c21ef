import { pipeline } from 'node:stream/promises';
import type { Request, RequestHandler, Response } from 'express';
import { removeUploadedFile, singleFileUpload } from '../../server/http/file-upload.js';
import type { AppConfig } from '../../server/config/config.js';
import type { RouteSpec } from '../../server/http/route-table.js';
import { idParam } from '../../server/http/common.schema.js';
import { httpErrors } from '../../server/http/http.errors.js';
import { flash } from '../../server/http/shell.js';
import { parseOrThrow } from '../../server/http/validate.js';
import { isAppError } from '../../server/http/app-error.js';
import type { Readable } from 'node:stream';
import { cobrandingErrors } from './cobranding.errors.js';
import { cobrandedQuery, draftPreviewQuery, editorPageQuery, logoParams, placementsForm, placementsFromForm } from './cobranding.schema.js';
import { brandingPageModel } from '../../server/organisations/organisations.routes.js';
import { SAMPLE_PARTNER, type CobrandingService, type PageSize } from './cobranding.service.js';

const KINDS = [
  { value: 'logo', label: 'Logo' },
  { value: 'name', label: 'Partner name' },
  { value: 'contact', label: 'Contact details' },
  { value: 'qr', label: 'QR code (website)' },
];
const ALIGNS = [
  { value: 'left', label: 'Left' },
  { value: 'center', label: 'Centre' },
  { value: 'right', label: 'Right' },
];

function idOf(req: Request, what: string): string {
  const parsed = idParam.safeParse(req.params);
  if (!parsed.success) throw httpErrors.notFound(what);
  return parsed.data.id;
}

/** One logo in the field "logo", on disk, refused past the configured size; the bytes decide what it is. */
function logoUpload(uploadDir: string, maxBytes: number): RequestHandler {
  return singleFileUpload({ dest: uploadDir, field: 'logo', maxBytes, tooLarge: cobrandingErrors.logoTooLarge });
}

/** Streams a stored object; a reader that goes away mid-file is normal, anything else is a storage failure. */
async function send(res: Response, body: Readable): Promise<void> {
  try {
    await pipeline(body, res);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
  }
}

function sendWebp(res: Response, webp: Buffer): void {
  res.setHeader('Content-Type', 'image/webp');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'private, no-store');
  res.end(webp);
}

interface EditorField {
  kind: string;
  page: string;
  x: string;
  y: string;
  width: string;
  height: string;
  fontSize: string;
  colour: string;
  align: string;
}

const asText = (value: unknown, fallback = '') => (value === undefined || value === null || Number.isNaN(value) ? fallback : String(value));

function editorFieldsOf(placements: readonly Record<string, unknown>[]): EditorField[] {
  return placements.map((p) => {
    const box = (p.box ?? {}) as Record<string, unknown>;
    return {
      kind: asText(p.kind, 'name'),
      page: asText(p.page, '1'),
      x: asText(box.x),
      y: asText(box.y),
      width: asText(box.width),
      height: asText(box.height),
      fontSize: asText(p.fontSize, '12'),
      colour: asText(p.colour, '#000000'),
      align: asText(p.align, 'left'),
    };
  });
}

/** A new field in the top-left quarter of the page, a size that is easy to grab. */
function defaultField(size: PageSize): EditorField {
  const round = (n: number) => String(Math.round(n));
  return { kind: 'name', page: '1', x: round(size.width * 0.05), y: round(size.height * 0.05), width: round(size.width * 0.4), height: round(size.height * 0.06), fontSize: '14', colour: '#000000', align: 'left' };
}

export function cobrandingRoutes(config: AppConfig, cobranding: CobrandingService): RouteSpec[] {
  const uploadLogo = logoUpload(cobranding.logoUploadDir, config.assets.maxLogoBytes);

  const renderEditor = async (req: Request, res: Response, status: number, options: { fields?: EditorField[]; message?: string; page?: number }) => {
    const assetId = idOf(req, 'asset');
    const editor = await cobranding.getEditor(req.actor!, assetId);
    const pageCount = editor.pageSizes.length;
    const page = Math.min(options.page ?? 1, pageCount);
    const pageSize = editor.pageSizes[page - 1]!;
    const fields = options.fields ?? editorFieldsOf((editor.template?.placements ?? []) as Record<string, unknown>[]);
    res.status(status).render('pages/library/cobrand-editor', {
      title: `Co-branding of ${editor.asset.title}`,
      asset: editor.asset,
      isPdf: editor.version.format === 'pdf',
      units: editor.units,
      page,
      pageCount,
      pageSize,
      pageSizesJson: JSON.stringify(editor.pageSizes),
      pages: editor.pageSizes.map((_, i) => ({ value: i + 1, selected: i + 1 === page })),
      hasTemplate: Boolean(editor.template),
      placementVersion: editor.template?.placementVersion,
      fields: fields.map((field, index) => ({
        ...field,
        index,
        number: index + 1,
        kinds: KINDS.map((k) => ({ ...k, selected: k.value === field.kind })),
        aligns: ALIGNS.map((a) => ({ ...a, selected: a.value === field.align })),
      })),
      sampleName: SAMPLE_PARTNER.name,
      previewUrl: `/library/assets/${editor.asset.id}/cobranding/preview?page=${page}&placements=${encodeURIComponent(JSON.stringify(fields.length ? placementsFromForm(toFormLists(fields)) : []))}`,
      message: options.message,
    });
  };

  return [
    {
      method: 'post',
      path: '/organisations/:id/logo',
      access: { action: 'organisation.updateBranding' },
      upload: uploadLogo,
      handler: async (req, res) => {
        const id = idOf(req, 'organisation');
        try {
          if (!req.file) throw cobrandingErrors.logoMissing();
          await cobranding.uploadLogo(req.actor!, id, { path: req.file.path });
          flash(req, 'success', 'Logo saved. Co-branded downloads use it from now on.');
          res.redirect(303, `/organisations/${id}/branding`);
        } catch (err) {
          if (!isAppError(err) || err.status >= 500 || err.status === 404 || err.status === 403) throw err;
          const organisation = await cobranding.organisationForBranding(req.actor!, id);
          res.status(err.status).render('pages/organisations/branding', brandingPageModel({ ...organisation, tierName: null }, { ...organisation }, {}, err.message));
        } finally {
          await removeUploadedFile(req);
        }
      },
    },
    {
      method: 'post',
      path: '/organisations/:id/logo/delete',
      access: { action: 'organisation.updateBranding' },
      handler: async (req, res) => {
        const id = idOf(req, 'organisation');
        const removed = await cobranding.removeLogo(req.actor!, id);
        flash(req, 'success', removed ? 'Logo removed. Co-branded downloads leave the logo space empty.' : 'There was no logo to remove.');
        res.redirect(303, `/organisations/${id}/branding`);
      },
    },
    {
      method: 'get',
      path: '/organisations/:id/logo/:hash.png',
      access: { action: 'organisation.view' },
      handler: async (req, res) => {
        const params = logoParams.safeParse(req.params);
        if (!params.success) throw httpErrors.notFound('logo');
        const logo = await cobranding.getLogo(req.actor!, params.data.id, params.data.hash);
        // A PNG we encoded ourselves, so safe from the app origin; the hash in the URL changes with the logo.
        res.setHeader('Content-Type', 'image/png');
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.setHeader('Cache-Control', 'private, max-age=31536000, immutable');
        res.setHeader('Content-Length', String(logo.size));
        await send(res, logo.body);
      },
    },
    {
      method: 'get',
      path: '/library/assets/:id/cobranding',
      access: { action: 'asset.manage' },
      handler: async (req, res) => {
        await renderEditor(req, res, 200, { page: editorPageQuery.parse(req.query).page });
      },
    },
    {
      method: 'post',
      path: '/library/assets/:id/cobranding',
      access: { action: 'asset.manage' },
      handler: async (req, res) => {
        const assetId = idOf(req, 'asset');
        const form = parseOrThrow(placementsForm, req.body);
        const page = editorPageQuery.parse({ page: (req.body as Record<string, unknown> | undefined)?.editorPage }).page;
        let fields = editorFieldsOf(placementsFromForm(form));
        if (form.remove !== undefined) return renderEditor(req, res, 200, { fields: fields.filter((_, i) => i !== form.remove), page });
        if (form.add !== undefined) {
          const editor = await cobranding.getEditor(req.actor!, assetId);
          fields = [...fields, { ...defaultField(editor.pageSizes[page - 1] ?? editor.pageSizes[0]!), page: String(page) }];
          return renderEditor(req, res, 200, { fields, page });
        }
        try {
          const template = await cobranding.saveTemplate(req.actor!, assetId, placementsFromForm(form));
          flash(req, 'success', `Co-branding saved (placement version ${template.placementVersion}). Partners' downloads use it from now on.`);
          res.redirect(303, `/library/assets/${assetId}/cobranding?page=${page}`);
        } catch (err) {
          if (!isAppError(err) || err.status >= 500 || err.status === 404 || err.status === 403) throw err;
          await renderEditor(req, res, err.status, { fields, message: err.message, page });
        }
      },
    },
    {
      method: 'get',
      path: '/library/assets/:id/cobranding/preview',
      access: { action: 'asset.manage' },
      handler: async (req, res) => {
        const query = draftPreviewQuery.parse(req.query);
        let placements: unknown;
        try {
          placements = JSON.parse(query.placements);
        } catch {
          throw cobrandingErrors.placementsUnreadable();
        }
        sendWebp(res, await cobranding.previewDraft(req.actor!, idOf(req, 'asset'), query.page, placements));
      },
    },
    {
      method: 'get',
      path: '/library/assets/:id/cobranded',
      access: { action: 'asset.view' },
      handler: async (req, res) => {
        const { organisationId } = cobrandedQuery.parse(req.query);
        const file = await cobranding.download(req.actor!, idOf(req, 'asset'), organisationId);
        res.setHeader('Content-Type', file.contentType);
        res.setHeader('Content-Length', String(file.size));
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.setHeader('Cache-Control', 'private, no-store');
        // content-disposition writes an ASCII filename= and, for other characters, an RFC 5987 filename*=.
        res.attachment(file.filename);
        await send(res, file.body);
      },
    },
    {
      method: 'get',
      path: '/library/assets/:id/cobranded/preview',
      access: { action: 'asset.view' },
      handler: async (req, res) => {
        const { organisationId } = cobrandedQuery.parse(req.query);
        sendWebp(res, await cobranding.cobrandedPreview(req.actor!, idOf(req, 'asset'), organisationId));
      },
    },
    {
      method: 'get',
      path: '/library/assets/:id/cobranded/preview-page',
      access: { action: 'asset.view' },
      handler: async (req, res) => {
        const { organisationId } = cobrandedQuery.parse(req.query);
        const { asset, organisation } = await cobranding.previewPage(req.actor!, idOf(req, 'asset'), organisationId);
        const suffix = req.actor!.organisationKind === 'vendor' ? `?organisationId=${organisation.id}` : '';
        res.render('pages/library/cobrand-preview', {
          title: `${asset.title} for ${organisation.name}`,
          asset,
          organisation,
          previewUrl: `/library/assets/${asset.id}/cobranded/preview${suffix}`,
          downloadUrl: `/library/assets/${asset.id}/cobranded${suffix}`,
        });
      },
    },
  ];
}

function toFormLists(fields: EditorField[]) {
  const list = (key: keyof EditorField) => fields.map((f) => f[key]);
  return { kind: list('kind'), page: list('page'), x: list('x'), y: list('y'), width: list('width'), height: list('height'), fontSize: list('fontSize'), colour: list('colour'), align: list('align') };
}
