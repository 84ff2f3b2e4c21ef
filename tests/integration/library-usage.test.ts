import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eq } from 'drizzle-orm';
import { signedInClients, startTestApp, type TestApp } from '../helpers/test-app.js';
import { textPdf, uploadAsset } from '../helpers/assets.js';
import { assets, assetVersions, type AssetCategory } from '../../assets/library/library.table.js';
import { recordAssetEvent } from '../../assets/library/usage-events.repository.js';
import type { AssetEventKind } from '../../assets/analytics/usage.table.js';
import { organisations, partnerTiers, type PartnerType } from '../../server/organisations/organisations.table.js';
import { users } from '../../server/users/users.table.js';
import type { Actor } from '../../server/tenancy/actor.js';
import { createUsageReportService, type UsageReportService } from '../../assets/analytics/usage.service.js';
import { usageReportQuery, type UsageReportQuery } from '../../assets/analytics/usage.schema.js';
import { dayOf } from '../../assets/analytics/usage-period.js';

/**
 * The library usage report on a real database: events with known numbers (recorded through the library's
 * recordAssetEvent), every figure checked against hand-computed expectations, then the page and the CSV
 * files over real HTTP, with a partner admin's scope and the roles that may not see it.
 */

const DAY = 86_400_000;
let app: TestApp;
let reports: UsageReportService;
/** Noon UTC today on the app's clock, so "d days ago" never crosses midnight while the tests run. */
let now: Date;
const orgIds: Record<string, string> = {};
const tierIds: Record<string, string> = {};
const userIds: Record<string, string> = {};
const assetIds: Record<string, string> = {};

const db = () => app.deps.database.db;
const daysAgo = (d: number, hours = 1) => new Date(now.getTime() - d * DAY - hours * 3_600_000);

/** An actor as the session middleware builds it, from a demo account. */
async function actorOf(email: string): Promise<Actor> {
  const [row] = await db()
    .select({ user: users, organisationName: organisations.name, organisationKind: organisations.kind })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(eq(users.email, email));
  const { user, organisationName, organisationKind } = row!;
  return { userId: user.id, organisationId: user.organisationId, organisationKind, organisationName, role: user.role, name: user.name, email: user.email };
}

/** A current asset with one stored version (the rows the library's upload makes); returns its id. */
async function insertAsset(
  title: string,
  options: { category?: AssetCategory; visiblePartnerTypes?: PartnerType[]; visibleTierIds?: string[]; archived?: boolean; expired?: boolean; withFile?: boolean } = {},
): Promise<string> {
  const [asset] = await db()
    .insert(assets)
    .values({
      title,
      category: options.category ?? 'brochure',
      visiblePartnerTypes: options.visiblePartnerTypes ?? [],
      visibleTierIds: options.visibleTierIds ?? [],
      archivedAt: options.archived ? daysAgo(1) : null,
      expiresAt: options.expired ? daysAgo(2) : null,
      createdAt: daysAgo(200),
    })
    .returning();
  if (options.withFile !== false) {
    const [version] = await db()
      .insert(assetVersions)
      .values({ assetId: asset!.id, versionNumber: 1, storageKey: `test/${asset!.id}`, originalFilename: 'file.pdf', format: 'pdf', mimeType: 'application/pdf', byteSize: 1000, sha256: '0'.repeat(64) })
      .returning();
    await db().update(assets).set({ currentVersionId: version!.id }).where(eq(assets.id, asset!.id));
  }
  return asset!.id;
}

async function record(kind: AssetEventKind, asset: string, user: string, org: string, ago: number): Promise<void> {
  await recordAssetEvent(db(), { kind, assetId: assetIds[asset]!, assetVersionId: null, userId: userIds[user]!, organisationId: orgIds[org]!, occurredAt: daysAgo(ago) });
}

const query = (q: Record<string, string> = {}): UsageReportQuery => usageReportQuery.parse(q);
const titles = (rows: { title: string }[]) => rows.map((r) => r.title);
const counts = (r: { views: number; downloads: number; renders: number; total: number }) => [r.views, r.downloads, r.renders, r.total];

