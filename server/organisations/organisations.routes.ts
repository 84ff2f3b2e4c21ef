import type { Request, Response } from 'express';
import type { RouteSpec } from '../http/route-table.js';
import type { OrganisationsService } from './organisations.service.js';
import type { OrganisationWithTier } from './organisations.repository.js';
import { brandingForm, organisationForm, organisationListQuery, PARTNER_TYPE_LABELS, REGIONS, tierForm, tierUpdateForm, vendorOrganisationForm } from './organisations.schema.js';
import { PARTNER_TYPES } from './organisations.table.js';
import { fieldErrorsOf, parseFields, type FieldErrors } from '../http/validate.js';
import { idParam } from '../http/common.schema.js';
import { httpErrors } from '../http/http.errors.js';
import { flash } from '../http/shell.js';
import { paginationModel } from '../http/pagination.js';
import { ROLE_LABELS } from '../tenancy/actor.js';
import { logoUrlOf } from '../../assets/cobranding/logo-image.js';

function idOf(req: Request, what = 'organisation'): string {
  const parsed = idParam.safeParse(req.params);
  if (!parsed.success) throw httpErrors.notFound(what);
  return parsed.data.id;
}

const formValues = (body: unknown) => Object.fromEntries(Object.entries((body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : '']));

/** The branding page's view-model; the co-branding routes render it too, with the message of a refused logo. */
export function brandingPageModel(organisation: OrganisationWithTier, values: Record<string, unknown>, errors: FieldErrors, logoMessage?: string) {
  return { title: `Branding of ${organisation.name}`, organisation, values, errors, logoUrl: logoUrlOf(organisation), logoMessage };
}

