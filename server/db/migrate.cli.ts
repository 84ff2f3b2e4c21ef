// `npm run db:migrate`: applies pending migrations to the configured database (the app also does this at start).
import { loadConfig } from '../config/config.js';
import { createDatabase } from './database.js';

const config = loadConfig();
const database = await createDatabase(config.database);
await database.migrate();
await database.close();
process.stdout.write(`Migrations applied (${config.database.kind}).\n`);
