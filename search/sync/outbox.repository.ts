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
