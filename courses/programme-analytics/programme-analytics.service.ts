import type { AppDeps } from '../../server/app-deps.js';
import type { Actor } from '../../server/tenancy/actor.js';
import { canPerform, scopeFor } from '../../server/tenancy/policy.js';
import { httpErrors } from '../../server/http/http.errors.js';
import { ROLE_LABELS } from '../../server/tenancy/actor.js';
import { listTiers } from '../../server/organisations/organisations.repository.js';
import { findPartnerOrganisation, listPartnerOrganisations, summariseUsage } from '../../assets/analytics/usage.repository.js';
import { bucketsOf, resolvePeriod, dayOf, type TrendBucket } from '../../assets/analytics/usage-period.js';
import { createCertificationsService, type OrganisationOverview } from '../certifications/certifications.service.js';
import * as repository from './programme-analytics.repository.js';
import type { PeriodFilter, ProgrammeFilter } from './programme-analytics.repository.js';
import { programmeAnalyticsErrors } from './programme-analytics.errors.js';
import { createFigureCache } from './figure-cache.js';
import type { AnalyticsQuery, AnalyticsTable } from './programme-analytics.schema.js';

const DAY_MS = 86_400_000;

/** The windows the readiness view judges by; the page states them so the flags explain themselves. */
export const READINESS_RULES = {
  expiringWithinDays: 90,
  inactiveAfterDays: 60,
  /** Flagged when more than this share of active people are inactive. */
  inactiveShare: 0.5,
  downloadsWithinDays: 90,
  examsWithinDays: 365,
} as const;

export interface TrendCount extends TrendBucket {
  enrolments: number;
  completions: number;
}

