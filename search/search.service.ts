import type { AppDeps } from '../server/app-deps.js';
import type { Actor } from '../server/tenancy/actor.js';
import type { SearchFacet, SearchResult, SearchSort, SearchViewer } from './search.types.js';
import { findViewerOrganisation } from './search.repository.js';
import { canPerform } from '../server/tenancy/policy.js';

export interface SearchService {
  search(
    actor: Actor,
    input: { text: string; filters: Partial<Record<SearchFacet, string[]>>; sort: SearchSort; page: number; pageSize: number },
  ): Promise<SearchResult>;
  suggest(actor: Actor, text: string, limit?: number): Promise<string[]>;
}

/** A partner whose organisation cannot be read sees only items with no restriction at all. */
const UNRESTRICTED_ONLY: SearchViewer = { kind: 'partner', partnerType: null, tierId: null, region: null };

/** Searches for a signed-in user: the viewer is always built from their organisation, never from the request. */
export function createSearchService(deps: AppDeps): SearchService {
  async function viewerOf(actor: Actor): Promise<SearchViewer> {
    // Drafts, archived and expired items are for the people who manage content; other vendor staff see live ones.
    if (actor.organisationKind === 'vendor') return { kind: 'vendor', liveOnly: !canPerform(actor, 'asset.manage') && !canPerform(actor, 'course.manage') };
    const org = await findViewerOrganisation(deps.database.db, actor.organisationId);
    if (!org || org.kind !== 'partner') return UNRESTRICTED_ONLY;
    return { kind: 'partner', partnerType: org.partnerType, tierId: org.tierId, region: org.region };
  }

  return {
    async search(actor, input) {
      const viewer = await viewerOf(actor);
      return deps.search.search({ ...input, viewer, now: deps.clock() });
    },
    async suggest(actor, text, limit = 8) {
      if (!text.trim()) return [];
      return deps.search.suggest(text, await viewerOf(actor), deps.clock(), limit);
    },
  };
}
