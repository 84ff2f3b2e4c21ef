import { z } from 'zod';
import { PARTNER_TYPES } from '../../server/organisations/organisations.table.js';
import { REGIONS } from '../../server/organisations/organisations.schema.js';

export const ANALYTICS_PERIODS = ['30', '90', '365'] as const;
export type AnalyticsPeriodChoice = (typeof ANALYTICS_PERIODS)[number];

/** The dashboard's tables that have a CSV download, by their URL name. */
export const ANALYTICS_TABLES = ['trend', 'courses', 'certifications'] as const;
export type AnalyticsTable = (typeof ANALYTICS_TABLES)[number];

/**
 * The dashboard's filters from the query string. Unknown values fall back to "all" (a stale bookmark still opens);
 * a partner admin's organisation filter is ignored by the service (their scope is their organisation).
 */
export const analyticsQuery = z.object({
  period: z.enum(ANALYTICS_PERIODS).catch('90'),
  partnerType: z.enum(PARTNER_TYPES).optional().catch(undefined),
  tierId: z.uuid().optional().catch(undefined),
  region: z.enum(REGIONS).optional().catch(undefined),
  organisationId: z.uuid().optional().catch(undefined),
});
export type AnalyticsQuery = z.output<typeof analyticsQuery>;

/** The readiness page: the filters, which organisations to list (all, or only those at risk) and the page. */
export const readinessQuery = analyticsQuery.extend({
  show: z.enum(['all', 'at_risk']).catch('all'),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});
export type ReadinessQuery = z.output<typeof readinessQuery>;

/** Organisations per readiness page: a vendor with 2,000 partners gets pages, not a 3 MB table (the CSV has them all). */
export const READINESS_PAGE_SIZE = 50;
