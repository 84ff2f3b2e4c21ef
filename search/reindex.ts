import type { AppDeps } from '../server/app-deps.js';
import { buildAssetDocuments, buildCourseDocuments } from './sync/document-builders.js';
import { listAssetIdsAfter, listCourseIdsAfter } from './sync/document-source.repository.js';

const BATCH_SIZE = 500;

/** Empties the index and rebuilds it from the database in batches; `progress` hears each batch. */
export async function rebuildSearchIndex(
  deps: Pick<AppDeps, 'database' | 'storage' | 'search'>,
  progress: (kind: 'asset' | 'course', indexed: number) => void = () => {},
): Promise<{ assets: number; courses: number }> {
  const db = deps.database.db;
  await deps.search.clear();
  const counts = { assets: 0, courses: 0 };
  for (let after: string | null = null; ; ) {
    const ids = await listAssetIdsAfter(db, after, BATCH_SIZE);
    if (ids.length === 0) break;
    await deps.search.upsert(await buildAssetDocuments(db, ids));
    counts.assets += ids.length;
    progress('asset', counts.assets);
    after = ids[ids.length - 1]!;
  }
  for (let after: string | null = null; ; ) {
    const ids = await listCourseIdsAfter(db, after, BATCH_SIZE);
    if (ids.length === 0) break;
    await deps.search.upsert(await buildCourseDocuments(db, deps.storage, ids));
    counts.courses += ids.length;
    progress('course', counts.courses);
    after = ids[ids.length - 1]!;
  }
  return counts;
}
