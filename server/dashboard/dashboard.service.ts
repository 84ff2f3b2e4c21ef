import type { AppDeps } from '../app-deps.js';
import type { Actor } from '../tenancy/actor.js';
import { canPerform, scopeFor } from '../tenancy/policy.js';
import * as organisationsRepository from '../organisations/organisations.repository.js';
import * as usersRepository from '../users/users.repository.js';

const THIRTY_DAYS_MS = 30 * 24 * 3600_000;

/** What the home page shows: figures for the vendor side, the partner's own organisation for partner users. */
export function createDashboardService(deps: Pick<AppDeps, 'database' | 'clock'>) {
  const { db } = deps.database;
  return {
    async buildDashboard(actor: Actor) {
      const scope = scopeFor(actor);
      const activeSince = new Date(deps.clock().getTime() - THIRTY_DAYS_MS);
      if (actor.organisationKind === 'vendor') {
        const [partnerCount, userCount, activeCount] = await Promise.all([
          organisationsRepository.countOrganisations(db, 'partner'),
          usersRepository.countUsers(db, scope),
          usersRepository.countUsers(db, scope, { activeSince }),
        ]);
        return { kind: 'vendor' as const, partnerCount, userCount, activeCount, mayCreateOrganisation: canPerform(actor, 'organisation.create') };
      }
      const [organisation, colleagueCount, activeCount] = await Promise.all([
        organisationsRepository.findOrganisation(db, scope, actor.organisationId),
        usersRepository.countUsers(db, scope),
        usersRepository.countUsers(db, scope, { activeSince }),
      ]);
      return { kind: 'partner' as const, organisation: organisation!, colleagueCount, activeCount, mayManageUsers: canPerform(actor, 'user.invite') };
    },
  };
}

export type DashboardService = ReturnType<typeof createDashboardService>;
