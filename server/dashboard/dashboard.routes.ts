import type { RouteSpec } from '../http/route-table.js';
import type { DashboardService, VendorNextStep } from './dashboard.service.js';
import { ROLE_LABELS } from '../tenancy/actor.js';
import { PARTNER_TYPE_LABELS } from '../organisations/organisations.schema.js';
import { pathCardModel } from '../../courses/paths/paths.routes.js';
import type { PathProgress } from '../../courses/paths/paths.service.js';
import { CERTIFICATE_STATUS_LABELS, type CertificateStatus } from '../../courses/certifications/certificate-status.js';

/** The vendor home's set-up steps, shown only while they are still to do (the service decides which). */
const NEXT_STEP_TEXT: Readonly<Record<VendorNextStep, { text: string; href: string; action: string }>> = {
  add_partners: { text: 'No partner organisations yet. Add them and invite their admins.', href: '/organisations/new', action: 'Add a partner organisation' },
  set_up_tiers: { text: 'No partner tiers yet. Set up the tiers your programme uses.', href: '/settings/tiers', action: 'Set up partner tiers' },
  upload_course: { text: 'No published courses yet. Upload a SCORM 1.2 or 2004 package and publish it.', href: '/courses/new', action: 'Upload a course' },
  create_certification: { text: 'No certifications yet. Create one from your courses and an exam.', href: '/certifications/new', action: 'Create a certification' },
};

type Dashboard = Awaited<ReturnType<DashboardService['buildDashboard']>>;
type VendorDashboard = Extract<Dashboard, { kind: 'vendor' }>;
type PartnerDashboard = Extract<Dashboard, { kind: 'partner' }>;

/** Paths shown on the home page; the rest are on /paths. */
const HOME_PATHS = 4;
const HOME_REASONS = 3;

const CERTIFICATE_BADGES: Readonly<Record<CertificateStatus, string>> = { valid: 'badge--ok', expired: 'badge--muted', revoked: 'badge--danger' };

/** Unfinished paths first by urgency: overdue, then the nearest due date, then those without one. */
function byUrgency(a: PathProgress, b: PathProgress): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  const due = (p: PathProgress) => p.enrolment?.dueAt?.getTime() ?? Number.POSITIVE_INFINITY;
  return due(a) - due(b) || a.path.title.localeCompare(b.path.title);
}

/** The first step still to do that is open (not waiting for earlier steps), as the home page's main button. */
function nextStepOf(p: PathProgress) {
  const step = p.steps.find((s) => !s.done && !s.locked && (s.kind === 'course' ? s.courseTitle : s.assetTitle));
  if (!step) return null;
  const course = step.kind === 'course';
  return {
    pathId: p.path.id,
    pathTitle: p.path.title,
    title: (course ? step.courseTitle : step.assetTitle)!,
    kindLabel: course ? 'Course' : 'Reading',
    href: course ? `/courses/${step.courseId}` : `/library/assets/${step.assetId}`,
    actionLabel: course ? (step.started ? 'Continue the course' : 'Start the course') : 'Read it now',
    overdue: p.overdue,
    dueAt: p.enrolment?.dueAt ?? null,
  };
}

function learningModel(paths: PathProgress[]) {
  const open = paths.filter((p) => !p.complete).sort(byUrgency);
  const nextPath = open.find((p) => nextStepOf(p) !== null);
  return {
    assigned: paths.length,
    completed: paths.length - open.length,
    overdue: open.filter((p) => p.overdue).length,
    cards: open.slice(0, HOME_PATHS).map(pathCardModel),
    more: Math.max(0, open.length - HOME_PATHS),
    next: nextPath ? nextStepOf(nextPath) : null,
  };
}

