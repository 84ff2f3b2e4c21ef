import type { AppDeps } from '../app-deps.js';
import type { Actor } from '../tenancy/actor.js';
import { canPerform, scopeFor } from '../tenancy/policy.js';
import * as organisationsRepository from '../organisations/organisations.repository.js';
import * as usersRepository from '../users/users.repository.js';

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

/** What the home page shows: programme figures for the vendor side, the partner's own organisation for partner users. */
export function createDashboardService(deps: Pick<AppDeps, 'database' | 'clock'>) {
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
      return { kind: 'partner' as const, ...overview!, mayManageUsers: canPerform(actor, 'user.invite') };
    },
  };
}

export type DashboardService = ReturnType<typeof createDashboardService>;
