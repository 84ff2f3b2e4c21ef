import { and, asc, count, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import type { OrgScope } from '../tenancy/policy.js';
import { users, type NewUserRow, type UserRole, type UserRow } from './users.table.js';
import { organisations } from '../organisations/organisations.table.js';

export interface UserSummary {
  id: string;
  name: string;
  email: string;
  role: UserRole;
  status: 'active' | 'disabled';
  organisationId: string;
  organisationName: string;
  lastSignInAt: Date | null;
}

function scopeCondition(scope: OrgScope): SQL | undefined {
  return scope.kind === 'all' ? undefined : eq(users.organisationId, scope.organisationId);
}

export async function findUserByEmail(db: Executor, email: string): Promise<UserRow | null> {
  const rows = await db.select().from(users).where(eq(users.email, email.toLowerCase())).limit(1);
  return rows[0] ?? null;
}

export async function findUser(db: Executor, scope: OrgScope, id: string): Promise<(UserRow & { organisationName: string; organisationKind: 'vendor' | 'partner' }) | null> {
  const rows = await db
    .select({ user: users, organisationName: organisations.name, organisationKind: organisations.kind })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(and(eq(users.id, id), scopeCondition(scope)))
    .limit(1);
  const row = rows[0];
  return row ? { ...row.user, organisationName: row.organisationName, organisationKind: row.organisationKind } : null;
}

export async function listUsers(
  db: Executor,
  scope: OrgScope,
  filter: { organisationId?: string; q?: string; role?: UserRole; status?: 'active' | 'disabled'; limit: number; offset: number },
): Promise<{ rows: UserSummary[]; total: number }> {
  const conditions = [scopeCondition(scope)];
  if (filter.organisationId) conditions.push(eq(users.organisationId, filter.organisationId));
  if (filter.role) conditions.push(eq(users.role, filter.role));
  if (filter.status) conditions.push(eq(users.status, filter.status));
  if (filter.q) {
    const pattern = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(or(ilike(users.name, pattern), ilike(users.email, pattern)));
  }
  const where = and(...conditions);
  const [rows, totals] = await Promise.all([
    db
      .select({
        id: users.id,
        name: users.name,
        email: users.email,
        role: users.role,
        status: users.status,
        organisationId: users.organisationId,
        organisationName: organisations.name,
        lastSignInAt: users.lastSignInAt,
      })
      .from(users)
      .innerJoin(organisations, eq(organisations.id, users.organisationId))
      .where(where)
      .orderBy(asc(users.name), asc(users.id))
      .limit(filter.limit)
      .offset(filter.offset),
    db.select({ n: count() }).from(users).where(where),
  ]);
  return { rows, total: totals[0]?.n ?? 0 };
}

/** People in scope, and how many of them signed in since a date, in one scan. */
export async function countUsersAndActive(db: Executor, scope: OrgScope, activeSince: Date): Promise<{ total: number; active: number }> {
  const rows = await db
    .select({ total: count(), active: sql<number>`(count(*) filter (where ${users.lastSignInAt} >= ${activeSince}))::int` })
    .from(users)
    .where(scopeCondition(scope));
  return { total: rows[0]?.total ?? 0, active: rows[0]?.active ?? 0 };
}

export async function insertUser(db: Executor, values: NewUserRow): Promise<UserRow> {
  const rows = await db
    .insert(users)
    .values({ ...values, email: values.email.toLowerCase() })
    .returning();
  return rows[0]!;
}

export async function updateUser(db: Executor, id: string, values: Partial<Pick<NewUserRow, 'name' | 'role' | 'status' | 'passwordHash' | 'lastSignInAt'>>): Promise<UserRow | null> {
  const rows = await db
    .update(users)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(users.id, id))
    .returning();
  return rows[0] ?? null;
}

