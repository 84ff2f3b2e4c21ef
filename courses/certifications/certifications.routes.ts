import type { Request, Response } from 'express';
import type { RouteSpec } from '../../server/http/route-table.js';
import { idParam } from '../../server/http/common.schema.js';
import { httpErrors } from '../../server/http/http.errors.js';
import { fieldErrorsOf, parseFields, type FieldErrors } from '../../server/http/validate.js';
import { flash } from '../../server/http/shell.js';
import { canPerform } from '../../server/tenancy/policy.js';
import { PARTNER_ROLES, ROLE_LABELS } from '../../server/tenancy/actor.js';
import type { UserRole } from '../../server/users/users.table.js';
import type { CertificationsService } from './certifications.service.js';
import { CERTIFICATE_STATUS_LABELS, type CertificateStatus } from './certificate-status.js';
import { certificationForm, publicIdParam, revokeForm, tierRequirementForm, tierRequirementParams } from './certifications.schema.js';
import type { RequirementWithTitle } from './certifications.repository.js';
import type { CertificationRow } from './certifications.table.js';

/* ---------- view-model helpers ---------- */

const STATUS_BADGES: Readonly<Record<CertificateStatus, string>> = { valid: 'badge--ok', expired: 'badge--muted', revoked: 'badge--danger' };

function statusModel(status: CertificateStatus) {
  return { key: status, label: CERTIFICATE_STATUS_LABELS[status], badge: STATUS_BADGES[status] };
}

function certificationIdOf(req: Request): string {
  const parsed = idParam.safeParse(req.params);
  if (!parsed.success) throw httpErrors.notFound('certification');
  return parsed.data.id;
}

function publicIdOf(req: Request): string {
  const parsed = publicIdParam.safeParse(req.params);
  if (!parsed.success) throw httpErrors.notFound('certificate');
  return parsed.data.publicId;
}

const asList = (v: unknown): string[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

function submittedValues(body: unknown): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    if (key === '_csrf') continue;
    values[key] = Array.isArray(value) ? value.map(String) : String(value ?? '');
  }
  return values;
}

/**
 * LinkedIn's "Add to profile" form for a certification, filled in (its documented URL parameters): the holder
 * confirms on LinkedIn; nothing is sent from here.
 */
function linkedInAddToProfile(certificate: { id: string; certificationName: string; issuedAt: Date; expiresAt: Date; verificationUrl: string }, vendorName: string): string {
  const params = new URLSearchParams({
    startTask: 'CERTIFICATION_NAME',
    name: certificate.certificationName,
    organizationName: vendorName,
    issueYear: String(certificate.issuedAt.getUTCFullYear()),
    issueMonth: String(certificate.issuedAt.getUTCMonth() + 1),
    expirationYear: String(certificate.expiresAt.getUTCFullYear()),
    expirationMonth: String(certificate.expiresAt.getUTCMonth() + 1),
    certUrl: certificate.verificationUrl,
    certId: certificate.id,
  });
  return `https://www.linkedin.com/profile/add?${params.toString()}`;
}

const roleLabel = (role: UserRole | null) => (role === null ? 'Anyone' : ROLE_LABELS[role]);

/** Form values from the stored certification and requirements (or the defaults of a new one). */
function storedValues(
  certification: { name: string; description: string; validityMonths: number; recertWindowDays: number; recertPathId: string | null } | null,
  requirements: RequirementWithTitle[],
) {
  const exam = requirements.find((r) => r.kind === 'exam');
  return {
    name: certification?.name ?? '',
    description: certification?.description ?? '',
    courseIds: requirements.filter((r) => r.kind === 'course').map((r) => r.courseId!),
    pathIds: requirements.filter((r) => r.kind === 'path').map((r) => r.pathId!),
    recertPathId: certification?.recertPathId ?? '',
    examCourseId: exam?.courseId ?? '',
    passingScore: exam?.passingScore === undefined || exam.passingScore === null ? '80' : String(exam.passingScore),
    validityMonths: String(certification?.validityMonths ?? 24),
    recertWindowDays: String(certification?.recertWindowDays ?? 60),
  };
}

/* ---------- routes ---------- */

