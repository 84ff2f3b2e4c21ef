import { eq } from 'drizzle-orm';
import type { Executor } from '../server/db/database.js';
import { organisations } from '../server/organisations/organisations.table.js';

/** The parts of a partner organisation that visibility lists compare against. */
export async function findViewerOrganisation(db: Executor, organisationId: string) {
  const rows = await db
    .select({ kind: organisations.kind, partnerType: organisations.partnerType, tierId: organisations.tierId, region: organisations.region })
    .from(organisations)
    .where(eq(organisations.id, organisationId))
    .limit(1);
  return rows[0] ?? null;
}
