import type { RouteSpec } from '../http/route-table.js';
import type { DashboardService } from './dashboard.service.js';
import { ROLE_LABELS } from '../tenancy/actor.js';
import { PARTNER_TYPE_LABELS } from '../organisations/organisations.schema.js';

/** What comes next on each home page, until the course, library and certification features fill it. */
const NEXT_STEPS = {
  vendor_admin: ['Add your partner organisations and invite their admins.', 'Set up the tiers your programme uses under Partners › Partner tiers.'],
  enablement_manager: ['Course uploads (SCORM 1.2 and 2004) arrive here next.', 'Then the content library and learning paths.'],
  channel_manager: ['Review partner organisations, their tiers and regions.', 'Readiness reports arrive with certifications.'],
  partner_admin: ['Invite your team: reps take courses, marketers use the collateral library.', 'Keep your branding current for co-branded downloads.'],
  partner_rep: ['Your assigned courses and learning paths will appear here.', 'Certifications you earn will be listed with their expiry dates.'],
  partner_marketer: ['Co-branded collateral will appear here, ready to download with your logo.', 'Check that your organisation branding is up to date.'],
} as const;

type VendorDashboard = Extract<Awaited<ReturnType<DashboardService['buildDashboard']>>, { kind: 'vendor' }>;

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
          nextSteps: NEXT_STEPS[actor.role],
          vendor: data.kind === 'vendor' ? vendorModel(data) : null,
          partner:
            data.kind === 'partner'
              ? {
                  ...data,
                  organisation: {
                    id: data.organisation.id,
                    name: data.organisation.name,
                    tierName: data.organisation.tierName,
                    region: data.organisation.region,
                    partnerTypeLabel: data.organisation.partnerType ? PARTNER_TYPE_LABELS[data.organisation.partnerType] : '',
                  },
                }
              : null,
        });
      },
    },
  ];
}
