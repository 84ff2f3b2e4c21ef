// `npm run seed`: creates the demo organisations and accounts in an empty database.
import { loadConfig } from '../config/config.js';
import { createDatabase } from './database.js';
import { seedDemoData } from './seed.js';

const config = loadConfig();
const database = await createDatabase(config.database);
await database.migrate();
const result = await seedDemoData(database.db, { password: config.seed.password });
await database.close();
if (!result.seeded) process.stdout.write('The database already has organisations: nothing was seeded.\n');
else {
  for (const a of result.accounts) process.stdout.write(`${a.email}\t${a.role}\n`);
  process.stdout.write(result.passwordGenerated ? `Password (generated): ${result.password}\n` : 'Password: SEED_PASSWORD\n');
}