beforeAll(async () => {
  // The clock moves up to a day ahead below; sessions are judged by that clock, so they must outlive the move.
  app = await startTestApp({ SESSION_MAX_AGE_HOURS: '72' });
  // Put the app's clock at the coming noon UTC: events "d days ago" then sit well inside their UTC day.
  const nextNoon = new Date(`${dayOf(new Date(Date.now() + 12 * 3_600_000))}T12:00:00.000Z`);
  app.advanceClock(nextNoon.getTime() - Date.now());
  now = app.deps.clock();
  reports = createUsageReportService(app.deps);

  for (const o of await db().select().from(organisations)) orgIds[o.slug] = o.id;
  for (const t of await db().select().from(partnerTiers)) tierIds[t.key] = t.id;
  for (const u of await db().select().from(users)) userIds[u.email] = u.id;

  assetIds.brochure = await insertAsset('Product brochure');
  assetIds.formula = await insertAsset('=HYPERLINK("x")', { category: 'case_study' });
  assetIds.distributor = await insertAsset('Distributor pricing', { visiblePartnerTypes: ['distributor'] });
  assetIds.unused = await insertAsset('Unused datasheet', { category: 'datasheet' });
  assetIds.archived = await insertAsset('Archived deck', { archived: true });
  assetIds.expired = await insertAsset('Expired banner', { expired: true });
  assetIds.gold = await insertAsset('Gold partner guide', { visibleTierIds: [tierIds.gold!] });
  assetIds.noFile = await insertAsset('Asset without a file', { withFile: false });
  assetIds.zebra = await insertAsset('Zebra case study', { category: 'case_study' });

  // Acme (reseller, gold, North America).
  await record('view', 'brochure', 'rep@acme.test', 'acme', 0);
  await record('view', 'brochure', 'rep@acme.test', 'acme', 0);
  await record('download', 'brochure', 'rep@acme.test', 'acme', 1);
  await record('render', 'brochure', 'marketer@acme.test', 'acme', 2);
  await record('view', 'formula', 'marketer@acme.test', 'acme', 3);
  await record('download', 'formula', 'marketer@acme.test', 'acme', 3);
  await record('view', 'gold', 'rep@acme.test', 'acme', 10);
  await record('view', 'brochure', 'rep@acme.test', 'acme', 40);
  // Globex (distributor, platinum, EMEA).
  await record('view', 'brochure', 'rep@globex.test', 'globex', 0);
  await record('view', 'distributor', 'rep@globex.test', 'globex', 1);
  await record('download', 'distributor', 'rep@globex.test', 'globex', 1);
  await record('download', 'distributor', 'marketer@globex.test', 'globex', 5);
  await record('render', 'distributor', 'marketer@globex.test', 'globex', 5);
  await record('view', 'formula', 'rep@globex.test', 'globex', 20);
  await record('view', 'archived', 'rep@globex.test', 'globex', 100);
  // The vendor's own staff: never counted.
  await record('view', 'unused', 'admin@vendor.test', 'vendor', 0);
  await record('download', 'unused', 'enablement@vendor.test', 'vendor', 0);
});

afterAll(async () => {
  await app?.stop();
});

