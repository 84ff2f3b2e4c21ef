import type { Executor } from '../../server/db/database.js';
import { assetEvents, type AssetEventKind } from '../analytics/usage.table.js';

export interface AssetEventInput {
  kind: AssetEventKind;
  assetId: string;
  assetVersionId: string | null;
  userId: string | null;
  organisationId: string;
  occurredAt: Date;
}

/** One view, download or co-branded render, for the usage reports (assets/analytics reads these rows). */
export async function recordAssetEvent(tx: Executor, event: AssetEventInput): Promise<void> {
  await tx.insert(assetEvents).values(event);
}
