import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../../server/db/database.js';
import { courseItems, courseVersions } from '../scorm/scorm.table.js';
import { attempts } from '../tracking/tracking.table.js';
import { attemptSequencingStates } from './sequencing.table.js';

/** What the sequencing settings of a version are built from: its standard, stored manifest and item ids. */
export async function findVersionSequencingSource(
  db: Executor,
  versionId: string,
): Promise<{ standard: 'scorm12' | 'scorm2004'; manifest: unknown; items: Array<{ id: string; identifier: string }> } | null> {
  const [version] = await db.select({ standard: courseVersions.standard, manifest: courseVersions.manifest }).from(courseVersions).where(eq(courseVersions.id, versionId)).limit(1);
  if (!version) return null;
  const items = await db.select({ id: courseItems.id, identifier: courseItems.identifier }).from(courseItems).where(eq(courseItems.versionId, versionId)).orderBy(asc(courseItems.position));
  return { ...version, items };
}

export async function findSequencingState(db: Executor, attemptId: string): Promise<string | null> {
  const [row] = await db.select({ state: attemptSequencingStates.state }).from(attemptSequencingStates).where(eq(attemptSequencingStates.attemptId, attemptId)).limit(1);
  return row?.state ?? null;
}

/**
 * Stores the state of an attempt still in progress; a completed attempt (opened for review) keeps the state it
 * had. Returns whether it was stored.
 */
export async function saveSequencingState(db: Executor, attemptId: string, state: string, now: Date): Promise<boolean> {
  const open = db
    .select({ attemptId: attempts.id, state: sql`${state}::text`.as('state'), updatedAt: sql`${now.toISOString()}::timestamptz`.as('updated_at') })
    .from(attempts)
    .where(and(eq(attempts.id, attemptId), isNull(attempts.completedAt)));
  const rows = await db
    .insert(attemptSequencingStates)
    .select(open)
    .onConflictDoUpdate({ target: attemptSequencingStates.attemptId, set: { state: sql`excluded.state`, updatedAt: sql`excluded.updated_at` } })
    .returning({ attemptId: attemptSequencingStates.attemptId });
  return rows.length > 0;
}
