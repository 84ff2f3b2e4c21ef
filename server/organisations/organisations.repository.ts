import { and, asc, count, desc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import type { OrgScope } from '../tenancy/policy.js';
import { organisations, partnerTiers, type NewOrganisationRow, type OrganisationRow, type PartnerTierRow, type PartnerType } from './organisations.table.js';
import { users } from '../users/users.table.js';

export interface OrganisationSummary {
  id: string;
  slug: string;
  name: string;
  kind: 'vendor' | 'partner';
  partnerType: PartnerType | null;
  tierName: string | null;
  region: string | null;
  country: string | null;
  userCount: number;
}

export interface OrganisationWithTier extends OrganisationRow {
  tierName: string | null;
}

function scopeCondition(scope: OrgScope): SQL | undefined {
  return scope.kind === 'all' ? undefined : eq(organisations.id, scope.organisationId);
}

export async function listOrganisations(
  db: Executor,
  scope: OrgScope,
  filter: { q?: string; partnerType?: PartnerType; tierId?: string; limit: number; offset: number },
): Promise<{ rows: OrganisationSummary[]; total: number }> {
  const conditions = [scopeCondition(scope)];
  if (filter.q) {
    const pattern = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(or(ilike(organisations.name, pattern), ilike(organisations.slug, pattern), ilike(organisations.country, pattern)));
  }
  if (filter.partnerType) conditions.push(eq(organisations.partnerType, filter.partnerType));
  if (filter.tierId) conditions.push(eq(organisations.tierId, filter.tierId));
  const where = and(...conditions);
  const userCounts = db
    .select({ organisationId: users.organisationId, n: count().as('n') })
    .from(users)
    .groupBy(users.organisationId)
    .as('user_counts');
  const [rows, totals] = await Promise.all([
    db
      .select({
        id: organisations.id,
        slug: organisations.slug,
        name: organisations.name,
        kind: organisations.kind,
        partnerType: organisations.partnerType,
        tierName: partnerTiers.name,
        region: organisations.region,
        country: organisations.country,
        userCount: sql<number>`coalesce(${userCounts.n}, 0)::int`,
      })
      .from(organisations)
      .leftJoin(partnerTiers, eq(partnerTiers.id, organisations.tierId))
      .leftJoin(userCounts, eq(userCounts.organisationId, organisations.id))
      .where(where)
      // The vendor first, then partners by name.
      .orderBy(asc(organisations.kind), asc(organisations.name))
      .limit(filter.limit)
      .offset(filter.offset),
    db.select({ n: count() }).from(organisations).where(where),
  ]);
  return { rows, total: totals[0]?.n ?? 0 };
}

export async function findOrganisation(db: Executor, scope: OrgScope, id: string): Promise<OrganisationWithTier | null> {
  const rows = await db
    .select({ organisation: organisations, tierName: partnerTiers.name })
    .from(organisations)
    .leftJoin(partnerTiers, eq(partnerTiers.id, organisations.tierId))
    .where(and(eq(organisations.id, id), scopeCondition(scope)))
    .limit(1);
  const row = rows[0];
  return row ? { ...row.organisation, tierName: row.tierName } : null;
}

/** An organisation with its tier and its people counts, in one query, for the partner home page. */
export async function findOrganisationOverview(db: Executor, scope: OrgScope, id: string, activeSince: Date) {
  // Joined and grouped rather than correlated subqueries: Drizzle leaves columns unqualified in a
  // single-table select, which would make a subquery compare users.id with itself.
  const rows = await db
    .select({
      id: organisations.id,
      name: organisations.name,
      partnerType: organisations.partnerType,
      region: organisations.region,
      tierName: partnerTiers.name,
      colleagueCount: sql<number>`count(${users.id})::int`,
      activeCount: sql<number>`(count(${users.id}) filter (where ${users.lastSignInAt} >= ${activeSince}))::int`,
    })
    .from(organisations)
    .leftJoin(partnerTiers, eq(partnerTiers.id, organisations.tierId))
    .leftJoin(users, eq(users.organisationId, organisations.id))
    .where(and(eq(organisations.id, id), scopeCondition(scope)))
    .groupBy(organisations.id, partnerTiers.name);
  const row = rows[0];
  if (!row) return null;
  const { colleagueCount, activeCount, ...organisation } = row;
  return { organisation, colleagueCount, activeCount };
}

/** Partner organisations per tier (tiers in rank order, including empty ones) and per partner type. */
export async function countPartnersByTierAndType(db: Executor) {
  const [byTier, byType] = await Promise.all([
    db
      .select({ name: partnerTiers.name, count: sql<number>`count(${organisations.id})::int` })
      .from(partnerTiers)
      .leftJoin(organisations, eq(organisations.tierId, partnerTiers.id))
      .groupBy(partnerTiers.id)
      .orderBy(desc(partnerTiers.rank)),
    db
      .select({ partnerType: organisations.partnerType, count: count() })
      .from(organisations)
      .where(eq(organisations.kind, 'partner'))
      .groupBy(organisations.partnerType)
      .orderBy(desc(count())),
  ]);
  return { byTier, byType };
}

export async function listRecentPartners(db: Executor, limit: number) {
  return db
    .select({ id: organisations.id, name: organisations.name, partnerType: organisations.partnerType, tierName: partnerTiers.name, createdAt: organisations.createdAt })
    .from(organisations)
    .leftJoin(partnerTiers, eq(partnerTiers.id, organisations.tierId))
    .where(eq(organisations.kind, 'partner'))
    .orderBy(desc(organisations.createdAt), asc(organisations.name))
    .limit(limit);
}

export async function insertOrganisation(db: Executor, values: NewOrganisationRow): Promise<OrganisationRow> {
  const rows = await db.insert(organisations).values(values).returning();
  return rows[0]!;
}

export async function updateOrganisation(db: Executor, id: string, values: Partial<NewOrganisationRow>): Promise<OrganisationRow | null> {
  const rows = await db
    .update(organisations)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(organisations.id, id))
    .returning();
  return rows[0] ?? null;
}

