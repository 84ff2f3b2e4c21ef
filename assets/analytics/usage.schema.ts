import { z } from 'zod';
import { PARTNER_TYPES } from '../../server/organisations/organisations.table.js';
import { REGIONS } from '../../server/organisations/organisations.schema.js';
import { assetEventKind } from './usage.table.js';

export const USAGE_PERIODS = ['7', '30', '90', 'custom'] as const;
export type UsagePeriodChoice = (typeof USAGE_PERIODS)[number];

export const USAGE_SORTS = ['total', 'views', 'downloads', 'renders'] as const;
export type UsageSort = (typeof USAGE_SORTS)[number];

/** The tables of the report that have a CSV download, by their URL name. */
export const USAGE_TABLES = ['most-used', 'organisations', 'partner-types', 'never-used', 'trend'] as const;
export type UsageTable = (typeof USAGE_TABLES)[number];

/** Kept as typed: only a custom period reads them, and resolvePeriod says what is wrong with them. */
const typedDay = z.string().trim().max(32).optional().catch(undefined);

/**
 * The report's filters, from the query string. Choices from a list fall back to "all" when unknown (a stale
 * bookmark still opens); the custom dates are checked by resolvePeriod (usage-period.ts), so a bad one is reported.
 */
export const usageReportQuery = z.object({
  period: z.enum(USAGE_PERIODS).catch('30'),
  from: typedDay,
  to: typedDay,
  partnerType: z.enum(PARTNER_TYPES).optional().catch(undefined),
  tierId: z.uuid().optional().catch(undefined),
  region: z.enum(REGIONS).optional().catch(undefined),
  organisationId: z.uuid().optional().catch(undefined),
  kind: z.enum(assetEventKind.enumValues).optional().catch(undefined),
  sort: z.enum(USAGE_SORTS).catch('total'),
});

export type UsageReportQuery = z.output<typeof usageReportQuery>;
