import { and, asc, desc, eq, exists, gt, gte, isNotNull, isNull, lt, notExists, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../../server/db/database.js';
import { organisations, partnerTiers, type PartnerType } from '../../server/organisations/organisations.table.js';
import { assets } from '../library/library.table.js';
import { assetEvents, type AssetEventKind } from './usage.table.js';
import type { UsageSort } from './usage.schema.js';

/**
 * Which events a report counts. Only partner organisations' events ever count (the vendor's own staff
 * browsing the library is not partner usage). organisationId is either the caller's scope (a partner admin)
 * or the vendor side's chosen organisation.
 */
export interface UsageFilter {
  from: Date;
  until: Date;
  organisationId?: string | undefined;
  partnerType?: PartnerType | undefined;
  tierId?: string | undefined;
  region?: string | undefined;
  kind?: AssetEventKind | undefined;
}

/** The organisation an asset must be visible to, for the never-used list (a second instance of the table in one query). */
const audienceOrg = alias(organisations, 'audience_org');

/** The partner organisations the filter covers (on the events' organisation, or on audienceOrg). */
function organisationConditions(filter: UsageFilter, org: typeof organisations | typeof audienceOrg = organisations): SQL[] {
  const conditions: SQL[] = [eq(org.kind, 'partner')];
  if (filter.organisationId) conditions.push(eq(org.id, filter.organisationId));
  if (filter.partnerType) conditions.push(eq(org.partnerType, filter.partnerType));
  if (filter.tierId) conditions.push(eq(org.tierId, filter.tierId));
  if (filter.region) conditions.push(eq(org.region, filter.region));
  return conditions;
}

/** The events of the period (and kind); range on occurred_at so asset_events_time_idx (or the organisation/asset ones) serve it. */
function eventConditions(filter: UsageFilter): SQL[] {
  const conditions: SQL[] = [gte(assetEvents.occurredAt, filter.from), lt(assetEvents.occurredAt, filter.until)];
  if (filter.kind) conditions.push(eq(assetEvents.kind, filter.kind));
  // With one organisation, name it on the events too: the planner then uses asset_events_organisation_time_idx.
  if (filter.organisationId) conditions.push(eq(assetEvents.organisationId, filter.organisationId));
  return conditions;
}

const countKind = (kind: AssetEventKind) => sql<number>`count(${assetEvents.id}) filter (where ${assetEvents.kind} = ${sql.raw(`'${kind}'`)})`.mapWith(Number);
const kindCounts = () => ({ views: countKind('view'), downloads: countKind('download'), renders: countKind('render'), total: sql<number>`count(${assetEvents.id})`.mapWith(Number) });

export interface UsageTotals {
  views: number;
  downloads: number;
  renders: number;
  total: number;
  users: number;
  organisations: number;
  assets: number;
}

export async function summariseUsage(db: Executor, filter: UsageFilter): Promise<UsageTotals> {
  const rows = await db
    .select({
      ...kindCounts(),
      users: sql<number>`count(distinct ${assetEvents.userId})`.mapWith(Number),
      organisations: sql<number>`count(distinct ${assetEvents.organisationId})`.mapWith(Number),
      assets: sql<number>`count(distinct ${assetEvents.assetId})`.mapWith(Number),
    })
    .from(assetEvents)
    .innerJoin(organisations, eq(organisations.id, assetEvents.organisationId))
    .where(and(...eventConditions(filter), ...organisationConditions(filter)));
  return rows[0] ?? { views: 0, downloads: 0, renders: 0, total: 0, users: 0, organisations: 0, assets: 0 };
}

/** Assets by use in the period, the chosen count first (then the total, then the title, so ties keep a stable order). */
export async function listMostUsedAssets(db: Executor, filter: UsageFilter, sort: UsageSort, limit?: number) {
  const counts = kindCounts();
  const query = db
    .select({
      assetId: assets.id,
      title: assets.title,
      category: assets.category,
      archivedAt: assets.archivedAt,
      ...counts,
      organisations: sql<number>`count(distinct ${assetEvents.organisationId})`.mapWith(Number),
    })
    .from(assetEvents)
    .innerJoin(organisations, eq(organisations.id, assetEvents.organisationId))
    .innerJoin(assets, eq(assets.id, assetEvents.assetId))
    .where(and(...eventConditions(filter), ...organisationConditions(filter)))
    .groupBy(assets.id)
    .orderBy(desc(counts[sort]), desc(counts.total), asc(assets.title), asc(assets.id));
  return limit === undefined ? query : query.limit(limit);
}

export type MostUsedAssetRow = Awaited<ReturnType<typeof listMostUsedAssets>>[number];

/** Every partner organisation the filter covers, with its use in the period; those that used nothing show zeros. */
export async function listUsageByOrganisation(db: Executor, filter: UsageFilter) {
  return db
    .select({
      organisationId: organisations.id,
      name: organisations.name,
      partnerType: organisations.partnerType,
      tierName: partnerTiers.name,
      region: organisations.region,
      ...kindCounts(),
      users: sql<number>`count(distinct ${assetEvents.userId})`.mapWith(Number),
      assets: sql<number>`count(distinct ${assetEvents.assetId})`.mapWith(Number),
    })
    .from(organisations)
    .leftJoin(partnerTiers, eq(partnerTiers.id, organisations.tierId))
    .leftJoin(assetEvents, and(eq(assetEvents.organisationId, organisations.id), ...eventConditions(filter)))
    .where(and(...organisationConditions(filter)))
    .groupBy(organisations.id, partnerTiers.name)
    .orderBy(desc(sql`count(${assetEvents.id})`), asc(organisations.name), asc(organisations.id));
}

export type OrganisationUsageRow = Awaited<ReturnType<typeof listUsageByOrganisation>>[number];

/** Use per partner type, with how many organisations of the type there are and how many used anything. */
export async function listUsageByPartnerType(db: Executor, filter: UsageFilter) {
  return db
    .select({
      partnerType: organisations.partnerType,
      organisationCount: sql<number>`count(distinct ${organisations.id})`.mapWith(Number),
      activeOrganisations: sql<number>`count(distinct ${assetEvents.organisationId})`.mapWith(Number),
      ...kindCounts(),
      users: sql<number>`count(distinct ${assetEvents.userId})`.mapWith(Number),
    })
    .from(organisations)
    .leftJoin(assetEvents, and(eq(assetEvents.organisationId, organisations.id), ...eventConditions(filter)))
    .where(and(...organisationConditions(filter), isNotNull(organisations.partnerType)))
    .groupBy(organisations.partnerType)
    .orderBy(desc(sql`count(${assetEvents.id})`), asc(organisations.partnerType));
}

export type PartnerTypeUsageRow = Awaited<ReturnType<typeof listUsageByPartnerType>>[number];

/** Every non-empty visibility list of the asset holds the organisation's value (a missing tier or region matches no list). */
function assetVisibleTo(org: typeof audienceOrg): SQL {
  return and(
    or(sql`cardinality(${assets.visiblePartnerTypes}) = 0`, sql`${org.partnerType} = any(${assets.visiblePartnerTypes})`),
    or(sql`cardinality(${assets.visibleTierIds}) = 0`, sql`${org.tierId} = any(${assets.visibleTierIds})`),
    or(sql`cardinality(${assets.visibleRegions}) = 0`, sql`${org.region} = any(${assets.visibleRegions})`),
  )!;
}

/**
 * Current assets (not archived, with a file, not expired, added before the period ended) that at least one
 * partner organisation the filter covers can see, and that no counted event touched in the period. For a
 * partner admin that is "visible to your organisation, unused by it"; with a distributor filter, "visible to
 * some distributor, unused by all of them". The NOT EXISTS probes asset_events_asset_time_idx per asset.
 */
export async function listNeverUsedAssets(db: Executor, filter: UsageFilter, now: Date) {
  const seenBy = db
    .select({ one: sql`1` })
    .from(audienceOrg)
    .where(and(...organisationConditions(filter, audienceOrg), assetVisibleTo(audienceOrg)));
  const used = db
    .select({ one: sql`1` })
    .from(assetEvents)
    .innerJoin(organisations, eq(organisations.id, assetEvents.organisationId))
    .where(and(eq(assetEvents.assetId, assets.id), ...eventConditions(filter), ...organisationConditions(filter)));
  return db
    .select({ assetId: assets.id, title: assets.title, category: assets.category, createdAt: assets.createdAt, expiresAt: assets.expiresAt })
    .from(assets)
    .where(
      and(
        isNull(assets.archivedAt),
        isNotNull(assets.currentVersionId),
        or(isNull(assets.expiresAt), gt(assets.expiresAt, now)),
        lt(assets.createdAt, filter.until),
        exists(seenBy),
        notExists(used),
      ),
    )
    .orderBy(asc(assets.title), asc(assets.id));
}

export type NeverUsedAssetRow = Awaited<ReturnType<typeof listNeverUsedAssets>>[number];

/**
 * Counts per day or per ISO week (Monday first), in UTC. Only buckets with events come back; the service adds
 * the empty ones. The unit is one of two fixed words, inlined so SELECT and GROUP BY are the same expression.
 */
export async function listUsageTrend(db: Executor, filter: UsageFilter, unit: 'day' | 'week') {
  const bucket = sql<string>`to_char(date_trunc(${sql.raw(unit === 'week' ? "'week'" : "'day'")}, ${assetEvents.occurredAt} at time zone 'UTC'), 'YYYY-MM-DD')`;
  return db
    .select({ bucket, ...kindCounts() })
    .from(assetEvents)
    .innerJoin(organisations, eq(organisations.id, assetEvents.organisationId))
    .where(and(...eventConditions(filter), ...organisationConditions(filter)))
    .groupBy(bucket)
    .orderBy(bucket);
}

/** Partner organisations for the vendor side's organisation filter. */
export async function listPartnerOrganisations(db: Executor) {
  return db
    .select({ id: organisations.id, name: organisations.name })
    .from(organisations)
    .where(eq(organisations.kind, 'partner'))
    .orderBy(asc(organisations.name), asc(organisations.id));
}

/** A partner organisation by id; null for the vendor or an unknown id. */
export async function findPartnerOrganisation(db: Executor, organisationId: string) {
  const rows = await db
    .select({ id: organisations.id, name: organisations.name })
    .from(organisations)
    .where(and(eq(organisations.id, organisationId), eq(organisations.kind, 'partner')))
    .limit(1);
  return rows[0] ?? null;
}