function certificatesModel(rows: PartnerDashboard['certificates']) {
  return rows
    .filter((r) => r.latest)
    .map((r) => ({
      name: r.certificationName,
      status: { label: CERTIFICATE_STATUS_LABELS[r.status], badge: CERTIFICATE_BADGES[r.status] },
      expiresAt: r.expiresAt,
      expired: r.status === 'expired',
      valid: r.status === 'valid',
      recertifyBy: r.recertifyBy,
      recertPathId: r.recertPathId,
    }));
}

function standingModel(standing: PartnerDashboard['standing']) {
  return { ...standing, none: standing.allTime.points === 0 };
}

function readinessModel(row: NonNullable<PartnerDashboard['readiness']>) {
  return {
    atRisk: row.atRisk,
    reasons: row.reasons.slice(0, HOME_REASONS),
    moreReasons: Math.max(0, row.reasons.length - HOME_REASONS),
    activeUsers: row.activeUsers,
    expiring: row.expiring,
    requirementsMet: row.certifiedNeeded.filter((n) => n.met).length,
    requirements: row.certifiedNeeded.length,
  };
}

function partnerModel(data: PartnerDashboard) {
  return {
    organisation: {
      id: data.organisation.id,
      name: data.organisation.name,
      tierName: data.organisation.tierName,
      region: data.organisation.region,
      partnerTypeLabel: data.organisation.partnerType ? PARTNER_TYPE_LABELS[data.organisation.partnerType] : '',
    },
    colleagueCount: data.colleagueCount,
    activeCount: data.activeCount,
    mayManageUsers: data.mayManageUsers,
    learning: learningModel(data.paths),
    certificates: certificatesModel(data.certificates),
    standing: standingModel(data.standing),
    mayViewReadiness: data.mayViewReadiness,
    readiness: data.readiness ? readinessModel(data.readiness) : null,
  };
}

/** The programme at a glance: each figure links to the page it comes from, with the same period. */
function programmeModel(programme: NonNullable<VendorDashboard['programme']>) {
  const analyticsHref = `/analytics?period=${programme.period.choice}`;
  return {
    ...programme,
    analyticsHref,
    readinessHref: '/analytics/readiness?show=at_risk',
    moreAtRisk: programme.atRiskCount > programme.attention.length,
    attention: programme.attention.map((o) => ({ ...o, href: `/analytics/readiness?organisationId=${o.organisationId}` })),
  };
}

/**
 * Bars are widths relative to the largest group, in 5% steps: the CSP allows no inline styles, so each
 * step is a class in app.css.
 */
function vendorModel(data: VendorDashboard) {
  const bars = <T extends { count: number }>(rows: T[], label: (row: T) => string) => {
    const max = Math.max(1, ...rows.map((r) => r.count));
    return rows.map((r) => ({ label: label(r), count: r.count, step: Math.round((r.count / max) * 20) * 5 }));
  };
  return {
    ...data,
    tierBars: bars(data.partnersByTier, (r) => r.name),
    typeBars: bars(data.partnersByType, (r) => (r.partnerType ? PARTNER_TYPE_LABELS[r.partnerType as keyof typeof PARTNER_TYPE_LABELS] : 'Unknown')),
    recentPartners: data.recentPartners.map((o) => ({ ...o, partnerTypeLabel: o.partnerType ? PARTNER_TYPE_LABELS[o.partnerType] : '' })),
    programme: data.programme ? programmeModel(data.programme) : null,
    nextSteps: data.nextSteps.map((step) => NEXT_STEP_TEXT[step]),
  };
}

export function dashboardRoutes(dashboard: DashboardService): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/',
      access: { action: 'dashboard.view' },
      handler: async (req, res) => {
        const actor = req.actor!;
        const data = await dashboard.buildDashboard(actor);
        res.render('pages/dashboard', {
          title: 'Home',
          firstName: actor.name.split(/\s+/)[0],
          roleLabel: ROLE_LABELS[actor.role],
          vendor: data.kind === 'vendor' ? vendorModel(data) : null,
          partner: data.kind === 'partner' ? partnerModel(data) : null,
        });
      },
    },
  ];
}
