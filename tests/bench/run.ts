/**
 * `npm run bench`: the dashboard versus hello-world benchmark on PostgreSQL and PGlite, plus start-up time;
 * writes BENCHMARKS.md at the project root from the figures of this run.
 *
 *   npm run bench
 *   npm run bench -- --duration 10 --warmup 3 --connections 50 --users 100000 --organisations 2000
 *   npm run bench -- --only postgres --duration 3 --no-write     (a quick look; leaves BENCHMARKS.md alone)
 *   npm run bench -- --no-write --cpu-prof tests/.artifacts/prof  (also profile the app under load; open in Chrome DevTools)
 *
 * Other options: --startup-runs 5, --node-env production|development, --no-build (measure the existing dist/),
 * --quiet-max-busy 20 --quiet-max-wait 120 (before each row, wait up to that many seconds for the machine to
 * be at most that % busy, so someone else's build does not skew a row; the report shows the load seen).
 *
 * `npm run bench -- --suite search [options]`: GET /search over 100,000 generated assets against hello world (tests/bench/search.bench.ts).
 *
 * `npm run bench -- --suite programme [options]`: leaderboards and programme dashboards over 100,000 users, 2,000 organisations
 * and 5 million learning events against hello world, PostgreSQL server (tests/bench/programme.bench.ts; `--duration 3 --no-write` for a quick look).
 *
 * `npm run bench -- --suite courses [options]`: the CMI commit and package import benchmark instead (see
 * tests/bench/courses.bench.ts for its options); it writes only its own section of BENCHMARKS.md.
 *
 * BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test) names a server where a fresh
 * database may be created; it is dropped at the end.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../../server/paths.js';
import { buildApp, runPgliteBench, runPostgresBench, type BackendReport, type BenchSettings } from './dashboard.bench.js';
import { Cleanup } from './lib/processes.js';
import { machineInfo, renderReport, targetChecks } from './lib/report.js';

// `--suite courses` runs tests/bench/courses.bench.ts (CMI commits and package import) with the remaining options
// instead; `--suite dashboard` (the default) is this file's benchmark.
const suiteAt = process.argv.indexOf('--suite');
const suite = suiteAt === -1 ? 'dashboard' : process.argv[suiteAt + 1];
if (suiteAt !== -1) process.argv.splice(suiteAt, 2);
if (suite === 'courses') {
  const { main } = await import('./courses.bench.js');
  process.exit(await main(process.argv.slice(2)));
} else if (suite === 'cobrand') {
  const { main } = await import('./cobrand.bench.js');
  process.exit(await main(process.argv.slice(2)));
} else if (suite === 'search') {
  const { main } = await import('./search.bench.js');
  process.exit(await main(process.argv.slice(2)));
} else if (suite === 'programme') {
  const { main } = await import('./programme.bench.js');
  process.exit(await main(process.argv.slice(2)));
} else if (suite !== 'dashboard') {
  throw new Error(`--suite: dashboard, courses, cobrand, search or programme, got ${suite}`);
}

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    users: { type: 'string', default: '100000' },
    organisations: { type: 'string', default: '2000' },
    'startup-runs': { type: 'string', default: '5' },
    only: { type: 'string' },
    'node-env': { type: 'string', default: 'production' },
    'no-build': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    output: { type: 'string', default: 'BENCHMARKS.md' },
    'cpu-prof': { type: 'string' },
    'quiet-max-busy': { type: 'string', default: '20' },
    'quiet-max-wait': { type: 'string', default: '120' },
  },
});

function positive(name: string, value: string | undefined, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`--${name}: expected a whole number from 0 to ${max}, got ${value}`);
  return n;
}

const log = (line: string) => process.stdout.write(`${line}\n`);
const settings: BenchSettings = {
  // Bounded, so a typo cannot start an hour-long run.
  durationSeconds: Math.max(1, positive('duration', values.duration, 120)),
  warmupSeconds: positive('warmup', values.warmup, 60),
  connections: Math.max(1, positive('connections', values.connections, 1000)),
  users: positive('users', values.users, 1_000_000),
  organisations: Math.max(1, positive('organisations', values.organisations, 100_000)),
  startupRuns: Math.max(1, positive('startup-runs', values['startup-runs'], 20)),
  postgresAdminUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  backends: values.only ? [values.only as 'postgres' | 'pglite'] : ['postgres', 'pglite'],
  nodeEnv: values['node-env'] === 'development' ? 'development' : 'production',
  build: !values['no-build'],
  ...(values['cpu-prof'] ? { cpuProfileDir: path.resolve(values['cpu-prof']) } : {}),
  quiet: { maxBusyPercent: positive('quiet-max-busy', values['quiet-max-busy'], 100), maxWaitMs: positive('quiet-max-wait', values['quiet-max-wait'], 1800) * 1000 },
  log,
};
if (values.only && values.only !== 'postgres' && values.only !== 'pglite') throw new Error('--only: postgres or pglite');
const host = new URL(settings.postgresAdminUrl).hostname;
if (settings.backends.includes('postgres') && !['127.0.0.1', 'localhost', '::1', '[::1]', ''].includes(host)) {
  throw new Error(`BENCH_POSTGRES_URL must point at this machine (got ${host}): the bench creates and drops a database there`);
}

const cleanup = new Cleanup();
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    log(`\n${signal}: stopping servers and removing bench databases...`);
    void cleanup.runAll().finally(() => process.exit(130));
  });
}

const started = performance.now();
const reports: BackendReport[] = [];
try {
  if (settings.build) await buildApp(log);
  for (const backend of settings.backends) {
    reports.push(backend === 'postgres' ? await runPostgresBench(settings, cleanup) : await runPgliteBench(settings, cleanup));
  }
} catch (err) {
  if (!interrupted) {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  }
} finally {
  await cleanup.runAll();
}

if (reports.length && !interrupted) {
  const postgres = reports.find((r) => r.backend === 'postgres');
  const machine = machineInfo(postgres ? postgres.databaseVersion : 'PostgreSQL server not measured');
  log('\nTargets:');
  for (const c of targetChecks(reports)) log(`  ${c.ok ? 'met    ' : 'NOT met'} ${c.target}: ${c.measured}${c.applies ? '' : ' (reference)'}`);
  if (values['no-write'] || process.exitCode) {
    log(`\n${values['no-write'] ? '--no-write' : 'The run failed'}: ${values.output} left as it was.`);
  } else {
    const file = path.resolve(PROJECT_ROOT, values.output!);
    const previous = await readFile(file, 'utf8').catch(() => null);
    await writeFile(file, renderReport({ machine, settings, reports, totalSeconds: (performance.now() - started) / 1000, previous }));
    log(`\nWrote ${path.relative(process.cwd(), file) || file}`);
  }
}
