/**
 * The search benchmark: GET /search with a realistic mix of queries (typos, prefixes, facet filters, browse, a
 * partner viewer and a vendor viewer) over 100,000 generated assets, against the Express hello world measured in
 * the same run. Latency percentiles (p50/p95/p99) are computed from every response time autocannon reports.
 * Writes its own section of BENCHMARKS.md (between the search-bench markers).
 *
 *   npm run bench -- --suite search
 *   npm run bench -- --suite search --only pglite --assets 20000 --duration 5 --no-write   (a quick look)
 *
 * Options: --assets 100000, --connections 20, --duration 10, --warmup 3, --only pglite|postgres|both (default: pglite,
 * the embedded engine; postgres needs BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test),
 * --output BENCHMARKS.md, --no-write, --quiet-max-busy 20 --quiet-max-wait 120.
 *
 * The data goes in with set-based SQL (generate_series); the index is then built by the real reindex path
 * (search/reindex.ts: document builders + engine.upsert in batches), exactly what `npm run search:reindex` does.
 * The app runs as `node --import tsx server/main.ts` (no build, so other work in the checkout is not disturbed;
 * tsx only costs at load time), NODE_ENV=production, LOG_LEVEL=warn.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { createDatabase, type DatabaseHandle } from '../../server/db/database.js';
import { seedDemoData } from '../../server/db/seed.js';
import { createStorage } from '../../server/storage/create-storage.js';
import { createPostgresSearchEngine } from '../../search/engines/postgres.engine.js';
import { rebuildSearchIndex } from '../../search/reindex.js';
import { TestClient } from '../helpers/http-client.js';
import { freePort, type Cleanup } from './lib/processes.js';
import { childEnv, runLatencyLoad, runSectionBench, startNode, type LoadFigures } from './lib/latency-load.js';
import { machineInfo } from './lib/report.js';
import { SEARCH_SECTION_END as END, SEARCH_SECTION_START as START, spliceSearchSection as splice } from './lib/search-report.js';

const PASSWORD = 'bench-password-123';
const SESSION_SECRET = 'bench-session-secret-0123456789-abcdefghijklmnop';
/** The issue's target: search p95 at most this many times hello world's p95. */
const MAX_P95_RATIO = 3;

type Backend = 'pglite' | 'postgres';

interface BackendResult {
  backend: Backend;
  description: string;
  generateMs: number;
  indexMs: number;
  documents: number;
  hello: LoadFigures;
  /** Result cache off: every request reaches the engine. */
  cold: LoadFigures;
  /** As shipped: the 5 s result cache on. */
  search: LoadFigures;
  perQuery: { path: string; viewer: string; aloneMs: number; total: number }[];
}

/* ---------- Data ---------- */

const DOMAIN = [
  'cyber', 'security', 'firewall', 'cloud', 'partner', 'onboarding', 'network', 'ransomware', 'zero', 'trust', 'endpoint', 'detection',
  'email', 'gateway', 'backup', 'recovery', 'compliance', 'identity', 'access', 'analytics', 'threat', 'intelligence', 'wireless', 'campaign',
  'pricing', 'roadmap', 'launch', 'kit', 'guide', 'webinar', 'playbook', 'battlecard', 'overview', 'essentials', 'deep', 'dive', 'quick',
  'start', 'migration', 'licensing', 'renewal', 'channel', 'incentive', 'certification', 'deployment', 'architecture', 'resilience', 'privacy',
];
const COMMON = [
  'the', 'and', 'for', 'with', 'your', 'customers', 'teams', 'protect', 'deliver', 'grow', 'revenue', 'margin', 'deal', 'registration',
  'solution', 'platform', 'managed', 'service', 'provider', 'small', 'business', 'enterprise', 'midmarket', 'industry', 'healthcare',
  'finance', 'retail', 'education', 'government', 'manufacturing', 'benefits', 'features', 'customer', 'story', 'success', 'results',
  'quarter', 'annual', 'program', 'sales', 'marketing', 'technical', 'presales', 'demo', 'workshop', 'training', 'best', 'practices',
];

/** Made-up words of three or four syllables (8,000 + 160,000 of them): the long tail of a real vocabulary. */
const SYLLABLES = ['ka', 'lo', 'ri', 'tu', 'me', 'sa', 'no', 'vi', 'de', 'po', 'ra', 'li', 'mo', 'te', 'gu', 'ne', 'fa', 'zo', 'bi', 'che'];

