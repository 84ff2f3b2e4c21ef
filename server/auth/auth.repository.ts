import { and, desc, eq, gt, isNull, lt } from 'drizzle-orm';
import type { Executor } from '../db/database.js';
import { invitations, passwordResets, sessions, type InvitationRow } from './auth.table.js';
import { users, type UserRole } from '../users/users.table.js';
import { organisations } from '../organisations/organisations.table.js';
import type { Actor } from '../tenancy/actor.js';

// --- sessions (express-session store) ---

/**
 * A live session and, in the same round trip, its signed-in user as an Actor (null when the session is
 * anonymous or the user is disabled). Every page view needs both, so this is one query, not two.
 */
export async function findSessionWithActor(db: Executor, sid: string, now: Date): Promise<{ data: unknown; actor: Actor | null } | null> {
  const rows = await db
    .select({
      data: sessions.data,
      userId: users.id,
      organisationId: users.organisationId,
      organisationKind: organisations.kind,
      organisationName: organisations.name,
      role: users.role,
      name: users.name,
      email: users.email,
    })
    .from(sessions)
    .leftJoin(users, and(eq(users.id, sessions.userId), eq(users.status, 'active')))
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(and(eq(sessions.sid, sid), gt(sessions.expiresAt, now)))
    .limit(1);
  const row = rows[0];
  if (!row) return null;
  const { data, userId, organisationId, organisationKind, organisationName, role, name, email } = row;
  const actor =
    userId && organisationId && organisationKind && organisationName && role && name && email
      ? { userId, organisationId, organisationKind, organisationName, role, name, email }
      : null;
  return { data, actor };
}

export async function upsertSession(db: Executor, values: { sid: string; userId: string | null; data: unknown; expiresAt: Date }): Promise<void> {
  await db
    .insert(sessions)
    .values(values)
    .onConflictDoUpdate({ target: sessions.sid, set: { userId: values.userId, data: values.data, expiresAt: values.expiresAt } });
}

export async function deleteSession(db: Executor, sid: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.sid, sid));
}

/** Signs a user out everywhere. */
export async function deleteSessionsOfUser(db: Executor, userId: string): Promise<number> {
  const rows = await db.delete(sessions).where(eq(sessions.userId, userId)).returning({ sid: sessions.sid });
  return rows.length;
}

export async function deleteExpiredSessions(db: Executor, now: Date): Promise<number> {
  const rows = await db.delete(sessions).where(lt(sessions.expiresAt, now)).returning({ sid: sessions.sid });
  return rows.length;
}

// --- invitations ---

export async function insertInvitation(
  db: Executor,
  values: { organisationId: string; email: string; name: string | null; role: UserRole; tokenHash: string; invitedById: string; expiresAt: Date },
): Promise<InvitationRow> {
  const rows = await db.insert(invitations).values(values).returning();
  return rows[0]!;
}

export async function findInvitationByTokenHash(db: Executor, tokenHash: string): Promise<InvitationRow | null> {
  const rows = await db.select().from(invitations).where(eq(invitations.tokenHash, tokenHash)).limit(1);
  return rows[0] ?? null;
}

export async function findInvitation(db: Executor, id: string): Promise<InvitationRow | null> {
  const rows = await db.select().from(invitations).where(eq(invitations.id, id)).limit(1);
  return rows[0] ?? null;
}

/** Marks an invitation accepted only if it still is open; returns false when someone else got there first. */
export async function markInvitationAccepted(db: Executor, id: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(invitations)
    .set({ acceptedAt: now })
    .where(and(eq(invitations.id, id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now)))
    .returning({ id: invitations.id });
  return rows.length === 1;
}

export async function revokeOpenInvitationsFor(db: Executor, email: string, now: Date): Promise<void> {
  await db
    .update(invitations)
    .set({ revokedAt: now })
    .where(and(eq(invitations.email, email), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)));
}

export async function revokeInvitation(db: Executor, id: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(invitations)
    .set({ revokedAt: now })
    .where(and(eq(invitations.id, id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
    .returning({ id: invitations.id });
  return rows.length === 1;
}

export async function listInvitationsOfOrganisation(db: Executor, organisationId: string, limit = 50): Promise<InvitationRow[]> {
  return db.select().from(invitations).where(eq(invitations.organisationId, organisationId)).orderBy(desc(invitations.createdAt)).limit(limit);
}

// --- password resets ---

export async function insertPasswordReset(db: Executor, values: { userId: string; tokenHash: string; expiresAt: Date }): Promise<void> {
  await db.insert(passwordResets).values(values);
}

export async function findPasswordResetByTokenHash(db: Executor, tokenHash: string) {
  const rows = await db.select().from(passwordResets).where(eq(passwordResets.tokenHash, tokenHash)).limit(1);
  return rows[0] ?? null;
}

export async function markPasswordResetUsed(db: Executor, id: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(passwordResets)
    .set({ usedAt: now })
    .where(and(eq(passwordResets.id, id), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, now)))
    .returning({ id: passwordResets.id });
  return rows.length === 1;
}
