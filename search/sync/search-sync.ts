import type { AppDeps } from '../../server/app-deps.js';
import { buildAssetDocuments, buildCourseDocuments } from './document-builders.js';
import { claimOutboxBatch, deleteOutboxRows, enqueueEverything, postponeOutboxRows, type ClaimedOutboxRow } from './outbox.repository.js';
import { countIndexableItems } from './document-source.repository.js';
import type { SearchDocumentKind } from './outbox.table.js';

const BATCH_SIZE = 100;
/** A claimed batch not settled by then (the worker died) becomes due again. */
const LEASE_MS = 5 * 60_000;
const MAX_BACKOFF_MS = 10 * 60_000;

/** 2 s, 4 s, 8 s ... up to 10 minutes after the n-th failure. */
export function retryDelayMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts, 20));
}

export interface SearchSync {
  start(): void;
  stop(): Promise<void>;
  /** Applies every due outbox row now; resolves with how many rows were applied. */
  drainNow(): Promise<number>;
}

type SyncDeps = Pick<AppDeps, 'database' | 'storage' | 'search' | 'logger' | 'clock' | 'config'>;

/**
 * Makes the index follow the database: reads outbox rows (written in the same transaction as each change),
 * rebuilds those items from the database, and upserts or removes them. When the engine fails, the rows stay with
 * one more attempt, the error, and a later due time, so nothing is lost while Meilisearch is down.
 */
export function createSearchSync(deps: SyncDeps): SearchSync {
  const db = deps.database.db;
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let queue: Promise<unknown> = Promise.resolve();
  let checkedEmptyIndex = false;

  /** One at a time in this process: the loop and drainNow never apply the same change twice at once. */
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = queue.then(work, work);
    queue = next.catch(() => {});
    return next;
  }

  async function applyBatch(rows: ClaimedOutboxRow[]): Promise<void> {
    const idsOf = (kind: SearchDocumentKind) => [...new Set(rows.filter((r) => r.documentKind === kind).map((r) => r.entityId))];
    const [assetIds, courseIds] = [idsOf('asset'), idsOf('course')];
    const docs = [...(await buildAssetDocuments(db, assetIds)), ...(await buildCourseDocuments(db, deps.storage, courseIds))];
    const found = new Set(docs.map((d) => d.id));
    const gone = [...assetIds.map((id) => `asset:${id}`), ...courseIds.map((id) => `course:${id}`)].filter((id) => !found.has(id));
    await deps.search.upsert(docs);
    await deps.search.remove(gone);
  }

  async function drainOnce(): Promise<{ claimed: number; applied: number }> {
    const now = deps.clock();
    const rows = await claimOutboxBatch(db, now, new Date(now.getTime() + LEASE_MS), BATCH_SIZE);
    if (rows.length === 0) return { claimed: 0, applied: 0 };
    const ids = rows.map((r) => r.id);
    try {
      await applyBatch(rows);
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      await postponeOutboxRows(db, ids, message, (attempts) => new Date(deps.clock().getTime() + retryDelayMs(attempts)));
      deps.logger.warn({ err, rows: rows.length, engine: deps.search.name }, 'search index update failed; will retry');
      return { claimed: rows.length, applied: 0 };
    }
    await deleteOutboxRows(db, ids);
    return { claimed: rows.length, applied: rows.length };
  }

  async function drainAll(): Promise<number> {
    let applied = 0;
    for (;;) {
      const batch = await drainOnce();
      applied += batch.applied;
      // A failed batch is postponed; stop here rather than hammer an engine that is down.
      if (batch.claimed < BATCH_SIZE || batch.applied === 0) return applied;
    }
  }

  /** A fresh start with items but an empty index (new deployment, new Meilisearch): queue everything once. */
  async function indexEverythingIfEmpty(): Promise<void> {
    if (checkedEmptyIndex) return;
    if ((await deps.search.count()) === 0 && (await countIndexableItems(db)) > 0) {
      const queued = await enqueueEverything(db);
      deps.logger.info({ queued }, 'search index is empty: queued every asset and course');
    }
    checkedEmptyIndex = true;
  }

  async function tick(): Promise<void> {
    try {
      await exclusive(async () => {
        await indexEverythingIfEmpty();
        await drainAll();
      });
    } catch (err) {
      deps.logger.warn({ err }, 'search sync pass failed; will retry');
    }
    if (running) timer = setTimeout(() => void tick(), deps.config.search.syncIntervalMs);
  }

  return {
    start() {
      if (running) return;
      running = true;
      timer = setTimeout(() => void tick(), 0);
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      await queue;
    },
    drainNow() {
      return exclusive(drainAll);
    },
  };
}
