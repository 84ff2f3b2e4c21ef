import type { Request, Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import type { RouteSpec } from '../../server/http/route-table.js';
import { fieldErrorsOf, type FieldErrors } from '../../server/http/validate.js';
import { httpErrors } from '../../server/http/http.errors.js';
import { flash } from '../../server/http/shell.js';
import { canPerform, scopeFor } from '../../server/tenancy/policy.js';
import { PARTNER_TYPES } from '../../server/organisations/organisations.table.js';
import { PARTNER_TYPE_LABELS, REGIONS } from '../../server/organisations/organisations.schema.js';
import { seriesChartModel, type ChartSeries } from '../../assets/analytics/usage-chart.js';
import type { UsagePeriod } from '../../assets/analytics/usage-period.js';
import { idParam } from '../../server/http/common.schema.js';
import { analyticsQuery, ANALYTICS_TABLES, READINESS_PAGE_SIZE, readinessQuery, type AnalyticsQuery, type AnalyticsTable } from './programme-analytics.schema.js';
import { paginationModel } from '../../server/http/pagination.js';
import { READINESS_RULES, type ProgrammeAnalyticsService, type ProgrammeDashboard, type ProgrammeReadiness, type ReadinessRow, type TrendCount } from './programme-analytics.service.js';

/* ---------- labels ---------- */

const PERIOD_LABELS = { '30': 'Last 30 days', '90': 'Last 90 days', '365': 'Last 365 days' } as const;

/** Colours from the library chart's palette (3:1 or more against white and each other). */
const LEARNING_SERIES: readonly ChartSeries<'enrolments' | 'completions'>[] = [
  { key: 'enrolments', label: 'Enrolments', singular: 'enrolment', colour: '#3340b8' },
  { key: 'completions', label: 'Completions', singular: 'completion', colour: '#0f7b6c' },
];

const utc = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC' });
const shortDay = utc({ day: 'numeric', month: 'short' });
const fullDay = utc({ day: 'numeric', month: 'short', year: 'numeric' });
const at = (day: string) => new Date(`${day}T00:00:00Z`);
const rangeLabel = (firstDay: string, lastDay: string) => (firstDay === lastDay ? fullDay.format(at(firstDay)) : `${shortDay.format(at(firstDay))} – ${fullDay.format(at(lastDay))}`);

/** 0.8 → "80%"; null (nobody to divide by, or no score) → "–". */
const percentText = (value: number | null) => (value === null ? '–' : `${Math.round(value)}%`);
const rateOf = (part: number, whole: number) => (whole > 0 ? (part / whole) * 100 : null);
/** Seconds as "1 h 05 min" or "12 min" (whole minutes, rounded). */
function durationText(seconds: number | null): string {
  if (seconds === null) return '–';
  const minutes = Math.round(seconds / 60);
  return minutes >= 60 ? `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min` : `${minutes} min`;
}

/** The query string reproducing the filters (CSV links keep them). */
function filterQueryOf(query: Partial<AnalyticsQuery>): string {
  const params = new URLSearchParams();
  for (const key of ['period', 'partnerType', 'tierId', 'region', 'organisationId'] as const) if (query[key]) params.set(key, query[key]);
  return params.toString();
}

/* ---------- view-models ---------- */

function filterModel(data: { tiers: { id: string; name: string }[]; partnerOrganisations: { id: string; name: string }[] } | null, query: Partial<AnalyticsQuery>, vendorSide: boolean) {
  return {
    periods: Object.entries(PERIOD_LABELS).map(([value, label]) => ({ value, label, selected: value === query.period })),
    vendorSide,
    partnerTypes: PARTNER_TYPES.map((t) => ({ value: t, label: PARTNER_TYPE_LABELS[t], selected: t === query.partnerType })),
    tiers: (data?.tiers ?? []).map((t) => ({ value: t.id, label: t.name, selected: t.id === query.tierId })),
    regions: REGIONS.map((r) => ({ value: r, label: r, selected: r === query.region })),
    organisations: (data?.partnerOrganisations ?? []).map((o) => ({ value: o.id, label: o.name, selected: o.id === query.organisationId })),
  };
}

function trendModel(trend: TrendCount[], period: UsagePeriod) {
  const points = trend.map((b) => ({
    ...b,
    label: shortDay.format(at(b.firstDay)),
    longLabel: period.bucket === 'day' ? fullDay.format(at(b.firstDay)) : `Week of ${rangeLabel(b.firstDay, b.lastDay)}`,
  }));
  return {
    // Grouped: enrolments and completions are different measures; stacked, a week of 15 and 14 would read as 29.
    chart: seriesChartModel(points, { series: LEARNING_SERIES, layout: 'grouped', unit: period.bucket, title: `Enrolments and completions per ${period.bucket}, ${rangeLabel(period.firstDay, period.lastDay)}` }),
    legend: LEARNING_SERIES.map((s) => ({ label: s.label, colour: s.colour })),
    rows: points,
    unit: period.bucket,
  };
}

function dashboardModel(report: ProgrammeDashboard, query: AnalyticsQuery) {
  const q = filterQueryOf(query);
  return {
    periodLabel: `${PERIOD_LABELS[query.period]}: ${rangeLabel(report.period.firstDay, report.period.lastDay)}`,
    totals: { ...report.totals, completionRate: percentText(rateOf(report.courses.reduce((s, c) => s + c.completed, 0), report.courses.reduce((s, c) => s + c.enrolled, 0))) },
    trend: trendModel(report.trend, report.period),
    courses: report.courses.map((c) => ({ ...c, rate: percentText(rateOf(c.completed, c.enrolled)), score: percentText(c.averageScore), time: durationText(c.averageSeconds) })),
    certifications: report.certifications,
    library: report.library,
    csv: Object.fromEntries(ANALYTICS_TABLES.map((t) => [t, `/analytics/${t}.csv?${q}`])),
  };
}

function readinessModel(rows: ReadinessRow[]) {
  return rows.map((r) => ({
    ...r,
    certifiedNeeded: r.certifiedNeeded.map((n) => ({ ...n, label: `${n.certified} of ${n.required}` })),
    inactiveLabel: `${r.inactiveUsers} of ${r.activeUsers}`,
    weakExams: r.weakExams.map((e) => ({ ...e, label: `${e.title}: ${percentText(e.averageScore)} (passing ${e.passingScore}%)` })),
  }));
}

/* ---------- CSV ---------- */

type Export = Awaited<ReturnType<ProgrammeAnalyticsService['exportTable']>>;

function csvOf(data: Export): { columns: string[]; rows: (string | number)[][] } {
  const num = (n: number | null) => (n === null ? '' : Math.round(n * 10) / 10);
  switch (data.table) {
    case 'trend':
      return { columns: ['First day (UTC)', 'Last day (UTC)', 'Enrolments', 'Completions'], rows: data.rows.map((r) => [r.firstDay, r.lastDay, r.enrolments, r.completions]) };
    case 'courses':
      return {
        columns: ['Course', 'Enrolled in period', 'Completed', 'Completion rate (%)', 'Average best score (%)', 'Average time (minutes)'],
        rows: data.rows.map((r) => [r.title, r.enrolled, r.completed, num(rateOf(r.completed, r.enrolled)), num(r.averageScore), num(r.averageSeconds === null ? null : r.averageSeconds / 60)]),
      };
    case 'certifications':
      return { columns: ['Certification', 'Earned in period', `Expiring within ${READINESS_RULES.expiringWithinDays} days`], rows: data.rows.map((r) => [r.name, r.earned, r.expiring]) };
  }
}

function readinessCsv(rows: ReadinessRow[]): { columns: string[]; rows: (string | number)[][] } {
  return {
    columns: ['Organisation', 'Tier', 'Certified against tier requirement', 'Expiring certifications', 'Active people', 'Inactive people', 'Weak exam results', 'Library downloads', 'At risk', 'Reasons'],
    rows: rows.map((r) => [
      r.name,
      r.tierName ?? '',
      r.certifiedNeeded.map((n) => `${n.certificationName}: ${n.certified} of ${n.required}`).join('; '),
      r.expiring,
      r.activeUsers,
      r.inactiveUsers,
      r.weakExams.map((e) => `${e.title}: ${Math.round(e.averageScore)}% (passing ${e.passingScore}%)`).join('; '),
      r.downloads,
      r.atRisk ? 'yes' : 'no',
      r.reasons.join(' '),
    ]),
  };
}

/** Writes a CSV download; escape_formulas prefixes a cell starting with = + - @ (or tab, CR) with ' so spreadsheets never run it. */
function sendCsv(res: Response, name: string, table: { columns: string[]; rows: (string | number)[][] }) {
  const csv = stringify(
    table.rows.map((r) => r.map(String)),
    { header: true, columns: table.columns, escape_formulas: true, bom: true, record_delimiter: 'windows' },
  );
  res.setHeader('Cache-Control', 'no-store');
  res.attachment(name);
  res.type('text/csv; charset=utf-8').send(csv);
}

/* ---------- routes ---------- */

export function programmeAnalyticsRoutes(analytics: ProgrammeAnalyticsService): RouteSpec[] {
  const vendorSideOf = (req: Request) => scopeFor(req.actor!).kind === 'all';

  /** Renders a page, or its filters with the problem marked when a filter names an unknown organisation. */
  async function renderOr400(req: Request, res: Response, view: string, title: string, query: AnalyticsQuery, build: () => Promise<Record<string, unknown> & { filterData: Parameters<typeof filterModel>[0] }>) {
    const base = {
      title,
      vendorSide: vendorSideOf(req),
      organisationName: req.actor!.organisationName,
      canNudge: false,
      readinessRules: READINESS_RULES,
      figuresTtlSeconds: analytics.figuresTtlSeconds,
    };
    try {
      const { filterData, ...model } = await build();
      res.render(view, { ...base, filters: filterModel(filterData, query, base.vendorSide), ...model, errors: {} });
    } catch (err) {
      const failure: { message: string; fields: FieldErrors; status: number } | null = fieldErrorsOf(err);
      if (!failure || failure.status !== 400) throw err;
      res.status(400).render(view, { ...base, filters: filterModel(null, query, base.vendorSide), errors: failure.fields, message: failure.message });
    }
  }

  return [
    {
      method: 'get',
      path: '/analytics',
      access: { action: 'course.report' },
      handler: async (req, res) => {
        const query = analyticsQuery.parse(req.query);
        await renderOr400(req, res, 'pages/analytics/dashboard', 'Programme analytics', query, async () => {
          const report = await analytics.getDashboard(req.actor!, query);
          return { filterData: report, report: dashboardModel(report, query) };
        });
      },
    },
    ...ANALYTICS_TABLES.map(
      (table: AnalyticsTable): RouteSpec => ({
        method: 'get',
        path: `/analytics/${table}.csv`,
        access: { action: 'course.report' },
        handler: async (req, res) => {
          const query = analyticsQuery.parse(req.query);
          const data = await analytics.exportTable(req.actor!, table, query);
          sendCsv(res, `programme-${table}-${data.period.firstDay}-to-${data.period.lastDay}.csv`, csvOf(data));
        },
      }),
    ),
    {
      method: 'get',
      path: '/analytics/readiness',
      access: { action: 'course.report' },
      handler: async (req, res) => {
        const { show, page, ...query } = readinessQuery.parse(req.query);
        await renderOr400(req, res, 'pages/analytics/readiness', 'Partner readiness', query, async () => {
          const readiness: ProgrammeReadiness = await analytics.getReadiness(req.actor!, query);
          const atRisk = readiness.rows.filter((r) => r.atRisk);
          const listed = show === 'at_risk' ? atRisk : readiness.rows;
          const lastPage = Math.max(1, Math.ceil(listed.length / READINESS_PAGE_SIZE));
          const current = Math.min(page, lastPage);
          const filters = { ...query, period: undefined };
          const showHref = (value: typeof show) => {
            const params = new URLSearchParams(filterQueryOf(filters));
            if (value !== 'all') params.set('show', value);
            return params.size ? `/analytics/readiness?${params.toString()}` : '/analytics/readiness';
          };
          return {
            filterData: readiness,
            rows: readinessModel(listed.slice((current - 1) * READINESS_PAGE_SIZE, current * READINESS_PAGE_SIZE)),
            total: readiness.rows.length,
            atRiskCount: atRisk.length,
            show: [
              { label: 'All organisations', count: readiness.rows.length, href: showHref('all'), current: show === 'all' },
              { label: 'At risk only', count: atRisk.length, href: showHref('at_risk'), current: show === 'at_risk' },
            ],
            pagination: paginationModel('/analytics/readiness', { ...filters, show: show === 'all' ? undefined : show }, { total: listed.length, page: current, pageSize: READINESS_PAGE_SIZE }),
            canNudge: canPerform(req.actor!, 'readiness.nudge'),
            csv: `/analytics/readiness.csv?${filterQueryOf(filters)}`,
          };
        });
      },
    },
    {
      method: 'get',
      path: '/analytics/readiness.csv',
      access: { action: 'course.report' },
      handler: async (req, res) => {
        const readiness = await analytics.getReadiness(req.actor!, analyticsQuery.parse(req.query));
        sendCsv(res, 'partner-readiness.csv', readinessCsv(readiness.rows));
      },
    },
    {
      method: 'post',
      path: '/analytics/readiness/:id/nudge',
      access: { action: 'readiness.nudge' },
      handler: async (req, res) => {
        const params = idParam.safeParse(req.params);
        if (!params.success) throw httpErrors.notFound('partner organisation');
        const sent = await analytics.nudge(req.actor!, params.data.id);
        flash(req, 'success', `Nudge sent to ${sent.recipients === 1 ? 'the partner admin' : `${sent.recipients} partner admins`} of ${sent.organisationName}.`);
        res.redirect(303, '/analytics/readiness');
      },
    },
  ];
}
