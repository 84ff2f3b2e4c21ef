import type { RouteSpec } from '../http/route-table.js';
import type { DashboardService } from './dashboard.service.js';
import { ROLE_LABELS } from '../tenancy/actor.js';
import { PARTNER_TYPE_LABELS } from '../organisations/organisations.schema.js';
import { pathCardModel } from '../../courses/paths/paths.routes.js';
import type { PathProgress } from '../../courses/paths/paths.service.js';
import { CERTIFICATE_STATUS_LABELS, type CertificateStatus } from '../../courses/certifications/certificate-status.js';

/** What comes next on the vendor side's home pages; partner people see their own learning instead. */
const NEXT_STEPS: Partial<Record<keyof typeof ROLE_LABELS, readonly string[]>> = {
  vendor_admin: ['Add your partner organisations and invite their admins.', 'Set up the tiers your programme uses under Partners › Partner tiers.'],
  enablement_manager: ['Course uploads (SCORM 1.2 and 2004) arrive here next.', 'Then the content library and learning paths.'],
  channel_manager: ['Review partner organisations, their tiers and regions.', 'Readiness reports arrive with certifications.'],
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
          nextSteps: NEXT_STEPS[actor.role] ?? [],
          vendor: data.kind === 'vendor' ? vendorModel(data) : null,
          partner: data.kind === 'partner' ? partnerModel(data) : null,
        });
      },
    },
  ];
}