describe('usage figures (last 30 days, vendor side)', () => {
  let report: Awaited<ReturnType<UsageReportService['getReport']>>;
  beforeAll(async () => {
    report = await reports.getReport(await actorOf('enablement@vendor.test'), query());
  });

  it('totals count partner events only', () => {
    expect(report.totals).toEqual({ views: 7, downloads: 4, renders: 2, total: 13, users: 4, organisations: 2, assets: 4 });
  });

  it('most used assets, by all uses and by each kind', async () => {
    expect(report.mostUsed.map((r) => [r.title, ...counts(r), r.organisations])).toEqual([
      ['Product brochure', 3, 1, 1, 5, 2],
      ['Distributor pricing', 1, 2, 1, 4, 1],
      ['=HYPERLINK("x")', 2, 1, 0, 3, 2],
      ['Gold partner guide', 1, 0, 0, 1, 1],
    ]);
    const vendor = await actorOf('admin@vendor.test');
    expect(titles((await reports.getReport(vendor, query({ sort: 'downloads' }))).mostUsed)).toEqual(['Distributor pricing', 'Product brochure', '=HYPERLINK("x")', 'Gold partner guide']);
    expect(titles((await reports.getReport(vendor, query({ sort: 'views' }))).mostUsed)).toEqual(['Product brochure', '=HYPERLINK("x")', 'Distributor pricing', 'Gold partner guide']);
    expect(titles((await reports.getReport(vendor, query({ sort: 'renders' }))).mostUsed)).toEqual(['Product brochure', 'Distributor pricing', '=HYPERLINK("x")', 'Gold partner guide']);
  });

  it('per organisation, including the partner that used nothing, and never the vendor', () => {
    expect(report.organisations.map((o) => [o.name, o.partnerType, o.tierName, o.region, ...counts(o), o.users, o.assets])).toEqual([
      ['Acme Systems', 'reseller', 'Gold', 'North America', 4, 2, 1, 7, 2, 3],
      ['Globex Distribution', 'distributor', 'Platinum', 'EMEA', 3, 2, 1, 6, 2, 3],
      ['Initech Consulting', 'consultant', 'Silver', 'APAC', 0, 0, 0, 0, 0, 0],
    ]);
  });

  it('per partner type', () => {
    expect(report.partnerTypes.map((t) => [t.partnerType, t.organisationCount, t.activeOrganisations, ...counts(t), t.users])).toEqual([
      ['reseller', 1, 1, 4, 2, 1, 7, 2],
      ['distributor', 1, 1, 3, 2, 1, 6, 2],
      ['consultant', 1, 0, 0, 0, 0, 0, 0],
    ]);
  });

  it('never used: current assets partners can see with no partner event (the vendor staff views do not count)', () => {
    expect(titles(report.neverUsed)).toEqual(['Unused datasheet', 'Zebra case study']);
    expect(report.neverUsedCount).toBe(2);
  });

  it('trend: one bucket per day, empty days as zero, oldest first', () => {
    expect(report.period.bucket).toBe('day');
    expect(report.trend).toHaveLength(30);
    expect(report.trend[29]!.firstDay).toBe(dayOf(now));
    expect(report.trend[0]!.firstDay).toBe(dayOf(new Date(now.getTime() - 29 * DAY)));
    const byAgo = (d: number) => counts(report.trend[29 - d]!);
    expect(byAgo(0)).toEqual([3, 0, 0, 3]);
    expect(byAgo(1)).toEqual([1, 2, 0, 3]);
    expect(byAgo(2)).toEqual([0, 0, 1, 1]);
    expect(byAgo(3)).toEqual([1, 1, 0, 2]);
    expect(byAgo(4)).toEqual([0, 0, 0, 0]);
    expect(byAgo(5)).toEqual([0, 1, 1, 2]);
    expect(byAgo(10)).toEqual([1, 0, 0, 1]);
    expect(byAgo(20)).toEqual([1, 0, 0, 1]);
    expect(report.trend.filter((b) => b.total > 0)).toHaveLength(7);
    expect(report.trend.reduce((s, b) => s + b.total, 0)).toBe(13);
  });
});