export interface ReadinessRow {
  organisationId: string;
  name: string;
  tierName: string | null;
  certifiedNeeded: { certificationName: string; role: string | null; required: number; certified: number; met: boolean }[];
  activeUsers: number;
  inactiveUsers: number;
  expiring: number;
  downloads: number;
  weakExams: { title: string; averageScore: number; passingScore: number }[];
  reasons: string[];
  atRisk: boolean;
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;
const percent = (n: number) => `${Math.round(n)}%`;

/** The reasons in words an organisation is at risk; none when it is ready. */
export function readinessReasons(row: Omit<ReadinessRow, 'reasons' | 'atRisk'>): string[] {
  const reasons: string[] = [];
  for (const need of row.certifiedNeeded.filter((n) => !n.met)) {
    const who = need.role ? `${ROLE_LABELS[need.role as keyof typeof ROLE_LABELS].toLowerCase()}s` : 'people';
    reasons.push(`${row.tierName ?? 'The'} tier needs ${need.required} certified ${who} in ${need.certificationName}; ${need.certified} ${need.certified === 1 ? 'is' : 'are'} certified.`);
  }
  if (row.expiring > 0) reasons.push(`${plural(row.expiring, 'certification expires', 'certifications expire')} within ${READINESS_RULES.expiringWithinDays} days.`);
  if (row.activeUsers > 0 && row.inactiveUsers / row.activeUsers > READINESS_RULES.inactiveShare)
    reasons.push(`${row.inactiveUsers} of ${plural(row.activeUsers, 'person', 'people')} had no course or library activity in ${READINESS_RULES.inactiveAfterDays} days.`);
  for (const exam of row.weakExams) reasons.push(`Average exam score on ${exam.title} is ${percent(exam.averageScore)}, below the ${exam.passingScore}% passing score.`);
  if (row.downloads === 0) reasons.push(`No library downloads in ${READINESS_RULES.downloadsWithinDays} days.`);
  return reasons;
}

/**
 * Programme dashboards: learning, certifications and library use over a period, and partner readiness. The vendor side
 * sees every partner organisation (filterable); a partner admin only their own whatever the query says (scopeFor decides).
 */
export function createProgrammeAnalyticsService(deps: Pick<AppDeps, 'database' | 'config' | 'clock' | 'logger' | 'mailer'>) {
  const { db } = deps.database;
  const certifications = createCertificationsService(deps);
  /** Figures per (what, scope, filters, period), reused for ANALYTICS_CACHE_TTL_MS; the filter choices and the session-dependent parts are not cached. */
  const figures = createFigureCache({ ttlMs: deps.config.analytics.cacheTtlMs });
  const keyOf = (what: string, actor: Actor, filter: ProgrammeFilter | PeriodFilter) => JSON.stringify([what, scopeFor(actor), filter]);

  /** The organisations the caller's scope and filters come to; an unknown organisation filter is an input error. */
  async function filterOf(actor: Actor, query: Omit<AnalyticsQuery, 'period'>): Promise<ProgrammeFilter> {
    if (!canPerform(actor, 'course.report')) throw httpErrors.forbidden();
    const scope = scopeFor(actor);
    // A partner admin's organisation has one type, tier and region: no filter may widen or move their view.
    if (scope.kind === 'organisation') return { organisationId: scope.organisationId };
    if (query.organisationId && !(await findPartnerOrganisation(db, query.organisationId))) throw programmeAnalyticsErrors.organisationUnknown();
    return { organisationId: query.organisationId, partnerType: query.partnerType, tierId: query.tierId, region: query.region };
  }

  async function prepare(actor: Actor, query: AnalyticsQuery) {
    const filter = await filterOf(actor, query);
    const now = deps.clock();
    const today = dayOf(now);
    const firstDay = dayOf(new Date(now.getTime() - (Number(query.period) - 1) * DAY_MS));
    const resolved = resolvePeriod({ period: 'custom', from: firstDay, to: today }, now);
    if (!resolved.ok) throw new Error('a preset period always resolves');
    const period = resolved.period;
    return { now, period, filter: { ...filter, from: period.from, until: period.until } satisfies PeriodFilter };
  }

  async function trendOf(filter: PeriodFilter, period: Awaited<ReturnType<typeof prepare>>['period']): Promise<TrendCount[]> {
    const rows = await repository.listLearningTrend(db, filter, period.bucket);
    const byKey = new Map(rows.map((r) => [r.bucket, r]));
    return bucketsOf(period).map((b) => ({ ...b, enrolments: byKey.get(b.key)?.enrolments ?? 0, completions: byKey.get(b.key)?.completions ?? 0 }));
  }

  /** The tiers and organisations the filters offer: only the vendor side chooses; a partner admin never gets other organisations' names. */
  async function filterChoices(vendorSide: boolean) {
    if (!vendorSide) return { tiers: [], partnerOrganisations: [] };
    const [tiers, partnerOrganisations] = await Promise.all([listTiers(db), listPartnerOrganisations(db)]);
    return { tiers: tiers.map((t) => ({ id: t.id, name: t.name })), partnerOrganisations };
  }

  const expiringUntil = (now: Date) => new Date(now.getTime() + READINESS_RULES.expiringWithinDays * DAY_MS);

  function readinessOf(actor: Actor, filter: ProgrammeFilter): Promise<ReadinessRow[]> {
    return figures.get(keyOf('readiness', actor, filter), () => computeReadiness(actor, filter));
  }

  async function computeReadiness(actor: Actor, filter: ProgrammeFilter): Promise<ReadinessRow[]> {
    const now = deps.clock();
    const ago = (days: number) => new Date(now.getTime() - days * DAY_MS);
    const [facts, exams, overview] = await Promise.all([
      repository.listReadinessFacts(db, filter, { now, inactiveSince: ago(READINESS_RULES.inactiveAfterDays), expiringUntil: expiringUntil(now), downloadsSince: ago(READINESS_RULES.downloadsWithinDays) }),
      repository.listExamAverages(db, filter, ago(READINESS_RULES.examsWithinDays)),
      certifications.organisationView(actor),
    ]);
    const overviewById = new Map<string, OrganisationOverview>(overview.organisations.map((o) => [o.id, o]));
    // Grouped once: filtering every exam row for each of 2,000 organisations was quadratic.
    const examsByOrganisation = new Map<string, typeof exams>();
    for (const e of exams) {
      const list = examsByOrganisation.get(e.organisationId);
      if (list) list.push(e);
      else examsByOrganisation.set(e.organisationId, [e]);
    }
    return facts.map((fact) => {
      const certifiedNeeded = (overviewById.get(fact.organisationId)?.rows ?? []).flatMap((r) =>
        r.requirements.map((q) => ({ certificationName: r.certificationName, role: q.role, required: q.required, certified: q.certified, met: q.met })),
      );
      const weakExams = (examsByOrganisation.get(fact.organisationId) ?? []).filter((e) => e.averageScore < e.passingScore).map((e) => ({ title: e.title, averageScore: e.averageScore, passingScore: e.passingScore }));
      const row = { ...fact, certifiedNeeded, weakExams };
      const reasons = readinessReasons(row);
      return { ...row, reasons, atRisk: reasons.length > 0 };
    });
  }

  return {
    /** How long computed figures are reused (0: never), for the pages to say so. */
    figuresTtlSeconds: Math.round(deps.config.analytics.cacheTtlMs / 1000),

    async getDashboard(actor: Actor, query: AnalyticsQuery) {
      const { now, period, filter } = await prepare(actor, query);
      const vendorSide = scopeFor(actor).kind === 'all';
      const computed = figures.get(keyOf('dashboard', actor, filter), () =>
        Promise.all([
          trendOf(filter, period),
          repository.listCourseOutcomes(db, filter),
          repository.countActiveLearners(db, filter),
          repository.listCertificationActivity(db, filter, now, expiringUntil(now)),
          summariseUsage(db, filter),
        ]),
      );
      const [[trend, courses, activeLearners, certificationActivity, library], choices] = await Promise.all([computed, filterChoices(vendorSide)]);
      const sum = (key: 'enrolments' | 'completions') => trend.reduce((s, b) => s + b[key], 0);
      return {
        period,
        vendorSide,
        trend,
        courses,
        totals: {
          enrolments: sum('enrolments'),
          completions: sum('completions'),
          activeLearners,
          certificationsEarned: certificationActivity.reduce((s, c) => s + c.earned, 0),
          certificationsExpiring: certificationActivity.reduce((s, c) => s + c.expiring, 0),
        },
        certifications: certificationActivity,
        library,
        ...choices,
      };
    },

    /** Every row of one dashboard table for its CSV, with the page's filters and scope. */
    async exportTable(actor: Actor, table: AnalyticsTable, query: AnalyticsQuery) {
      const { now, period, filter } = await prepare(actor, query);
      switch (table) {
        case 'trend':
          return { table, period, rows: await trendOf(filter, period) };
        case 'courses':
          return { table, period, rows: await repository.listCourseOutcomes(db, filter) };
        case 'certifications':
          return { table, period, rows: await repository.listCertificationActivity(db, filter, now, expiringUntil(now)) };
      }
    },

    async getReadiness(actor: Actor, query: Omit<AnalyticsQuery, 'period'>) {
      const filter = await filterOf(actor, query);
      const vendorSide = scopeFor(actor).kind === 'all';
      const [rows, choices] = await Promise.all([readinessOf(actor, filter), filterChoices(vendorSide)]);
      return { rows, vendorSide, ...choices };
    },

    /** Mails the organisation's active partner admins its readiness and the reasons it is at risk. */
    async nudge(actor: Actor, organisationId: string) {
      if (!canPerform(actor, 'readiness.nudge')) throw httpErrors.forbidden();
      const [row] = await readinessOf(actor, { organisationId });
      if (!row) throw httpErrors.notFound('partner organisation');
      const admins = await repository.listPartnerAdmins(db, organisationId);
      if (admins.length === 0) throw programmeAnalyticsErrors.noPartnerAdmins(row.name);
      const link = new URL('/analytics/readiness', deps.config.appUrl).toString();
      const findings = row.reasons.length ? row.reasons.map((r) => `- ${r}`).join('\n') : '- Nothing is flagged at the moment: thank you for keeping your team ready.';
      for (const admin of admins) {
        await deps.mailer.send({
          to: admin.email,
          subject: `Partner readiness for ${row.name}`,
          text: `Hello ${admin.name},\n\n${actor.name} from the partner programme team asked us to share where ${row.name} stands:\n\n${findings}\n\nSee the details and what to do next here:\n\n${link}\n`,
        });
      }
      deps.logger.info({ organisationId, recipients: admins.length }, 'readiness nudge sent');
      return { organisationName: row.name, recipients: admins.length };
    },
  };
}

export type ProgrammeAnalyticsService = ReturnType<typeof createProgrammeAnalyticsService>;
export type ProgrammeDashboard = Awaited<ReturnType<ProgrammeAnalyticsService['getDashboard']>>;
export type ProgrammeReadiness = Awaited<ReturnType<ProgrammeAnalyticsService['getReadiness']>>;
