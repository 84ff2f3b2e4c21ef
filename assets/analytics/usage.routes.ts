import type { Request, Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import type { RouteSpec } from '../../server/http/route-table.js';
import { fieldErrorsOf, type FieldErrors } from '../../server/http/validate.js';
import { scopeFor } from '../../server/tenancy/policy.js';
import { PARTNER_TYPES, type PartnerType } from '../../server/organisations/organisations.table.js';
import { PARTNER_TYPE_LABELS, REGIONS } from '../../server/organisations/organisations.schema.js';
import { usageReportQuery, USAGE_TABLES, type UsageReportQuery, type UsageSort, type UsageTable } from './usage.schema.js';
import type { TrendCount, UsageReport, UsageReportService } from './usage.service.js';
import { PAGE_ROWS } from './usage.service.js';
import type { UsagePeriod } from './usage-period.js';
import { miniBarModel, trendChartModel, USAGE_KINDS, type UsageKindKey } from './usage-chart.js';

/* ---------- labels ---------- */

const PERIOD_LABELS = { '7': 'Last 7 days', '30': 'Last 30 days', '90': 'Last 90 days', custom: 'Custom dates' } as const;
const KIND_FILTER = [
  { value: 'view', label: 'Views', key: 'views' },
  { value: 'download', label: 'Downloads', key: 'downloads' },
  { value: 'render', label: 'Co-branded renders', key: 'renders' },
] as const;
const SORT_LABELS: Readonly<Record<UsageSort, string>> = { total: 'All uses', views: 'Views', downloads: 'Downloads', renders: 'Co-branded renders' };

const utc = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC' });
const shortDay = utc({ day: 'numeric', month: 'short' });
const weekday = utc({ weekday: 'short' });
const fullDay = utc({ day: 'numeric', month: 'short', year: 'numeric' });
const at = (day: string) => new Date(`${day}T00:00:00Z`);
/** "Wed 25 Nov 2026" (Intl would put a comma after the weekday). */
const longDay = (day: string) => `${weekday.format(at(day))} ${fullDay.format(at(day))}`;

/** "27 Oct – 25 Nov 2026". */
const rangeLabel = (firstDay: string, lastDay: string) => (firstDay === lastDay ? fullDay.format(at(firstDay)) : `${shortDay.format(at(firstDay))} – ${fullDay.format(at(lastDay))}`);

const partnerTypeLabel = (t: PartnerType | null) => (t ? PARTNER_TYPE_LABELS[t] : 'Not set');
/** "case_study" → "Case study". */
const categoryLabel = (c: string) => c.charAt(0).toUpperCase() + c.slice(1).replace(/_/g, ' ');

/** The kinds the report counts: one when the kind filter is set, else all three. */
function kindsOf(query: UsageReportQuery): UsageKindKey[] {
  const chosen = KIND_FILTER.find((k) => k.value === query.kind);
  return chosen ? [chosen.key] : USAGE_KINDS.map((k) => k.key);
}

/** The query string that reproduces the filters (the CSV links and the sort links keep them). */
function filterQueryOf(query: UsageReportQuery, overrides: Partial<Record<'sort', string>> = {}): string {
  const params = new URLSearchParams();
  params.set('period', query.period);
  if (query.period === 'custom') {
    if (query.from) params.set('from', query.from);
    if (query.to) params.set('to', query.to);
  }
  for (const key of ['partnerType', 'tierId', 'region', 'organisationId', 'kind'] as const) if (query[key]) params.set(key, query[key]);
  const sort = overrides.sort ?? query.sort;
  if (sort !== 'total') params.set('sort', sort);
  return params.toString();
}

/* ---------- view-models ---------- */

function trendModel(trend: TrendCount[], period: UsagePeriod, kinds: UsageKindKey[]) {
  const points = trend.map((b) => ({
    ...b,
    label: shortDay.format(at(b.firstDay)),
    longLabel: period.bucket === 'day' ? longDay(b.firstDay) : `Week of ${rangeLabel(b.firstDay, b.lastDay)}`,
  }));
  const unit = period.bucket;
  return {
    chart: trendChartModel(points, { kinds, unit, title: `Library use per ${unit}, ${rangeLabel(period.firstDay, period.lastDay)}` }),
    rows: points,
    unitLabel: unit === 'day' ? 'Day' : 'Week',
  };
}

function filterModel(report: UsageReport | null, query: UsageReportQuery, vendorSide: boolean) {
  return {
    periods: Object.entries(PERIOD_LABELS).map(([value, label]) => ({ value, label, selected: value === query.period })),
    custom: query.period === 'custom',
    // What was typed for custom dates; otherwise the days the chosen period covers (a starting point for custom ones).
    from: (query.period === 'custom' ? query.from : report?.period.firstDay) ?? '',
    to: (query.period === 'custom' ? query.to : report?.period.lastDay) ?? '',
    kinds: KIND_FILTER.map((k) => ({ value: k.value, label: k.label, selected: k.value === query.kind })),
    vendorSide,
    partnerTypes: PARTNER_TYPES.map((t) => ({ value: t, label: PARTNER_TYPE_LABELS[t], selected: t === query.partnerType })),
    tiers: (report?.tiers ?? []).map((t) => ({ value: t.id, label: t.name, selected: t.id === query.tierId })),
    regions: REGIONS.map((r) => ({ value: r, label: r, selected: r === query.region })),
    organisations: (report?.partnerOrganisations ?? []).map((o) => ({ value: o.id, label: o.name, selected: o.id === query.organisationId })),
  };
}

function reportModel(report: UsageReport, query: UsageReportQuery) {
  const kinds = kindsOf(query);
  const shown = (key: UsageKindKey) => kinds.includes(key);
  const q = filterQueryOf(query);
  const maxOf = (rows: { views: number; downloads: number; renders: number }[]) => Math.max(0, ...rows.map((r) => kinds.reduce((s, k) => s + r[k], 0)));
  const mostUsedMax = maxOf(report.mostUsed);
  const organisationMax = maxOf(report.organisations);
  const typeMax = maxOf(report.partnerTypes);
  return {
    periodLabel: rangeLabel(report.period.firstDay, report.period.lastDay),
    shown: { views: shown('views'), downloads: shown('downloads'), renders: shown('renders') },
    totals: report.totals,
    trend: trendModel(report.trend, report.period, kinds),
    legend: USAGE_KINDS.filter((k) => shown(k.key)).map((k) => ({ label: k.label, colour: k.colour })),
    mostUsed: report.mostUsed.map((r) => ({ ...r, categoryLabel: categoryLabel(r.category), archived: r.archivedAt !== null, bar: miniBarModel(r, mostUsedMax, kinds) })),
    mostUsedMore: report.totals.assets > report.mostUsed.length ? report.totals.assets : null,
    sortLinks: (['total', 'views', 'downloads', 'renders'] as const).map((s) => ({
      label: SORT_LABELS[s],
      href: `/library/reports?${filterQueryOf(query, { sort: s })}#most-used-heading`,
      current: s === query.sort,
    })),
    sort: { total: query.sort === 'total', views: query.sort === 'views', downloads: query.sort === 'downloads', renders: query.sort === 'renders' },
    organisations: report.organisations.map((o) => ({ ...o, partnerTypeLabel: partnerTypeLabel(o.partnerType), bar: miniBarModel(o, organisationMax, kinds) })),
    organisationsMore: report.organisationCount > report.organisations.length ? report.organisationCount : null,
    partnerTypes: report.partnerTypes.map((t) => {
      const total = kinds.reduce((s, k) => s + t[k], 0);
      return { ...t, label: partnerTypeLabel(t.partnerType), shownTotal: total, step: typeMax > 0 ? Math.round((total / typeMax) * 20) * 5 : 0 };
    }),
    neverUsed: report.neverUsed.map((a) => ({ ...a, categoryLabel: categoryLabel(a.category) })),
    neverUsedCount: report.neverUsedCount,
    neverUsedMore: report.neverUsedCount > report.neverUsed.length ? report.neverUsedCount : null,
    pageRows: PAGE_ROWS,
    csv: Object.fromEntries(USAGE_TABLES.map((t) => [t.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()), `/library/reports/${t}.csv?${q}`])),
  };
}