describe('filters', () => {
  let vendor: Actor;
  beforeAll(async () => {
    vendor = await actorOf('enablement@vendor.test');
  });

  it('period: 7 days, 90 days (weekly buckets) and custom dates', async () => {
    const week = await reports.getReport(vendor, query({ period: '7' }));
    expect(week.totals).toMatchObject({ views: 5, downloads: 4, renders: 2, total: 11 });
    expect(week.trend).toHaveLength(7);

    const quarter = await reports.getReport(vendor, query({ period: '90' }));
    expect(quarter.totals).toMatchObject({ views: 8, total: 14 });
    expect(quarter.period.bucket).toBe('week');
    // Weeks start on Monday; the first and last may be cut by the period.
    expect(quarter.trend[0]!.firstDay).toBe(quarter.period.firstDay);
    expect(quarter.trend.at(-1)!.lastDay).toBe(dayOf(now));
    for (const b of quarter.trend.slice(1)) expect(new Date(`${b.key}T00:00:00Z`).getUTCDay()).toBe(1);
    expect(quarter.trend.reduce((s, b) => s + b.views, 0)).toBe(8);
    const day40 = dayOf(daysAgo(40));
    expect(quarter.trend.find((b) => b.firstDay <= day40 && day40 <= b.lastDay)).toMatchObject({ views: 1, downloads: 0, renders: 0 });

    // Three days that hold d1..d3: 1+0+1 views, 2+0+1 downloads, 0+1+0 renders.
    const custom = await reports.getReport(vendor, query({ period: 'custom', from: dayOf(daysAgo(3)), to: dayOf(daysAgo(1)) }));
    expect(custom.totals).toMatchObject({ views: 2, downloads: 3, renders: 1, total: 6 });
    expect(custom.trend.map((b) => b.total)).toEqual([2, 1, 3]);
  });

  it('custom dates that are not real, reversed or in the future are refused with a message per field', async () => {
    await expect(reports.getReport(vendor, query({ period: 'custom', from: '2026-02-30', to: '' }))).rejects.toMatchObject({ status: 400, details: { fields: { from: expect.any(String), to: expect.any(String) } } });
    await expect(reports.getReport(vendor, query({ period: 'custom', from: dayOf(daysAgo(1)), to: dayOf(daysAgo(3)) }))).rejects.toMatchObject({ status: 400 });
    await expect(reports.getReport(vendor, query({ period: 'custom', from: dayOf(daysAgo(1)), to: dayOf(daysAgo(-2)) }))).rejects.toMatchObject({ status: 400 });
  });

  it('partner type, tier and region narrow events, organisations and the never-used list', async () => {
    const distributors = await reports.getReport(vendor, query({ partnerType: 'distributor' }));
    expect(distributors.totals).toMatchObject({ views: 3, downloads: 2, renders: 1, organisations: 1 });
    expect(distributors.organisations.map((o) => o.name)).toEqual(['Globex Distribution']);
    expect(titles(distributors.neverUsed)).toEqual(['Unused datasheet', 'Zebra case study']);

    const gold = await reports.getReport(vendor, query({ tierId: tierIds.gold! }));
    expect(gold.totals).toMatchObject({ views: 4, downloads: 2, renders: 1, organisations: 1 });
    expect(titles(gold.mostUsed).sort()).toEqual(['=HYPERLINK("x")', 'Gold partner guide', 'Product brochure'].sort());

    // Initech (APAC) used nothing: every asset it can see is unused, but not the distributor-only or gold-only ones.
    const apac = await reports.getReport(vendor, query({ region: 'APAC' }));
    expect(apac.totals.total).toBe(0);
    expect(titles(apac.neverUsed).sort()).toEqual(['=HYPERLINK("x")', 'Product brochure', 'Unused datasheet', 'Zebra case study'].sort());
    expect(apac.trend.every((b) => b.total === 0)).toBe(true);
  });

  it('kind and organisation', async () => {
    const downloads = await reports.getReport(vendor, query({ kind: 'download', organisationId: orgIds.acme! }));
    expect(downloads.totals).toMatchObject({ views: 0, downloads: 2, renders: 0, total: 2 });
    expect(downloads.organisations.map((o) => o.name)).toEqual(['Acme Systems']);
    expect(titles(downloads.neverUsed)).toEqual(['Gold partner guide', 'Unused datasheet', 'Zebra case study']);
    await expect(reports.getReport(vendor, query({ organisationId: orgIds.vendor! }))).rejects.toMatchObject({ status: 400 });
  });
});

