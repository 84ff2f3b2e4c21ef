import type { AppDeps } from '../app-deps.js';
import type { Actor } from '../tenancy/actor.js';
import { canPerform, scopeFor } from '../tenancy/policy.js';
import * as organisationsRepository from '../organisations/organisations.repository.js';
import * as usersRepository from '../users/users.repository.js';
import type { PathsService } from '../../courses/paths/paths.service.js';
import type { CertificationsService } from '../../courses/certifications/certifications.service.js';
import type { GamificationService } from '../../courses/gamification/gamification.service.js';
import type { ProgrammeAnalyticsService } from '../../courses/programme-analytics/programme-analytics.service.js';

const THIRTY_DAYS_MS = 30 * 24 * 3600_000;
/** Programme-wide figures scan every user; they are a summary, so they are shared for this long. */
export const VENDOR_FIGURES_TTL_MS = 30_000;

interface VendorFigures {
  partnerCount: number;
  partnersByTier: { name: string; count: number }[];
  partnersByType: { partnerType: string | null; count: number }[];
  recentPartners: Awaited<ReturnType<typeof organisationsRepository.listRecentPartners>>;
  userCount: number;
  activeCount: number;
  computedAt: Date;
}

/**
 * The other modules' public services the partner home reads (never their repositories): the person's paths, certificates
 * and points, and a partner admin's organisation readiness.
 */
export interface DashboardSources {
  paths: Pick<PathsService, 'myPaths'>;
  certifications: Pick<CertificationsService, 'mine'>;
  gamification: Pick<GamificationService, 'standingOf'>;
  analytics: Pick<ProgrammeAnalyticsService, 'getReadiness'>;
}

/**
 * What the home page shows: programme figures for the vendor side; for partner users their own organisation, their
 * learning (paths, certificates, points) and, for a partner admin, their organisation's readiness.
 */
export function createDashboardService(deps: Pick<AppDeps, 'database' | 'clock'>, sources: DashboardSources) {
  const { db } = deps.database;
  // One computation at a time, shared by every vendor-side request until it is older than the TTL.
  let vendorFigures: Promise<VendorFigures> | undefined;

  async function computeVendorFigures(): Promise<VendorFigures> {
    const now = deps.clock();
    const [partnerCount, users, breakdown, recentPartners] = await Promise.all([
      organisationsRepository.countOrganisations(db, 'partner'),
      usersRepository.countUsersAndActive(db, { kind: 'all' }, new Date(now.getTime() - THIRTY_DAYS_MS)),
      organisationsRepository.countPartnersByTierAndType(db),
      organisationsRepository.listRecentPartners(db, 5),
    ]);
    return {
      partnerCount,
      partnersByTier: breakdown.byTier,
      partnersByType: breakdown.byType,
      recentPartners,
      userCount: users.total,
      activeCount: users.active,
      computedAt: now,
    };
  }

  async function currentVendorFigures(): Promise<VendorFigures> {
    const cached = vendorFigures;
    if (cached) {
      const figures = await cached.catch(() => undefined);
      if (figures && deps.clock().getTime() - figures.computedAt.getTime() < VENDOR_FIGURES_TTL_MS) return figures;
      if (vendorFigures !== cached) return currentVendorFigures();
    }
    vendorFigures = computeVendorFigures();
    return vendorFigures;
  }

  return {
    async buildDashboard(actor: Actor) {
      if (actor.organisationKind === 'vendor') {
        const figures = await currentVendorFigures();
        return { kind: 'vendor' as const, ...figures, mayCreateOrganisation: canPerform(actor, 'organisation.create') };
      }
      const overview = await organisationsRepository.findOrganisationOverview(db, scopeFor(actor), actor.organisationId, new Date(deps.clock().getTime() - THIRTY_DAYS_MS));
      // One after the other, in the order outcomes follow from each other: a path finished may earn a certificate,
      // and both score points. Each may record what it finds (a first completion, a certificate earned).
      const paths = await sources.paths.myPaths(actor);
      const certificates = await sources.certifications.mine(actor);
      const standing = await sources.gamification.standingOf(actor);
      // Scoped to the admin's own organisation by the analytics service (one row).
      const mayViewReadiness = actor.role === 'partner_admin' && canPerform(actor, 'course.report');
      const readiness = mayViewReadiness ? ((await sources.analytics.getReadiness(actor, {})).rows.find((r) => r.organisationId === actor.organisationId) ?? null) : null;
      return {
        kind: 'partner' as const,
        ...overview!,
        mayManageUsers: canPerform(actor, 'user.invite'),
        paths,
        certificates,
        standing,
        readiness,
        mayViewReadiness,
      };
    },
  };
}

export type DashboardService = ReturnType<typeof createDashboardService>;