export function certificationsRoutes(certifications: CertificationsService): RouteSpec[] {
  const renderForm = async (
    res: Response,
    status: number,
    model: { id: string | null; values?: Record<string, string | string[]>; errors?: FieldErrors; message?: string },
  ) => {
    type Option = { id: string; title: string; status: string };
    const loaded: { certification: CertificationRow | null; requirements: RequirementWithTitle[]; courses: Option[]; paths: Option[] } =
      model.id === null ? { certification: null, requirements: [], ...(await certifications.formOptions()) } : await certifications.getForEdit(model.id);
    const values = model.values ?? storedValues(loaded.certification, loaded.requirements);
    const chosen = new Set(asList(values.courseIds));
    const chosenPaths = new Set(asList(values.pathIds));
    const label = (o: Option) => (o.status === 'published' ? o.title : `${o.title} (${o.status})`);
    res.status(status).render('pages/certifications/form', {
      title: loaded.certification ? `Edit ${loaded.certification.name}` : 'New certification',
      certification: loaded.certification,
      action: loaded.certification ? `/certifications/${loaded.certification.id}` : '/certifications',
      values,
      errors: model.errors ?? {},
      message: model.message,
      courses: loaded.courses.map((c) => ({ value: c.id, label: label(c), checked: chosen.has(c.id) })),
      examCourses: loaded.courses.map((c) => ({ value: c.id, label: label(c), selected: c.id === values.examCourseId })),
      paths: loaded.paths.map((p) => ({ value: p.id, label: label(p), checked: chosenPaths.has(p.id) })),
      recertPaths: loaded.paths.map((p) => ({ value: p.id, label: label(p), selected: p.id === values.recertPathId })),
    });
  };

  const renderTierRequirements = async (res: Response, status: number, model: { values?: Record<string, string | string[]>; errors?: FieldErrors; message?: string }) => {
    const { requirements, tiers, certifications: list } = await certifications.tierRequirements();
    const values = model.values ?? {};
    res.status(status).render('pages/certifications/tier-requirements', {
      title: 'Tier certification requirements',
      requirements: requirements.map((r) => ({ ...r, roleLabel: roleLabel(r.role) })),
      tiers: tiers.map((t) => ({ value: t.id, label: t.name, selected: t.id === values.tierId })),
      certifications: list.map((c) => ({ value: c.id, label: c.name, selected: c.id === values.certificationId })),
      roles: PARTNER_ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r], selected: r === values.role })),
      values,
      errors: model.errors ?? {},
      message: model.message,
    });
  };

  const saveCertification = async (req: Request, res: Response, id: string | null) => {
    const values = submittedValues(req.body);
    const form = parseFields(certificationForm, req.body);
    if (!form.ok) return renderForm(res, 400, { id, values, errors: form.fields, message: 'The certification was not saved. Please correct the fields marked below.' });
    try {
      if (id === null) {
        const created = await certifications.create(req.actor!, form.data);
        flash(req, 'success', `Certification "${created.name}" created. People who meet its requirements are certified as they complete them.`);
        return res.redirect(303, `/certifications/${created.id}/holders`);
      }
      const { certification, requirementsChanged } = await certifications.update(req.actor!, id, form.data);
      flash(
        req,
        'success',
        requirementsChanged
          ? `Saved. The new requirements apply to earnings from now on; certificates already issued for "${certification.name}" stay valid.`
          : `Saved "${certification.name}".`,
      );
      res.redirect(303, `/certifications/${id}/holders`);
    } catch (err) {
      const failure = fieldErrorsOf(err);
      if (failure === null || failure.status === 404) throw err;
      await renderForm(res, failure.status, { id, values, errors: failure.fields, message: failure.message });
    }
  };

  return [
    {
      method: 'get',
      path: '/certifications',
      access: { action: 'certification.view' },
      handler: async (req, res) => {
        const [rows, vendorName] = await Promise.all([certifications.mine(req.actor!), certifications.vendorName()]);
        res.render('pages/certifications/mine', {
          title: 'My certifications',
          current: rows
            .filter((r) => r.latest)
            .map((r) => ({
              ...r,
              statusModel: statusModel(r.status),
              pdfHref: `/certifications/certificates/${r.id}.pdf`,
              verifyHref: `/verify/${r.id}`,
              // Only a valid certificate is worth putting on a profile.
              shareable: r.status === 'valid',
              linkedInHref: linkedInAddToProfile(r, vendorName),
            })),
          earlier: rows.filter((r) => !r.latest).map((r) => ({ ...r, statusModel: statusModel(r.status) })),
          mayReport: canPerform(req.actor!, 'certification.report'),
          mayManage: canPerform(req.actor!, 'certification.manage'),
        });
      },
    },
    {
      method: 'get',
      path: '/certifications/manage',
      access: { action: 'certification.manage' },
      handler: async (_req, res) => {
        const rows = await certifications.listCertifications();
        res.render('pages/certifications/manage-list', { title: 'Certifications', certifications: rows });
      },
    },
    {
      method: 'get',
      path: '/certifications/new',
      access: { action: 'certification.manage' },
      handler: (_req, res) => renderForm(res, 200, { id: null }),
    },
    {
      method: 'post',
      path: '/certifications',
      access: { action: 'certification.manage' },
      handler: (req, res) => saveCertification(req, res, null),
    },
    {
      method: 'get',
      path: '/certifications/:id/edit',
      access: { action: 'certification.manage' },
      handler: (req, res) => renderForm(res, 200, { id: certificationIdOf(req) }),
    },
    {
      method: 'get',
      path: '/certifications/:id/holders',
      access: { action: 'certification.manage' },
      handler: async (req, res) => {
        const { certification, holders } = await certifications.holders(certificationIdOf(req));
        res.render('pages/certifications/holders', {
          title: `Holders of ${certification.name}`,
          certification,
          holders: holders.map((h) => ({ ...h, statusModel: statusModel(h.status), revocable: h.status !== 'revoked' })),
          validCount: holders.filter((h) => h.status === 'valid').length,
        });
      },
    },
    {
      method: 'post',
      path: '/certifications/certificates/:publicId/revoke',
      access: { action: 'certification.manage' },
      handler: async (req, res) => {
        const publicId = publicIdOf(req);
        const form = parseFields(revokeForm, req.body);
        if (!form.ok) throw httpErrors.invalidInput({ reason: 'give a reason for revoking the certificate' });
        const certificate = await certifications.revoke(req.actor!, publicId, form.data.reason);
        flash(req, 'success', `The certificate of ${certificate.holderName} is revoked. Its verification page now says so.`);
        res.redirect(303, `/certifications/${certificate.certificationId}/holders`);
      },
    },
    {
      method: 'get',
      path: '/certifications/certificates/:publicId.pdf',
      access: { action: 'certification.view' },
      handler: async (req, res) => {
        const { pdf, fileName } = await certifications.certificatePdf(req.actor!, publicIdOf(req));
        res.setHeader('Cache-Control', 'private, no-store');
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.attachment(fileName);
        res.type('application/pdf').send(Buffer.from(pdf));
      },
    },
    {
      method: 'get',
      path: '/certifications/organisations',
      access: { action: 'certification.report' },
      handler: async (req, res) => {
        const view = await certifications.organisationView(req.actor!);
        res.render('pages/certifications/organisations', {
          title: 'Certified people by organisation',
          ownOrganisationOnly: view.scope.kind === 'organisation' ? req.actor!.organisationName : null,
          organisations: view.organisations.map((o) => ({
            ...o,
            rows: o.rows.map((r) => ({ ...r, requirements: r.requirements.map((q) => ({ ...q, roleLabel: roleLabel(q.role) })) })),
          })),
          expiring: view.expiring,
          withinDays: view.withinDays,
          mayManage: canPerform(req.actor!, 'certification.manage'),
        });
      },
    },
    {
      method: 'get',
      path: '/certifications/tier-requirements',
      access: { action: 'certification.manage' },
      handler: (_req, res) => renderTierRequirements(res, 200, {}),
    },
    {
      method: 'post',
      path: '/certifications/tier-requirements',
      access: { action: 'certification.manage' },
      handler: async (req, res) => {
        const values = submittedValues(req.body);
        const form = parseFields(tierRequirementForm, req.body);
        if (!form.ok) return renderTierRequirements(res, 400, { values, errors: form.fields, message: 'The requirement was not added. Please correct the fields marked below.' });
        try {
          await certifications.addTierRequirement(req.actor!, form.data);
          flash(req, 'success', 'Requirement added. The organisation view counts against it now.');
          res.redirect(303, '/certifications/tier-requirements');
        } catch (err) {
          const failure = fieldErrorsOf(err);
          if (failure === null) throw err;
          await renderTierRequirements(res, failure.status, { values, errors: failure.fields, message: failure.message });
        }
      },
    },
    {
      method: 'post',
      path: '/certifications/tier-requirements/:id/delete',
      access: { action: 'certification.manage' },
      handler: async (req, res) => {
        const params = tierRequirementParams.safeParse(req.params);
        const removed = params.success && (await certifications.removeTierRequirement(req.actor!, params.data.id));
        flash(req, removed ? 'success' : 'info', removed ? 'Requirement removed.' : 'That requirement had already been removed.');
        res.redirect(303, '/certifications/tier-requirements');
      },
    },
    // After every other POST /certifications/<word>: Express tries routes in order, and :id would take "tier-requirements".
    {
      method: 'post',
      path: '/certifications/:id',
      access: { action: 'certification.manage' },
      handler: (req, res) => saveCertification(req, res, certificationIdOf(req)),
    },
    {
      method: 'get',
      path: '/verify/:publicId',
      access: 'public',
      handler: async (req, res) => {
        // Shared caches must not keep an answer that changes on revocation or expiry; search engines need not index holders.
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('X-Robots-Tag', 'noindex');
        const publicId = typeof req.params.publicId === 'string' ? req.params.publicId : '';
        let certificate;
        try {
          certificate = await certifications.verify(publicId, req.ip ?? '');
        } catch (err) {
          const retryAfter = (err as { details?: { retryAfterSeconds?: number } }).details?.retryAfterSeconds;
          if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
          throw err;
        }
        // An unknown id and a malformed one get the very same page.
        const issuer = await certifications.vendorName();
        // The side panel speaks to whoever checks a certificate (an employer, a customer), not to learners.
        const aside = {
          heading: `Certified by ${issuer}`,
          text: `${issuer} certifies the people of its partner organisations through Partner Academy. Every certificate carries a link and a QR code to this page, which always shows its current status.`,
        };
        if (certificate === null) return void res.status(404).render('pages/verify-not-found', { title: 'Certificate not found', layout: 'public', aside });
        res.render('pages/verify', {
          title: `Certificate: ${certificate.certificationName}`,
          layout: 'public',
          aside,
          issuer,
          certificate,
          statusModel: statusModel(certificate.status),
          valid: certificate.status === 'valid',
        });
      },
    },
  ];
}
