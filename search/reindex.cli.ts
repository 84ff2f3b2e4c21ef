// `npm run search:reindex`: empties the search index and rebuilds it from the database (assets and courses).
// With the embedded database (PGlite), stop the app first: only one process can open its data directory.
import { loadConfig } from '../server/config/config.js';
import { createDatabase } from '../server/db/database.js';
import { createStorage } from '../server/storage/create-storage.js';
import { createSearchEngine } from './create-search-engine.js';
import { rebuildSearchIndex } from './reindex.js';

const config = loadConfig();
const database = await createDatabase(config.database);
await database.migrate();
const storage = createStorage(config.storage);
const search = createSearchEngine(config.search, database.db);
try {
  await search.setup();
  process.stdout.write(`Rebuilding the ${search.name} search index from the ${config.database.kind} database...\n`);
  const counts = await rebuildSearchIndex({ database, storage, search }, (kind, indexed) => process.stdout.write(`  ${kind}s indexed: ${indexed}\n`));
  process.stdout.write(`Search index rebuilt: ${counts.assets} assets, ${counts.courses} courses.\n`);
} finally {
  await Promise.allSettled([search.close(), storage.close()]);
  await database.close();
}