/** Set-based: 100,000 rows are a few statements, not 100,000 round trips. Deterministic (hashes of the row number). */
export async function generateAssets(database: DatabaseHandle, count: number): Promise<void> {
  const db = database.db;
  const arrayLiteral = (list: string[]) => `array[${list.map((w) => `'${w}'`).join(',')}]`;
  const [domainArray, wordArray] = [arrayLiteral(DOMAIN), arrayLiteral([...DOMAIN, ...COMMON])];
  /** One word of the list, chosen by a hash of the row number i and a salt (an SQL expression). */
  const pick = (list: 'domain' | 'words', salt: string) => {
    const [array, n] = list === 'domain' ? [domainArray, DOMAIN.length] : [wordArray, DOMAIN.length + COMMON.length];
    return sql.raw(`(${array})[1 + ((hashint4(i * 7919 + ${salt})::bigint & 2147483647) % ${n})]`);
  };
  /** A made-up word, or (one time in `realEvery`) a real one, from hash h (an SQL integer expression). */
  const syllables = arrayLiteral(SYLLABLES);
  const word = (h: string, realEvery: number) =>
    sql.raw(`case when ((${h})::bigint & 2147483647) % ${realEvery} = 0 then (${wordArray})[1 + (((${h}) >> 8)::bigint & 2147483647) % ${DOMAIN.length + COMMON.length}]
      else (${syllables})[1 + (((${h}) >> 3)::bigint & 2147483647) % 20] || (${syllables})[1 + (((${h}) >> 8)::bigint & 2147483647) % 20] || (${syllables})[1 + (((${h}) >> 13)::bigint & 2147483647) % 20]
        || case when ((${h}) >> 18) % 5 < 2 then (${syllables})[1 + (((${h}) >> 20)::bigint & 2147483647) % 20] else '' end end`);
  await db.execute(sql`insert into tag_groups (key, name) values ('product_line', 'Product line') on conflict do nothing`);
  await db.execute(sql`insert into managed_tags (group_id, label) select g.id, l from tag_groups g, unnest(array['Firewall', 'Cloud', 'Endpoint', 'Email', 'Wireless']) l where g.key = 'product_line'`);
  const tiers = (await db.execute(sql`select id from partner_tiers order by rank`)) as unknown as { rows: { id: string }[] };
  const goldTier = tiers.rows[2]?.id ?? tiers.rows[0]!.id;
  await db.execute(sql`
    insert into assets (title, description, category, language, tags, visible_partner_types, visible_tier_ids, visible_regions, expires_at, archived_at, download_count, created_at)
    select
      initcap(${pick('domain', '1')}) || ' ' || initcap(${pick('domain', '2')}) || ' ' || initcap(${pick('domain', '3')}) || ' ' || initcap(${word('hashint4(i * 31 + 4)', 4)}),
      (select string_agg(${word('hashint4(i * 7919 + k * 31)', 2)}, ' ') from generate_series(1, 14) k),
      (array['presentation','brochure','datasheet','case_study','whitepaper','banner','logo','video','template','other'])[1 + i % 10],
      (array['en','en','en','en','en','en','de','fr','es','it'])[1 + (i / 10) % 10],
      array[${pick('domain', '5')}, ${pick('domain', '6')}],
      case when i % 10 = 1 then array['reseller']::partner_type[] else '{}'::partner_type[] end,
      case when i % 10 = 2 then array[${goldTier}::uuid] else '{}'::uuid[] end,
      case when i % 10 = 3 then array['APAC'] else '{}'::text[] end,
      case when i % 20 = 4 then now() - interval '1 day' else null end,
      case when i % 20 = 5 then now() else null end,
      (hashint4(i)::bigint & 2147483647) % 500,
      now() - make_interval(mins => i * 7)
    from generate_series(1, ${count}) i`);
  await db.execute(sql`
    insert into asset_versions (asset_id, version_number, storage_key, original_filename, format, mime_type, byte_size, sha256, extracted_text)
    select a.id, 1, 'bench/' || a.id, 'file.pdf',
      (array['pdf','pdf','pdf','pptx','docx','png'])[1 + (hashint4(a.download_count)::bigint & 2147483647) % 6], 'application/pdf', 100000, repeat('0', 64),
      (select string_agg(${word('hashint4(k * 131 + hashtext(a.title))', 7)}, ' ') from generate_series(1, 60) k)
    from assets a`);
  await db.execute(sql`update assets a set current_version_id = v.id from asset_versions v where v.asset_id = a.id`);
  await db.execute(sql`insert into asset_managed_tags (asset_id, tag_id) select a.id, (select t.id from managed_tags t order by t.label offset (a.download_count % 5) limit 1) from assets a`);
  await db.execute(sql`analyze`);
}