export async function countOrganisations(db: Executor, kind: 'vendor' | 'partner'): Promise<number> {
  const rows = await db.select({ n: count() }).from(organisations).where(eq(organisations.kind, kind));
  return rows[0]?.n ?? 0;
}

export async function listTiers(db: Executor): Promise<(PartnerTierRow & { organisationCount: number })[]> {
  return db
    .select({
      id: partnerTiers.id,
      key: partnerTiers.key,
      name: partnerTiers.name,
      rank: partnerTiers.rank,
      createdAt: partnerTiers.createdAt,
      organisationCount: sql<number>`count(${organisations.id})::int`,
    })
    .from(partnerTiers)
    .leftJoin(organisations, eq(organisations.tierId, partnerTiers.id))
    .groupBy(partnerTiers.id)
    .orderBy(asc(partnerTiers.rank), asc(partnerTiers.name));
}

export async function findTier(db: Executor, id: string): Promise<PartnerTierRow | null> {
  const rows = await db.select().from(partnerTiers).where(eq(partnerTiers.id, id)).limit(1);
  return rows[0] ?? null;
}

export async function insertTier(db: Executor, values: { key: string; name: string; rank: number }): Promise<PartnerTierRow> {
  const rows = await db.insert(partnerTiers).values(values).returning();
  return rows[0]!;
}

export async function updateTier(db: Executor, id: string, values: { name: string; rank: number }): Promise<PartnerTierRow | null> {
  const rows = await db.update(partnerTiers).set(values).where(eq(partnerTiers.id, id)).returning();
  return rows[0] ?? null;
}

export async function deleteTier(db: Executor, id: string): Promise<boolean> {
  const rows = await db.delete(partnerTiers).where(eq(partnerTiers.id, id)).returning({ id: partnerTiers.id });
  return rows.length > 0;
}

export async function countOrganisationsInTier(db: Executor, tierId: string): Promise<number> {
  const rows = await db.select({ n: count() }).from(organisations).where(eq(organisations.tierId, tierId));
  return rows[0]?.n ?? 0;
}
