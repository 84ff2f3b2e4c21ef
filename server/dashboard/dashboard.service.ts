import type { AppDeps } from '../app-deps.js';
import type { Actor } from '../tenancy/actor.js';
import { canPerform, scopeFor } from '../tenancy/policy.js';
import * as organisationsRepository from '../organisations/organisations.repository.js';
import * as usersRepository from '../users/users.repository.js';
import type { PathsService } from '../../courses/paths/paths.service.js';
import type { CertificationsService } from '../../courses/certifications/certifications.service.js';
import type { GamificationService } from '../../courses/gamification/gamification.service.js';
import type { ProgrammeAnalyticsService } from '../../courses/programme-analytics/programme-analytics.service.js';
import { analyticsQuery } from '../../courses/programme-analytics/programme-analytics.schema.js';
import type { CatalogueService } from '../../courses/catalogue/catalogue.service.js';
import { createFigureCache } from '../../courses/programme-analytics/figure-cache.js';

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

/** Organisations at risk listed on the vendor home; the rest are on /analytics/readiness. */
export const HOME_AT_RISK = 5;

/** Set-up steps the vendor home suggests, each only while it is still to do and to someone who may do it. */
export type VendorNextStep = 'add_partners' | 'set_up_tiers' | 'upload_course' | 'create_certification';

/**
 * The other modules' public services the home page reads (never their repositories): the person's paths, certificates
 * and points, an organisation's readiness, the programme's figures (both cached by the analytics service's figure
 * cache) and, only when the programme has no enrolments, whether any course is published.
 */
export interface DashboardSources {
  paths: Pick<PathsService, 'myAssignedPaths'>;
  certifications: Pick<CertificationsService, 'myCertificates'>;
  gamification: Pick<GamificationService, 'standingOf'>;
  analytics: Pick<ProgrammeAnalyticsService, 'getReadiness' | 'getDashboard'>;
  catalogue: Pick<CatalogueService, 'listCatalogue'>;
}

/**
 * What the home page shows: programme figures for the vendor side; for partner users their own organisation, their
 * learning (paths, certificates, points) and, for a partner admin, their organisation's readiness.
 */
export function createDashboardService(deps: Pick<AppDeps, 'database' | 'clock'>, sources: DashboardSources) {
  const { db } = deps.database;
  // One computation at a time, shared by every vendor-side request until it is older than the TTL.
  let vendorFigures: Promise<VendorFigures> | undefined;
  // The programme summary as well, per scope (the whole vendor side shares one): the analytics service caches its
  // figures but lists every partner organisation for its filters on each call, which the home does not need each time.
  const programmeCache = createFigureCache({ ttlMs: VENDOR_FIGURES_TTL_MS, maxEntries: 10, now: () => deps.clock().getTime() });

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

  /**
   * The programme at a glance, as /analytics and /analytics/readiness show it with their default filters: the same
   * public functions, so the same figures (at most VENDOR_FIGURES_TTL_MS older).
   */
  function programmeOf(actor: Actor) {
    return programmeCache.get(JSON.stringify(scopeFor(actor)), () => computeProgramme(actor));
  }

  async function computeProgramme(actor: Actor) {
    const query = analyticsQuery.parse({});
    const [report, readiness] = await Promise.all([sources.analytics.getDashboard(actor, query), sources.analytics.getReadiness(actor, {})]);
    const atRisk = readiness.rows.filter((r) => r.atRisk);
    return {
      period: { days: Number(query.period), choice: query.period, firstDay: report.period.firstDay, lastDay: report.period.lastDay },
      enrolments: report.totals.enrolments,
      completions: report.totals.completions,
      certificationsEarned: report.totals.certificationsEarned,
      organisationCount: readiness.rows.length,
      atRiskCount: atRisk.length,
      attention: atRisk.slice(0, HOME_AT_RISK).map((r) => ({ organisationId: r.organisationId, name: r.name, tierName: r.tierName, reason: r.reasons[0]!, moreReasons: r.reasons.length - 1 })),
      certificationCount: report.certifications.length,
      // Asked here, inside the cached summary, so a programme without enrolments does not list the catalogue on every view.
      hasCourses: report.courses.length > 0 || (await sources.catalogue.listCatalogue(actor, { page: 1 })).total > 0,
    };
  }

  /** What is still to set up, from what the (cached) figures already know. */
  async function nextStepsOf(actor: Actor, figures: VendorFigures, programme: Awaited<ReturnType<typeof programmeOf>> | null): Promise<VendorNextStep[]> {
    const steps: VendorNextStep[] = [];
    if (figures.partnerCount === 0 && canPerform(actor, 'organisation.create')) steps.push('add_partners');
    if (figures.partnersByTier.length === 0 && canPerform(actor, 'tier.manage')) steps.push('set_up_tiers');
    if (programme && !programme.hasCourses && canPerform(actor, 'course.manage')) steps.push('upload_course');
    if (programme && programme.certificationCount === 0 && canPerform(actor, 'certification.manage')) steps.push('create_certification');
    return steps;
  }

  return {
    async buildDashboard(actor: Actor) {
      if (actor.organisationKind === 'vendor') {
        // Everyone on the vendor side may report today; the check keeps the figures to those who may should that change.
        const mayViewProgramme = canPerform(actor, 'course.report');
        const [figures, programme] = await Promise.all([currentVendorFigures(), mayViewProgramme ? programmeOf(actor) : null]);
        const nextSteps = await nextStepsOf(actor, figures, programme);
        return { kind: 'vendor' as const, ...figures, programme, nextSteps, mayCreateOrganisation: canPerform(actor, 'organisation.create') };
      }
      const overview = await organisationsRepository.findOrganisationOverview(db, scopeFor(actor), actor.organisationId, new Date(deps.clock().getTime() - THIRTY_DAYS_MS));
      // Reads only, side by side: the catch-ups (rules reconciled, certificates evaluated, recertification assigned) run
      // on My learning, My certifications and the jobs, not on the page everyone opens first.
      const mayViewReadiness = actor.role === 'partner_admin' && canPerform(actor, 'course.report');
      const [paths, certificates, standing, readiness] = await Promise.all([
        sources.paths.myAssignedPaths(actor),
        sources.certifications.myCertificates(actor),
        sources.gamification.standingOf(actor),
        // Scoped to the admin's own organisation by the analytics service (one row).
        mayViewReadiness ? sources.analytics.getReadiness(actor, {}).then((r) => r.rows.find((row) => row.organisationId === actor.organisationId) ?? null) : null,
      ]);
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
