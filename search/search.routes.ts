import type { RouteSpec } from '../server/http/route-table.js';
import { SEARCH_FACETS } from './search.types.js';
import { SEARCH_PAGE_SIZE, searchQuery, suggestQuery } from './search.schema.js';
import { searchPageModel } from './search.view.js';
import type { SearchService } from './search.service.js';

/** Search across assets and courses, and suggestions as you type; what anyone finds is limited in the engine query. */
export function searchRoutes(search: SearchService): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/search',
      access: { action: 'search.use' },
      handler: async (req, res) => {
        const query = searchQuery.parse(req.query);
        const filters = Object.fromEntries(SEARCH_FACETS.map((f) => [f, query[f]]));
        const result = await search.search(req.actor!, { text: query.q, filters, sort: query.sort, page: query.page, pageSize: SEARCH_PAGE_SIZE });
        res.render('pages/search/results', searchPageModel(query, result, SEARCH_PAGE_SIZE));
      },
    },
    {
      method: 'get',
      path: '/search/suggest',
      access: { action: 'search.use' },
      handler: async (req, res) => {
        const { q } = suggestQuery.parse(req.query);
        // Per user: never cached by a shared cache.
        res.set('Cache-Control', 'private, no-store');
        res.json({ suggestions: await search.suggest(req.actor!, q) });
      },
    },
  ];
}