/* ---------- Load ---------- */

interface QueryPath {
  path: string;
  viewer: 'partner' | 'vendor';
}

/** What people type: typos, prefixes as they type, filters, browsing with sort, later pages. */
const QUERY_MIX: QueryPath[] = [
  { path: '/search?q=cyber+secuirty', viewer: 'partner' },
  { path: '/search?q=partnr+onbording', viewer: 'partner' },
  { path: '/search?q=firew', viewer: 'partner' },
  { path: '/search?q=ransomware+playbook', viewer: 'partner' },
  { path: '/search?q=cloud+migration&format=pdf', viewer: 'partner' },
  { path: '/search?q=identity&category=datasheet&language=en', viewer: 'partner' },
  { path: '/search?q=endpont+detection', viewer: 'partner' },
  { path: '/search?kind=asset&sort=newest', viewer: 'partner' },
  { path: '/search?q=deal+registration&sort=popular', viewer: 'partner' },
  { path: '/search?q=zero+trust&page=2', viewer: 'partner' },
  { path: '/search?q=licens', viewer: 'vendor' },
  { path: '/search?q=compliance+healthcare&managedTags=product_line%3AFirewall', viewer: 'vendor' },
  { path: '/search?q=webinar', viewer: 'vendor' },
  { path: '/search?format=pptx&language=de', viewer: 'vendor' },
];

/** The query mix spread over the connections in turn, each query with its viewer's session. */
async function runLoad(options: {
  baseUrl: string;
  paths: QueryPath[];
  cookies: Record<string, string>;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  quiet: { maxBusyPercent: number; maxWaitMs: number };
}): Promise<{ figures: LoadFigures }> {
  let next = 0;
  const figures = await runLatencyLoad({
    request: {
      url: options.baseUrl,
      connections: options.connections,
      pipelining: 1,
      timeout: 10,
      requests: [
        {
          setupRequest: (req) => {
            const q = options.paths[next++ % options.paths.length]!;
            const cookie = options.cookies[q.viewer];
            return { ...req, path: q.path, headers: { ...(req.headers ?? {}), accept: 'text/html', ...(cookie ? { cookie } : {}) } };
          },
        },
      ],
    },
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
    quiet: options.quiet,
  });
  return { figures };
}

