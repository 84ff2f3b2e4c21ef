/**
 * Bench data generator: adds N partner organisations and M users to a database with set-based SQL
 * (generate_series + INSERT ... SELECT), so 100,000 users take seconds, not minutes. The same SQL runs on
 * PostgreSQL 15 and on PGlite.
 *
 * Every generated user shares one precomputed scrypt hash of `password`, so any of them can sign in.
 *
 *   tsx tests/bench/generate-data.ts [--organisations 2000] [--users 100000] [--password ...]
 *   (uses DATABASE_URL, or the PGlite database in DATA_DIR, as the app does; migrates first)
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import type { Database } from '../../server/db/database.js';
import { hashPassword } from '../../server/auth/password.js';
import { DEMO_TIERS } from '../../server/db/seed.js';

export const BENCH_PASSWORD = 'bench-password-123';

export interface GenerateOptions {
  organisations?: number;
  users?: number;
  password?: string;
  /** Prefix of generated slugs and email addresses; keeps a second run from colliding with the first. */
  prefix?: string;
}

export interface GeneratedData {
  organisations: number;
  users: number;
  password: string;
  /** Accounts a bench can sign in as (all share `password`). */
  sample: { partnerAdmin: string; partnerRep: string; partnerMarketer: string };
  elapsedMs: number;
}

const REGIONS: readonly [string, string][] = [
  ['North America', 'US'],
  ['North America', 'CA'],
  ['Latin America', 'BR'],
  ['Latin America', 'MX'],
  ['EMEA', 'GB'],
  ['EMEA', 'DE'],
  ['EMEA', 'FR'],
  ['EMEA', 'ZA'],
  ['APAC', 'SG'],
  ['APAC', 'AU'],
  ['APAC', 'JP'],
  ['APAC', 'IN'],
];
const FIRST_NAMES = ['Alex', 'Sam', 'Jordan', 'Taylor', 'Morgan', 'Casey', 'Riley', 'Jamie', 'Avery', 'Quinn', 'Priya', 'Wei', 'Lena', 'Jonas', 'Greta', 'Arjun', 'Sofia', 'Mateo', 'Aisha', 'Kenji', 'Noah', 'Emma', 'Liam', 'Olivia', 'Yusuf'];
const LAST_NAMES = ['Smith', 'Nguyen', 'Garcia', 'Müller', 'Rossi', 'Tanaka', 'Khan', 'Okafor', 'Silva', 'Dubois', 'Novak', 'Kowalski', 'Hansen', 'Lee', 'Patel', 'Cohen', 'Ivanova', 'Moreau', 'Jensen', 'Costa', 'Schmidt', 'Fischer', 'Weber', 'Tan', 'Mehta', 'Diaz', 'Carter', 'Raman', 'Hoffmann', 'Brown', 'Wilson'];

/** A text[] literal built from constants only (no user input), so it can be inlined into the SQL. */
function textArray(values: readonly string[]): ReturnType<typeof sql.raw> {
  return sql.raw(`array[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')}]::text[]`);
}

const pad = (n: number) => String(n).padStart(6, '0');

