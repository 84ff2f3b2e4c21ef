import { asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Executor } from '../../server/db/database.js';
import { searchOutbox, type SearchDocumentKind } from './outbox.table.js';

/**
 * Records that items changed and the index must follow. Call it with the transaction that made the change,
 * so the change and its outbox row commit (or roll back) together.
 */
export async function enqueueSearchUpdates(tx: Executor, documentKind: SearchDocumentKind, entityIds: readonly string[]): Promise<void> {
  if (entityIds.length === 0) return;
  await tx.insert(searchOutbox).values([...new Set(entityIds)].map((entityId) => ({ documentKind, entityId })));
}

/* ---------- The sync worker's side ---------- */

export interface ClaimedOutboxRow {
  id: number;
  documentKind: SearchDocumentKind;
  entityId: string;
  attempts: number;
}

/**
 * Takes up to `limit` due rows and leases them until `leaseUntil` (a worker that dies mid-batch leaves them to be
 * retried then). SKIP LOCKED lets several app instances claim disjoint batches at the same moment.
 */
export async function claimOutboxBatch(db: Executor, now: Date, leaseUntil: Date, limit: number): Promise<ClaimedOutboxRow[]> {
  const due = db
    .select({ id: searchOutbox.id })
    .from(searchOutbox)
    .where(lte(searchOutbox.availableAt, now))
    .orderBy(asc(searchOutbox.id))
    .limit(limit)
    .for('update', { skipLocked: true });
  return db
    .update(searchOutbox)
    .set({ availableAt: leaseUntil })
    .where(inArray(searchOutbox.id, due))
    .returning({ id: searchOutbox.id, documentKind: searchOutbox.documentKind, entityId: searchOutbox.entityId, attempts: searchOutbox.attempts });
}

export async function deleteOutboxRows(db: Executor, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.delete(searchOutbox).where(inArray(searchOutbox.id, [...ids]));
}

/** Keeps failed rows for a later try: one more attempt, the error, and when to try again. */
export async function postponeOutboxRows(db: Executor, ids: readonly number[], error: string, retryAt: (attempts: number) => Date): Promise<void> {
  if (ids.length === 0) return;
  const rows = await db.select({ id: searchOutbox.id, attempts: searchOutbox.attempts }).from(searchOutbox).where(inArray(searchOutbox.id, [...ids]));
  for (const row of rows) {
    await db
      .update(searchOutbox)
      .set({ attempts: row.attempts + 1, lastError: error.slice(0, 2000), availableAt: retryAt(row.attempts + 1) })
      .where(eq(searchOutbox.id, row.id));
  }
}

export async function listOutboxRows(db: Executor) {
  return db.select().from(searchOutbox).orderBy(asc(searchOutbox.id));
}

export async function enqueueEverything(db: Executor): Promise<number> {
  const assetRows = await db.execute(sql`insert into search_outbox (document_kind, entity_id) select 'asset', id from assets`);
  const courseRows = await db.execute(sql`insert into search_outbox (document_kind, entity_id) select 'course', id from courses`);
  return affected(assetRows) + affected(courseRows);
}

const affected = (result: unknown) => Number((result as { rowCount?: number; affectedRows?: number }).rowCount ?? (result as { affectedRows?: number }).affectedRows ?? 0);