export function organisationsRoutes(organisations: OrganisationsService): RouteSpec[] {
  const options = async (values: { partnerType?: string | null; tierId?: string | null; region?: string | null }) => {
    const tiers = await organisations.listTiers();
    return {
      partnerTypes: PARTNER_TYPES.map((t) => ({ value: t, label: PARTNER_TYPE_LABELS[t], selected: t === values.partnerType })),
      tiers: tiers.map((t) => ({ value: t.id, label: t.name, selected: t.id === values.tierId })),
      regions: REGIONS.map((r) => ({ value: r, label: r, selected: r === values.region })),
    };
  };

  const renderForm = async (res: Response, status: number, model: { organisation?: OrganisationWithTier; values: Record<string, unknown>; errors: FieldErrors; message?: string }) => {
    const editing = model.organisation;
    res.status(status).render('pages/organisations/form', {
      title: editing ? `Edit ${editing.name}` : 'New partner organisation',
      action: editing ? `/organisations/${editing.id}` : '/organisations',
      isVendor: editing?.kind === 'vendor',
      cancelHref: editing ? `/organisations/${editing.id}` : '/organisations',
      ...(await options(model.values)),
      ...model,
    });
  };

  const renderBranding = (res: Response, status: number, organisation: OrganisationWithTier, values: Record<string, unknown>, errors: FieldErrors) =>
    res.status(status).render('pages/organisations/branding', brandingPageModel(organisation, values, errors));

  const renderTiers = async (res: Response, status: number, values: Record<string, string>, errors: FieldErrors, message?: string) =>
    res.status(status).render('pages/settings/tiers', { title: 'Partner tiers', tiers: await organisations.listTiers(), values, errors, message });

  return [
    {
      method: 'get',
      path: '/organisations',
      access: { action: 'organisation.list' },
      handler: async (req, res) => {
        const query = organisationListQuery.parse(req.query);
        const result = await organisations.listOrganisations(req.actor!, query);
        res.render('pages/organisations/list', {
          title: 'Organisations',
          query,
          ...(await options(query)),
          organisations: result.rows.map((o) => ({ ...o, partnerTypeLabel: o.partnerType ? PARTNER_TYPE_LABELS[o.partnerType] : 'Vendor' })),
          pagination: paginationModel('/organisations', query, result),
          mayCreate: req.actor!.role === 'vendor_admin',
        });
      },
    },
    {
      method: 'get',
      path: '/organisations/new',
      access: { action: 'organisation.create' },
      handler: (_req, res) => renderForm(res, 200, { values: {}, errors: {} }),
    },
    {
      method: 'post',
      path: '/organisations',
      access: { action: 'organisation.create' },
      handler: async (req, res) => {
        const values = formValues(req.body);
        const form = parseFields(organisationForm, req.body);
        if (!form.ok) return renderForm(res, 400, { values, errors: form.fields });
        try {
          const created = await organisations.createPartnerOrganisation(req.actor!, form.data);
          flash(req, 'success', `${created.name} was created. Invite its first admin next.`);
          res.redirect(303, `/organisations/${created.id}`);
        } catch (err) {
          const failure = fieldErrorsOf(err);
          if (!failure || failure.status === 403) throw err;
          await renderForm(res, failure.status, { values, errors: failure.fields, message: failure.message });
        }
      },
    },
    {
      method: 'get',
      path: '/organisations/:id',
      access: { action: 'organisation.view' },
      handler: async (req, res) => {
        const detail = await organisations.getOrganisation(req.actor!, idOf(req));
        const o = detail.organisation;
        res.render('pages/organisations/detail', {
          title: o.name,
          organisation: { ...o, partnerTypeLabel: o.partnerType ? PARTNER_TYPE_LABELS[o.partnerType] : 'Vendor' },
          members: detail.members?.rows.map((u) => ({ ...u, roleLabel: ROLE_LABELS[u.role], disabled: u.status === 'disabled' })),
          memberCount: detail.members?.total,
          invitations: detail.invitations?.map((i) => ({
            ...i,
            roleLabel: ROLE_LABELS[i.role],
            state: i.acceptedAt ? 'Accepted' : i.revokedAt ? 'Revoked' : i.expiresAt < new Date() ? 'Expired' : 'Pending',
            open: !i.acceptedAt && !i.revokedAt && i.expiresAt >= new Date(),
          })),
          permissions: detail.permissions,
          hasBranding: Boolean(o.contactName || o.contactEmail || o.contactPhone || o.brandPrimaryColor || o.website),
        });
      },
    },
    {
      method: 'get',
      path: '/organisations/:id/edit',
      access: { action: 'organisation.update' },
      handler: async (req, res) => {
        const organisation = await organisations.getForUpdate(req.actor!, idOf(req), 'organisation.update');
        await renderForm(res, 200, { organisation, values: { ...organisation }, errors: {} });
      },
    },
    {
      method: 'post',
      path: '/organisations/:id',
      access: { action: 'organisation.update' },
      handler: async (req, res) => {
        const organisation = await organisations.getForUpdate(req.actor!, idOf(req), 'organisation.update');
        const values = formValues(req.body);
        const form = organisation.kind === 'vendor' ? parseFields(vendorOrganisationForm, req.body) : parseFields(organisationForm, req.body);
        if (!form.ok) return renderForm(res, 400, { organisation, values, errors: form.fields });
        try {
          await organisations.updateOrganisation(req.actor!, organisation.id, form.data);
          flash(req, 'success', 'Organisation saved.');
          res.redirect(303, `/organisations/${organisation.id}`);
        } catch (err) {
          const failure = fieldErrorsOf(err);
          if (!failure || failure.status === 403 || failure.status === 404) throw err;
          await renderForm(res, failure.status, { organisation, values, errors: failure.fields, message: failure.message });
        }
      },
    },
    {
      method: 'get',
      path: '/organisations/:id/branding',
      access: { action: 'organisation.updateBranding' },
      handler: async (req, res) => {
        const organisation = await organisations.getForUpdate(req.actor!, idOf(req), 'organisation.updateBranding');
        renderBranding(res, 200, organisation, { ...organisation }, {});
      },
    },
    {
      method: 'post',
      path: '/organisations/:id/branding',
      access: { action: 'organisation.updateBranding' },
      handler: async (req, res) => {
        const organisation = await organisations.getForUpdate(req.actor!, idOf(req), 'organisation.updateBranding');
        const form = parseFields(brandingForm, req.body);
        if (!form.ok) return renderBranding(res, 400, organisation, formValues(req.body), form.fields);
        await organisations.updateBranding(req.actor!, organisation.id, form.data);
        flash(req, 'success', 'Branding saved. Co-branded downloads will use it.');
        res.redirect(303, `/organisations/${organisation.id}`);
      },
    },
    {
      method: 'get',
      path: '/settings/tiers',
      access: { action: 'tier.manage' },
      handler: (_req, res) => renderTiers(res, 200, {}, {}),
    },
    {
      method: 'post',
      path: '/settings/tiers',
      access: { action: 'tier.manage' },
      handler: async (req, res) => {
        const form = parseFields(tierForm, req.body);
        if (!form.ok) return renderTiers(res, 400, formValues(req.body), form.fields);
        try {
          const tier = await organisations.createTier(req.actor!, form.data);
          flash(req, 'success', `Tier "${tier.name}" added.`);
          res.redirect(303, '/settings/tiers');
        } catch (err) {
          const failure = fieldErrorsOf(err);
          if (!failure || failure.status === 403) throw err;
          await renderTiers(res, failure.status, formValues(req.body), failure.fields, failure.message);
        }
      },
    },
    {
      method: 'post',
      path: '/settings/tiers/:id',
      access: { action: 'tier.manage' },
      handler: async (req, res) => {
        const id = idOf(req, 'tier');
        const form = parseFields(tierUpdateForm, req.body);
        if (!form.ok) return renderTiers(res, 400, {}, {}, `Could not save the tier: ${Object.entries(form.fields).map(([k, v]) => `${k} ${v}`).join('; ')}`);
        const tier = await organisations.updateTier(req.actor!, id, form.data);
        flash(req, 'success', `Tier "${tier.name}" saved.`);
        res.redirect(303, '/settings/tiers');
      },
    },
    {
      method: 'post',
      path: '/settings/tiers/:id/delete',
      access: { action: 'tier.manage' },
      handler: async (req, res) => {
        try {
          await organisations.deleteTier(req.actor!, idOf(req, 'tier'));
        } catch (err) {
          const failure = fieldErrorsOf(err);
          if (!failure || failure.status !== 409) throw err;
          return renderTiers(res, 409, {}, {}, failure.message);
        }
        flash(req, 'success', 'Tier removed.');
        res.redirect(303, '/settings/tiers');
      },
    },
  ];
}