/* ---------- CSV ---------- */

/** "2026-11-25" (UTC): spreadsheets read it as a date. */
const csvDay = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : '');

type Export = Awaited<ReturnType<UsageReportService['exportTable']>>;

/** Header and rows of one table; the same columns as the page, every row. */
function csvOf(data: Export): { columns: string[]; rows: (string | number)[][] } {
  const counts = ['Views', 'Downloads', 'Co-branded renders', 'Total'];
  const countsOf = (r: { views: number; downloads: number; renders: number; total: number }) => [r.views, r.downloads, r.renders, r.total];
  switch (data.table) {
    case 'most-used':
      return {
        columns: ['Asset', 'Category', ...counts, 'Organisations', 'Archived'],
        rows: data.rows.map((r) => [r.title, categoryLabel(r.category), ...countsOf(r), r.organisations, r.archivedAt ? 'yes' : 'no']),
      };
    case 'organisations':
      return {
        columns: ['Organisation', 'Partner type', 'Tier', 'Region', ...counts, 'Active users', 'Assets used'],
        rows: data.rows.map((r) => [r.name, partnerTypeLabel(r.partnerType), r.tierName ?? '', r.region ?? '', ...countsOf(r), r.users, r.assets]),
      };
    case 'partner-types':
      return {
        columns: ['Partner type', 'Organisations', 'Active organisations', ...counts, 'Active users'],
        rows: data.rows.map((r) => [partnerTypeLabel(r.partnerType), r.organisationCount, r.activeOrganisations, ...countsOf(r), r.users]),
      };
    case 'never-used':
      return { columns: ['Asset', 'Category', 'Added (UTC)', 'Expires (UTC)'], rows: data.rows.map((r) => [r.title, categoryLabel(r.category), csvDay(r.createdAt), csvDay(r.expiresAt)]) };
    case 'trend':
      return { columns: ['First day (UTC)', 'Last day (UTC)', ...counts], rows: data.rows.map((r) => [r.firstDay, r.lastDay, ...countsOf(r)]) };
  }
}