describe('partner admin scope', () => {
  it("Acme's admin gets Acme's figures only, whatever the query asks", async () => {
    const acmeAdmin = await actorOf('admin@acme.test');
    const report = await reports.getReport(acmeAdmin, query({ organisationId: orgIds.globex!, partnerType: 'distributor' }));
    expect(report.totals).toEqual({ views: 4, downloads: 2, renders: 1, total: 7, users: 2, organisations: 1, assets: 3 });
    expect(report.organisations.map((o) => o.name)).toEqual(['Acme Systems']);
    expect(report.partnerOrganisations).toEqual([]);
    // Visible to Acme, unused by it: not the distributor-only asset (Acme cannot see it).
    expect(titles(report.neverUsed)).toEqual(['Unused datasheet', 'Zebra case study']);
    const globexAdmin = await actorOf('admin@globex.test');
    expect(titles((await reports.getReport(globexAdmin, query({ kind: 'view' }))).neverUsed)).toEqual(['Unused datasheet', 'Zebra case study']);
  });

  it('reps and marketers may not see the report', async () => {
    await expect(reports.getReport(await actorOf('rep@acme.test'), query())).rejects.toMatchObject({ status: 403 });
    await expect(reports.exportTable(await actorOf('marketer@acme.test'), 'trend', query())).rejects.toMatchObject({ status: 403 });
  });
});