async function prepareDatabase(backend: Backend, cleanup: Cleanup, adminUrl: string): Promise<{ dataDir: string; databaseUrl?: string; description: string }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'pa-search-bench-'));
  cleanup.add(`remove ${dataDir}`, () => rm(dataDir, { recursive: true, force: true }));
  if (backend === 'pglite') return { dataDir, description: 'PGlite (embedded, in the app process)' };
  const name = `pa_search_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const version = (await admin.query('show server_version')).rows[0].server_version as string;
  await admin.end();
  cleanup.add(`drop database ${name}`, async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { dataDir, databaseUrl: url.toString(), description: `PostgreSQL ${version} server` };
}

async function runBackend(backend: Backend, settings: Settings, cleanup: Cleanup): Promise<BackendResult> {
  const log = settings.log;
  const target = await prepareDatabase(backend, cleanup, settings.postgresAdminUrl);
  const dbConfig = target.databaseUrl ? ({ kind: 'postgres', url: target.databaseUrl, poolMax: 10 } as const) : ({ kind: 'pglite', dataDir: path.join(target.dataDir, 'pglite') } as const);

  // 1. Data and index, with the app stopped (PGlite has one owner).
  log(`[${backend}] generating ${settings.assets.toLocaleString('en-GB')} assets (set-based SQL)...`);
  const database = await createDatabase(dbConfig);
  let generateMs: number;
  let indexMs: number;
  let documents: number;
  try {
    await database.migrate();
    await seedDemoData(database.db, { password: PASSWORD });
    let t = performance.now();
    await generateAssets(database, settings.assets);
    generateMs = performance.now() - t;
    log(`  generated in ${(generateMs / 1000).toFixed(1)} s; building the index through the reindex path...`);
    const search = createPostgresSearchEngine(database.db);
    await search.setup();
    t = performance.now();
    const counts = await rebuildSearchIndex({ database, storage: createStorage({ kind: 'local', root: path.join(target.dataDir, 'storage') }), search }, (kind, n) => {
      if (n % 20_000 === 0) log(`    ${kind}s indexed: ${n}`);
    });
    indexMs = performance.now() - t;
    await database.db.execute(sql`analyze`);
    documents = await search.count();
    log(`  indexed ${counts.assets} assets in ${(indexMs / 1000).toFixed(1)} s`);
  } finally {
    await database.close();
  }

  // 2. Hello world alone on the machine, then the app.
  const load = { connections: settings.connections, durationSeconds: settings.durationSeconds, warmupSeconds: settings.warmupSeconds, quiet: settings.quiet };
  log(`[${backend}] hello world: ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s, ${settings.connections} connections`);
  const hello = await startNode('hello world', ['--import', 'tsx', path.join('tests', 'bench', 'hello-world.ts')], childEnv({ NODE_ENV: 'production' }), '/', cleanup);
  const helloRun = await runLoad({ ...load, baseUrl: hello.server.baseUrl, paths: [{ path: '/', viewer: 'vendor' }], cookies: {} });
  await hello.stop();
  log(`  p50 ${helloRun.figures.p50Ms} ms, p95 ${helloRun.figures.p95Ms} ms, ${helloRun.figures.requestsPerSecond.toFixed(0)} req/s`);

  // The app twice: with the result cache off (every request reaches the engine), then as shipped (5 s cache).
  const measureApp = async (cacheTtlMs: number) => {
    const appEnv = childEnv({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      DATA_DIR: target.dataDir,
      LOG_LEVEL: 'warn',
      SESSION_SECRET,
      SEARCH_CACHE_TTL_MS: String(cacheTtlMs),
      CONTENT_PORT: String(await freePort()),
      ...(target.databaseUrl ? { DATABASE_URL: target.databaseUrl } : {}),
    });
    const app = await startNode('app', ['--import', 'tsx', path.join('server', 'main.ts')], appEnv, '/healthz', cleanup);
    const partner = new TestClient(app.server.baseUrl);
    await partner.signIn('rep@globex.test', PASSWORD);
    const vendor = new TestClient(app.server.baseUrl);
    await vendor.signIn('admin@vendor.test', PASSWORD);
    const cookieOf = (c: TestClient) => `pa.sid=${c.cookie('pa.sid')}`;
    for (const q of QUERY_MIX) {
      const res = await (q.viewer === 'partner' ? partner : vendor).get(q.path);
      if (res.status !== 200) throw new Error(`${q.path} answered ${res.status}`);
    }
    // Each query alone, one at a time (under load, latencies mostly measure the queue, not the query).
    const totals = new Map<string, number>();
    const alone = new Map<string, number>();
    for (const q of QUERY_MIX) {
      const client = q.viewer === 'partner' ? partner : vendor;
      const times: number[] = [];
      let text = '';
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        text = (await client.get(q.path)).text;
        times.push(performance.now() - t);
      }
      totals.set(q.path, Number(/(\d[\d,]*) results?/.exec(text)?.[1]?.replace(/,/g, '') ?? 0));
      alone.set(q.path, times.sort((a, b) => a - b)[2]!);
    }
    log(`[${backend}] GET /search mix (${QUERY_MIX.length} queries, cache ${cacheTtlMs ? `${cacheTtlMs} ms` : 'off'}): ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s, ${settings.connections} connections`);
    const run = await runLoad({ ...load, baseUrl: app.server.baseUrl, paths: QUERY_MIX, cookies: { partner: cookieOf(partner), vendor: cookieOf(vendor) } });
    await app.stop();
    log(`  p50 ${run.figures.p50Ms} ms, p95 ${run.figures.p95Ms} ms, ${run.figures.requestsPerSecond.toFixed(0)} req/s, ${run.figures.errors} errors, ${run.figures.non2xx} non-2xx`);
    return { figures: run.figures, totals, alone };
  };
  const cold = await measureApp(0);
  const shipped = await measureApp(5000);
  const { totals, alone } = cold;

  return {
    backend,
    description: target.description,
    generateMs,
    indexMs,
    documents,
    hello: helloRun.figures,
    cold: cold.figures,
    search: shipped.figures,
    perQuery: QUERY_MIX.map((q) => ({ path: q.path, viewer: q.viewer, aloneMs: alone.get(q.path) ?? 0, total: totals.get(q.path) ?? 0 })),
  };
}

/* ---------- Report ---------- */

interface Settings {
  assets: number;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  backends: Backend[];
  postgresAdminUrl: string;
  quiet: { maxBusyPercent: number; maxWaitMs: number };
  log: (line: string) => void;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const name = (b: Backend) => (b === 'pglite' ? 'PGlite' : 'PostgreSQL');

function renderSection(results: BackendResult[], settings: Settings, totalSeconds: number): string {
  const m = machineInfo(results.find((r) => r.backend === 'postgres')?.description ?? 'PostgreSQL server not measured');
  const lines = [
    START,
    '## Search',
    '',
    '_Generated by `npm run bench -- --suite search` (tests/bench/search.bench.ts) from a real run; re-run it to refresh this section._',
    '',
    `- Date: ${m.date}`,
    `- Machine: ${m.cores} cores (\`nproc\`), ${m.cpuModel}, ${m.memory} RAM, ${m.os}; shared with other work (busy share before each row below)`,
    `- Node ${m.node}; ${m.pglite}; autocannon ${m.autocannon}`,
    `- Data: ${fmt(settings.assets)} generated assets (title, description, tags, a managed tag, 60 words of file text each, one word in 7 from a 96-word product vocabulary and the rest made up from syllables (the long tail); 10% reseller-only, 10% gold-only, 10% APAC-only, 5% expired, 5% archived), indexed by the real reindex path`,
    `- Load: autocannon, ${settings.connections} connections, keep-alive, no pipelining; ${settings.warmupSeconds} s warm-up (discarded) then ${settings.durationSeconds} s measured; percentiles from every response time`,
    `- App: \`node --import tsx server/main.ts\`, NODE_ENV=production, LOG_LEVEL=warn, embedded search engine (PostgreSQL full-text + pg_trgm)`,
    `- Query mix, round robin (partner = rep@globex.test, a platinum distributor in EMEA; vendor = admin@vendor.test): ${QUERY_MIX.map((q) => `\`${q.path}\` (${q.viewer})`).join(', ')}`,
    `- Whole run: ${fmt(totalSeconds)} s`,
    '',
    '| Database | Row | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | non-2xx | busy before | p95 vs hello world |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    for (const [label, x] of [
      ['Express hello world, GET / (baseline)', r.hello],
      ['GET /search, query mix, result cache off (every request reaches the engine)', r.cold],
      ['GET /search, query mix, as shipped (5 s result cache)', r.search],
    ] as const) {
      const ratio = x === r.hello ? 'baseline' : `${fmt(x.p95Ms / Math.max(1, r.hello.p95Ms), 2)}×`;
      lines.push(`| ${name(r.backend)} | ${label} | ${fmt(x.requestsPerSecond)} | ${fmt(x.p50Ms)} | ${fmt(x.p95Ms)} | ${fmt(x.p99Ms)} | ${fmt(x.maxMs)} | ${x.errors} | ${x.non2xx} | ${x.busyBeforePercent === null ? '?' : `${fmt(x.busyBeforePercent)}%`} | ${ratio} |`);
    }
  }
  lines.push('', '| Database | Target | Measured | Result |', '| --- | --- | --- | --- |');
  for (const r of results) {
    const ratio = r.search.p95Ms / Math.max(1, r.hello.p95Ms);
    const coldRatio = r.cold.p95Ms / Math.max(1, r.hello.p95Ms);
    const verdict = (x: LoadFigures, q: number) => (q <= MAX_P95_RATIO && x.errors + x.non2xx === 0 ? '**met**' : '**not met**');
    lines.push(`| ${name(r.backend)} | GET /search p95 ≤ ${MAX_P95_RATIO}× hello world p95, 0 errors (cache off) | ${fmt(coldRatio, 2)}× (${fmt(r.cold.p95Ms)} ms vs ${fmt(r.hello.p95Ms)} ms) | ${verdict(r.cold, coldRatio)} |`);
    lines.push(`| ${name(r.backend)} | GET /search p95 ≤ ${MAX_P95_RATIO}× hello world p95, 0 errors (as shipped) | ${fmt(ratio, 2)}× (${fmt(r.search.p95Ms)} ms vs ${fmt(r.hello.p95Ms)} ms) | ${verdict(r.search, ratio)} |`);
  }
  for (const r of results) {
    lines.push(
      '',
      `${name(r.backend)} (${r.description}): data generated in ${fmt(r.generateMs / 1000, 1)} s, ${fmt(r.documents)} documents indexed in ${fmt(r.indexMs / 1000, 1)} s. ` +
        'Each query alone, result cache off (median of 5 requests sent one at a time before the load, page rendering included):',
      '',
      '| Query | Viewer | Results | alone ms |',
      '| --- | --- | ---: | ---: |',
    );
    for (const q of r.perQuery) lines.push(`| \`${q.path}\` | ${q.viewer} | ${fmt(q.total)} | ${fmt(q.aloneMs)} |`);
  }
  lines.push(
    '',
    '### Why the embedded engine misses the target',
    '',
    'A query costs in proportion to the visible items it matches: every match is read from the heap (visibility columns, tsvector recheck), ranked (two `ts_rank` calls) and counted into every facet (one materialised scan, grouping sets, `unnest` for tags). ' +
      '`EXPLAIN ANALYZE` of the search statement for `firew` on PGlite (profiling run of Wed Nov 25 2026, 23,301 visible matches of 38,635): bitmap index scan 32 ms, bitmap heap scan with recheck and the visibility filter 510 ms (12,214 heap pages), then from the materialised matches the page of hits 19 ms, the scalar facets 24 ms, tags 75 ms, managed tags 38 ms. ' +
      'Queries matching a few thousand items take about 30–60 ms alone, broad ones (20,000+ matches, or browsing 60,000) 200–330 ms; with 20 connections the requests queue behind each other (PGlite runs one query at a time on the app\'s own thread), which is what the p95 measures. ' +
      'Changes made after profiling: one statement per search instead of two scans, facets as grouping sets, no `word_similarity` in ranking (it cost more than both `ts_rank` calls), cached typo corrections. ' +
      'Moving the tsvector and body out of line (TOAST) made it slower (the recheck reads them anyway). For libraries of this size under this load, set MEILI_URL: that is what the Meilisearch engine is for. ' +
      'The as-shipped row adds the result cache (search/result-cache.ts: SEARCH_CACHE_TTL_MS, default 5 s; keyed by the typed viewer class, so partners share answers only with partners who may see the same items; emptied on every index change in the process): the 14 queries of the mix repeat, as type-ahead and popular terms do, so most requests there are answered without the engine. A search nobody made in the last 5 seconds costs what the cache-off row shows.',
  );
  lines.push('', END);
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      assets: { type: 'string', default: '100000' },
      connections: { type: 'string', default: '20' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      only: { type: 'string' },
      output: { type: 'string', default: 'BENCHMARKS.md' },
      'no-write': { type: 'boolean', default: false },
      'quiet-max-busy': { type: 'string', default: '20' },
      'quiet-max-wait': { type: 'string', default: '120' },
    },
  });
  const whole = (option: string, value: string | undefined, min: number, max: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${option}: expected a whole number from ${min} to ${max}, got ${value}`);
    return n;
  };
  if (values.only && !['pglite', 'postgres', 'both'].includes(values.only)) throw new Error('--only: pglite, postgres or both');
  const settings: Settings = {
    assets: whole('assets', values.assets, 100, 1_000_000),
    connections: whole('connections', values.connections, 1, 1000),
    durationSeconds: whole('duration', values.duration, 1, 120),
    warmupSeconds: whole('warmup', values.warmup, 0, 60),
    backends: values.only === 'both' ? ['pglite', 'postgres'] : values.only ? [values.only as Backend] : ['pglite'],
    postgresAdminUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    quiet: { maxBusyPercent: whole('quiet-max-busy', values['quiet-max-busy'], 0, 100), maxWaitMs: whole('quiet-max-wait', values['quiet-max-wait'], 0, 1800) * 1000 },
    log: (line) => process.stdout.write(`${line}\n`),
  };
  return runSectionBench({
    name: 'search bench',
    log: settings.log,
    run: async (cleanup) => {
      const results: BackendResult[] = [];
      for (const backend of settings.backends) results.push(await runBackend(backend, settings, cleanup));
      return results;
    },
    render: (results, seconds) => renderSection(results, settings, seconds),
    splice: splice,
    output: values['no-write'] ? null : values.output!,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(await main(process.argv.slice(2)));
