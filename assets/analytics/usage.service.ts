import type { AppDeps } from '../../server/app-deps.js';
import type { Actor } from '../../server/tenancy/actor.js';
import { canPerform, scopeFor, type OrgScope } from '../../server/tenancy/policy.js';
import { httpErrors } from '../../server/http/http.errors.js';
import { listTiers } from '../../server/organisations/organisations.repository.js';
import * as usageRepository from './usage.repository.js';
import type { UsageFilter } from './usage.repository.js';
import { usageErrors } from './usage.errors.js';
import { bucketsOf, resolvePeriod, type TrendBucket, type UsagePeriod } from './usage-period.js';
import type { UsageReportQuery, UsageTable } from './usage.schema.js';

/** Rows the page shows of each long table; the CSV always has every row. */
export const PAGE_ROWS = { mostUsed: 20, organisations: 50, neverUsed: 50 } as const;

export interface TrendCount extends TrendBucket {
  views: number;
  downloads: number;
  renders: number;
  total: number;
}

/**
 * Library usage for enablement (every partner organisation, filterable) and for a partner admin (their own
 * organisation only, whatever the query asks: scopeFor decides, the filters cannot widen it). Only partner
 * organisations' events count; the vendor's own staff opening assets is not partner usage.
 */
export function createUsageReportService(deps: Pick<AppDeps, 'database' | 'clock'>) {
  const { db } = deps.database;

  /** The period and the event filter the caller's role and query come to. */
  async function prepare(actor: Actor, query: UsageReportQuery) {
    if (!canPerform(actor, 'asset.report')) throw httpErrors.forbidden();
    const now = deps.clock();
    const resolved = resolvePeriod(query, now);
    if (!resolved.ok) throw usageErrors.invalidPeriod(resolved.fields);
    const period = resolved.period;
    const scope: OrgScope = scopeFor(actor);
    const base = { from: period.from, until: period.until, kind: query.kind };
    // A partner admin's organisation has one type, tier and region: only period and kind narrow their report.
    if (scope.kind === 'organisation') return { now, period, scope, filter: { ...base, organisationId: scope.organisationId } satisfies UsageFilter };
    if (query.organisationId && !(await usageRepository.findPartnerOrganisation(db, query.organisationId))) throw usageErrors.organisationUnknown();
    const filter: UsageFilter = { ...base, organisationId: query.organisationId, partnerType: query.partnerType, tierId: query.tierId, region: query.region };
    return { now, period, scope, filter };
  }

  async function trendOf(filter: UsageFilter, period: UsagePeriod): Promise<TrendCount[]> {
    const rows = await usageRepository.listUsageTrend(db, filter, period.bucket);
    const byKey = new Map(rows.map((r) => [r.bucket, r]));
    return bucketsOf(period).map((b) => {
      const r = byKey.get(b.key);
      return { ...b, views: r?.views ?? 0, downloads: r?.downloads ?? 0, renders: r?.renders ?? 0, total: r?.total ?? 0 };
    });
  }

  return {
    async getReport(actor: Actor, query: UsageReportQuery) {
      const { now, period, scope, filter } = await prepare(actor, query);
      const vendorSide = scope.kind === 'all';
      const [totals, mostUsed, organisations, partnerTypes, neverUsed, trend, tiers, partnerOrganisations] = await Promise.all([
        usageRepository.summariseUsage(db, filter),
        usageRepository.listMostUsedAssets(db, filter, query.sort, PAGE_ROWS.mostUsed),
        usageRepository.listUsageByOrganisation(db, filter),
        usageRepository.listUsageByPartnerType(db, filter),
        usageRepository.listNeverUsedAssets(db, filter, now),
        trendOf(filter, period),
        vendorSide ? listTiers(db) : Promise.resolve([]),
        // Only the vendor side chooses between organisations; a partner admin never gets other organisations' names.
        vendorSide ? usageRepository.listPartnerOrganisations(db) : Promise.resolve([]),
      ]);
      return {
        period,
        scope,
        totals,
        mostUsed,
        organisations: organisations.slice(0, PAGE_ROWS.organisations),
        organisationCount: organisations.length,
        partnerTypes,
        neverUsed: neverUsed.slice(0, PAGE_ROWS.neverUsed),
        neverUsedCount: neverUsed.length,
        trend,
        tiers: tiers.map((t) => ({ id: t.id, name: t.name })),
        partnerOrganisations,
      };
    },

    /** Every row of one table, for its CSV download, with the same filters and scope as the page. */
    async exportTable(actor: Actor, table: UsageTable, query: UsageReportQuery) {
      const { now, period, filter } = await prepare(actor, query);
      switch (table) {
        case 'most-used':
          return { table, period, rows: await usageRepository.listMostUsedAssets(db, filter, query.sort) };
        case 'organisations':
          return { table, period, rows: await usageRepository.listUsageByOrganisation(db, filter) };
        case 'partner-types':
          return { table, period, rows: await usageRepository.listUsageByPartnerType(db, filter) };
        case 'never-used':
          return { table, period, rows: await usageRepository.listNeverUsedAssets(db, filter, now) };
        case 'trend':
          return { table, period, rows: await trendOf(filter, period) };
      }
    },
  };
}

export type UsageReportService = ReturnType<typeof createUsageReportService>;
export type UsageReport = Awaited<ReturnType<UsageReportService['getReport']>>;