/* ---------- routes ---------- */

export function usageRoutes(reports: UsageReportService): RouteSpec[] {
  const renderPage = (req: Request, res: Response, status: number, query: UsageReportQuery, report: UsageReport | null, failure?: { message: string; fields: FieldErrors }) => {
    // Whose figures the page may show decides which filters it offers (the organisation filter only for the vendor side).
    const vendorSide = scopeFor(req.actor!).kind === 'all';
    res.status(status).render('pages/library/reports', {
      title: 'Library usage',
      vendorSide,
      organisationName: req.actor!.organisationName,
      filters: filterModel(report, query, vendorSide),
      report: report ? reportModel(report, query) : null,
      errors: failure?.fields ?? {},
      message: failure?.message,
    });
  };

  return [
    {
      method: 'get',
      path: '/library/reports',
      access: { action: 'asset.report' },
      handler: async (req, res) => {
        const query = usageReportQuery.parse(req.query);
        try {
          renderPage(req, res, 200, query, await reports.getReport(req.actor!, query));
        } catch (err) {
          // Bad dates or an unknown organisation: the filters come back with the problem marked, and no figures.
          const failure = fieldErrorsOf(err);
          if (!failure || failure.status !== 400) throw err;
          renderPage(req, res, 400, query, null, failure);
        }
      },
    },
    ...USAGE_TABLES.map(
      (table: UsageTable): RouteSpec => ({
        method: 'get',
        path: `/library/reports/${table}.csv`,
        access: { action: 'asset.report' },
        handler: async (req, res) => {
          const query = usageReportQuery.parse(req.query);
          const data = await reports.exportTable(req.actor!, table, query);
          const { columns, rows } = csvOf(data);
          // escape_formulas: a cell starting with = + - @ (or tab, CR) gets a leading ' so spreadsheets show it instead of running it.
          const csv = stringify(
            rows.map((r) => r.map(String)),
            { header: true, columns, escape_formulas: true, bom: true, record_delimiter: 'windows' },
          );
          res.setHeader('Cache-Control', 'no-store');
          res.attachment(`library-usage-${table}-${data.period.firstDay}-to-${data.period.lastDay}.csv`);
          res.type('text/csv; charset=utf-8').send(csv);
        },
      }),
    ),
  ];
}