describe('over HTTP', () => {
  const as = signedInClients(() => app);

  it('the page shows the figures, the chart with a title per bar, and says vendor staff are left out', async () => {
    const res = await (await as('enablement@vendor.test')).get('/library/reports');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Library usage</h1>');
    expect(res.text).toContain('left out of every figure');
    expect(res.text).toMatch(/<svg class="usage-chart"[^>]*role="img"/);
    const today = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC' }).format(now);
    expect(res.text).toContain(`<title>${today({ weekday: 'short' })} ${today({ day: 'numeric', month: 'short', year: 'numeric' })}: 3 views, 0 downloads, 0 co-branded renders</title>`);
    expect(res.text).toContain('&#x3D;HYPERLINK(&quot;x&quot;)');
    for (const name of ['Acme Systems', 'Globex Distribution', 'Initech Consulting']) expect(res.text).toContain(name);
    expect(res.text).not.toContain('Northwind Software</a>');
  });

  it('bad custom dates come back as a 400 page with the fields marked', async () => {
    const res = await (await as('enablement@vendor.test')).get('/library/reports?period=custom&from=2026-13-01&to=');
    expect(res.status).toBe(400);
    expect(res.text).toContain('enter the first day as YYYY-MM-DD');
    expect(res.text).toContain('aria-invalid="true"');
  });

  it('CSV downloads: named with the period, formulas escaped, same filters', async () => {
    const client = await as('admin@vendor.test');
    const res = await client.get('/library/reports/most-used.csv?period=30');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')?.replace(/"/g, '')).toBe(`attachment; filename=library-usage-most-used-${dayOf(new Date(now.getTime() - 29 * DAY))}-to-${dayOf(now)}.csv`);
    const lines = res.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe('Asset,Category,Views,Downloads,Co-branded renders,Total,Organisations,Archived');
    expect(lines[1]).toBe('Product brochure,Brochure,3,1,1,5,2,no');
    expect(lines[3]).toBe(`"'=HYPERLINK(""x"")",Case study,2,1,0,3,2,no`);
    expect(res.text).not.toMatch(/(^|,)=HYPERLINK/m);

    const organisationsCsv = (await client.get('/library/reports/organisations.csv?partnerType=distributor')).text.replace(/^\uFEFF/, '').split('\r\n');
    expect(organisationsCsv.slice(0, 2)).toEqual(['Organisation,Partner type,Tier,Region,Views,Downloads,Co-branded renders,Total,Active users,Assets used', 'Globex Distribution,Distributor,Platinum,EMEA,3,2,1,6,2,3']);
    expect(organisationsCsv.filter(Boolean)).toHaveLength(2);

    const types = (await client.get('/library/reports/partner-types.csv')).text;
    expect(types).toContain('Reseller,1,1,4,2,1,7,2');
    const never = (await client.get('/library/reports/never-used.csv')).text.replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
    expect(never.map((l) => l.split(',')[0])).toEqual(['Asset', 'Unused datasheet', 'Zebra case study']);
    const trend = (await client.get('/library/reports/trend.csv?period=7&kind=render')).text.replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
    expect(trend[0]).toBe('First day (UTC),Last day (UTC),Views,Downloads,Co-branded renders,Total');
    expect(trend).toHaveLength(8);
    expect(trend.at(-3)).toBe(`${dayOf(daysAgo(2))},${dayOf(daysAgo(2))},0,0,1,1`);
  });

  it("Acme's admin: Acme's page and CSV, never Globex's names or numbers", async () => {
    const client = await as('admin@acme.test');
    const page = await client.get(`/library/reports?organisationId=${orgIds.globex}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Assets nobody at Acme Systems used');
    for (const other of ['Globex', 'Initech', 'Distributor pricing', 'name="organisationId"', 'name="partnerType"']) expect(page.text).not.toContain(other);
    for (const table of ['most-used', 'organisations', 'partner-types', 'never-used', 'trend']) {
      const csv = await client.get(`/library/reports/${table}.csv?organisationId=${orgIds.globex}&period=90`);
      expect(csv.status).toBe(200);
      expect(csv.text).not.toContain('Globex');
      expect(csv.text).not.toContain('Distributor');
    }
    const organisationsCsv = (await client.get('/library/reports/organisations.csv')).text;
    expect(organisationsCsv).toContain('Acme Systems,Reseller,Gold,North America,4,2,1,7,2,3');
  });

  it('reps and marketers get 403 on the page and every CSV', async () => {
    for (const email of ['rep@acme.test', 'marketer@globex.test']) {
      const client = await as(email);
      expect((await client.get('/library/reports')).status).toBe(403);
      expect((await client.get('/library/reports/most-used.csv')).status).toBe(403);
    }
  });

  it('end to end: a partner rep viewing and downloading an uploaded asset shows up in the report', async () => {
    const manager = await as('enablement@vendor.test');
    const id = await uploadAsset(manager, { filename: 'usage-e2e.pdf', bytes: await textPdf(['Usage check']), fields: { title: 'Usage end-to-end sheet' } });
    const before = await reports.getReport(await actorOf('admin@initech.test'), query());
    expect(titles(before.neverUsed)).toContain('Usage end-to-end sheet');

    const rep = await as('rep@initech.test');
    expect((await rep.get(`/library/assets/${id}`)).status).toBe(200);
    expect((await rep.get(`/library/assets/${id}/download`)).status).toBe(200);
    // The vendor's own look at it is not partner usage.
    expect((await manager.get(`/library/assets/${id}`)).status).toBe(200);

    const after = await reports.getReport(await actorOf('admin@initech.test'), query({ period: '7' }));
    expect(after.totals).toMatchObject({ views: 1, downloads: 1, renders: 0, users: 1 });
    expect(after.mostUsed.map((r) => [r.title, r.views, r.downloads])).toEqual([['Usage end-to-end sheet', 1, 1]]);
    expect(titles(after.neverUsed)).not.toContain('Usage end-to-end sheet');
    expect(after.trend.at(-1)).toMatchObject({ views: 1, downloads: 1 });

    expect((await (await as('admin@initech.test')).get('/library/reports?period=7')).text).toContain('Usage end-to-end sheet</a>');
    const csv = (await (await as('enablement@vendor.test')).get('/library/reports/organisations.csv?region=APAC')).text;
    expect(csv).toContain('Initech Consulting,Consultant / SI,Silver,APAC,1,1,0,2,1,1');
  });
});