/** Adds the organisations and users; returns what it made. Works on a database that has the demo seed, or none. */
export async function generateBenchData(db: Database, options: GenerateOptions = {}): Promise<GeneratedData> {
  const started = performance.now();
  const orgCount = options.organisations ?? 2000;
  const userCount = options.users ?? 100_000;
  const password = options.password ?? BENCH_PASSWORD;
  const prefix = options.prefix ?? 'bench';
  if (!Number.isInteger(orgCount) || orgCount < 1) throw new Error('organisations must be a whole number above 0');
  if (!Number.isInteger(userCount) || userCount < 0) throw new Error('users must be a whole number, 0 or more');
  if (!/^[a-z0-9-]+$/.test(prefix)) throw new Error('prefix: lower-case letters, digits and dashes only');

  // One scrypt hash (~60 ms) for everyone: hashing 100,000 passwords would take over an hour.
  const passwordHash = await hashPassword(password);

  await db.transaction(async (tx) => {
    // Tiers: reuse the demo seed's, or create them on an empty database.
    for (const tier of DEMO_TIERS) {
      await tx.execute(sql`insert into partner_tiers (key, name, rank) values (${tier.key}, ${tier.name}, ${tier.rank}) on conflict (key) do nothing`);
    }

    // Partner organisations, spread over every partner type, tier and region. Tiers are pyramid-shaped:
    // most partners are registered, few platinum (i % 20: 0-9 registered, 10-15 silver, 16-18 gold, 19 platinum).
    await tx.execute(sql`
      with tiers as (select id, key from partner_tiers),
           types as (select t, row_number() over (order by t) - 1 as n from unnest(enum_range(null::partner_type)) as t),
           g as (select i from generate_series(1, ${orgCount}::int) as s(i))
      insert into organisations (slug, name, kind, partner_type, tier_id, region, country, website, contact_name, contact_email, created_at, updated_at)
      select ${prefix}::text || '-org-' || lpad(g.i::text, 6, '0'),
             'Bench Partner ' || lpad(g.i::text, 6, '0'),
             'partner',
             types.t,
             tiers.id,
             (${textArray(REGIONS.map(([r]) => r))})[1 + g.i % ${REGIONS.length}],
             (${textArray(REGIONS.map(([, c]) => c))})[1 + g.i % ${REGIONS.length}],
             'https://' || ${prefix}::text || '-org-' || g.i || '.example',
             'Partner Contact ' || g.i,
             'partners@' || ${prefix}::text || '-org-' || g.i || '.example',
             now() - (g.i % 700) * interval '1 day',
             now() - (g.i % 30) * interval '1 day'
      from g
      join types on types.n = g.i % (select count(*) from types)
      join tiers on tiers.key = case when g.i % 20 < 10 then 'registered' when g.i % 20 < 16 then 'silver' when g.i % 20 < 19 then 'gold' else 'platinum' end
      on conflict (slug) do nothing`);

    // Users, round-robin over the generated organisations (about M / N each). Within an organisation the
    // first user is its partner admin, then roughly 2 reps to 1 marketer. About 40% signed in within the
    // last 30 days, 30% earlier, 30% never; 2% are disabled.
    if (userCount > 0) {
      await tx.execute(sql`
        with g as (select i, (i - 1) % ${orgCount}::int + 1 as org_no, (i - 1) / ${orgCount}::int as seq from generate_series(1, ${userCount}::int) as s(i))
        insert into users (organisation_id, email, name, role, status, password_hash, last_sign_in_at, created_at, updated_at)
        select o.id,
               ${prefix}::text || '-user-' || lpad(g.i::text, 6, '0') || '@' || o.slug || '.example',
               (${textArray(FIRST_NAMES)})[1 + g.i % ${FIRST_NAMES.length}] || ' ' || (${textArray(LAST_NAMES)})[1 + (g.i / ${FIRST_NAMES.length}) % ${LAST_NAMES.length}],
               (case when g.seq = 0 then 'partner_admin' when g.seq % 3 = 0 then 'partner_marketer' else 'partner_rep' end)::user_role,
               (case when g.i % 50 = 0 then 'disabled' else 'active' end)::user_status,
               ${passwordHash}::text,
               case when g.i % 10 < 4 then now() - (g.i % 29) * interval '1 day' - (g.i % 1440) * interval '1 minute'
                    when g.i % 10 < 7 then now() - (31 + g.i % 300) * interval '1 day'
                    else null end,
               now() - (g.i % 700) * interval '1 day',
               now() - (g.i % 60) * interval '1 day'
        from g
        join organisations o on o.slug = ${prefix}::text || '-org-' || lpad(g.org_no::text, 6, '0')
        on conflict (email) do nothing`);
    }
  });
  // Fresh statistics, as autovacuum would have on a database that grew to this size over time.
  await db.execute(sql`analyze organisations`);
  await db.execute(sql`analyze users`);

  // User i belongs to organisation ((i - 1) % N) + 1 and has seq (i - 1) / N: user 1 is org 1's admin,
  // user N + 1 its first rep (seq 1), user 3N + 1 its first marketer (seq 3).
  const email = (i: number) => `${prefix}-user-${pad(i)}@${prefix}-org-${pad(((i - 1) % orgCount) + 1)}.example`;
  return {
    organisations: orgCount,
    users: userCount,
    password,
    sample: { partnerAdmin: email(1), partnerRep: email(orgCount + 1), partnerMarketer: email(3 * orgCount + 1) },
    elapsedMs: performance.now() - started,
  };
}

// CLI: `tsx tests/bench/generate-data.ts` against the configured database.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { values } = parseArgs({
    options: { organisations: { type: 'string', default: '2000' }, users: { type: 'string', default: '100000' }, password: { type: 'string' }, prefix: { type: 'string' } },
  });
  const { loadConfig } = await import('../../server/config/config.js');
  const { createDatabase } = await import('../../server/db/database.js');
  const config = loadConfig();
  const database = await createDatabase(config.database);
  try {
    await database.migrate();
    const result = await generateBenchData(database.db, {
      organisations: Number(values.organisations),
      users: Number(values.users),
      ...(values.password ? { password: values.password } : {}),
      ...(values.prefix ? { prefix: values.prefix } : {}),
    });
    process.stdout.write(
      `Added ${result.organisations} organisations and ${result.users} users in ${(result.elapsedMs / 1000).toFixed(1)} s (${config.database.kind}).\n` +
        `Sign in as ${result.sample.partnerRep} (partner rep) or ${result.sample.partnerAdmin} (partner admin), password ${result.password}\n`,
    );
  } finally {
    await database.close();
  }
}
