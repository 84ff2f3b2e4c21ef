/**
 * The dashboard benchmark: a bare Express hello world and Partner Academy (the compiled build, as `npm start`
 * runs it) each in their own process, loaded one at a time by autocannon in this process. Run for
 * PostgreSQL (a fresh database on the server) and for the embedded PGlite, both with the demo seed plus
 * generated organisations and users. Also times start-up to the first 200 on /healthz.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { createDatabase } from '../../server/db/database.js';
import { seedDemoData } from '../../server/db/seed.js';
import { PROJECT_ROOT } from '../../server/paths.js';
import { TestClient } from '../helpers/http-client.js';
import { generateBenchData, BENCH_PASSWORD, type GeneratedData } from './generate-data.js';
import { measure, type LoadResult } from './lib/load.js';
import { Cleanup, freePort, spawnServer, waitFor200, type ChildServer } from './lib/processes.js';

export const DEMO_PASSWORD = 'bench-demo-password-123';
const VENDOR_ADMIN_EMAIL = 'admin@vendor.test';
const SESSION_SECRET = 'bench-session-secret-0123456789-abcdefghijklmnop';

export interface BenchSettings {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  organisations: number;
  users: number;
  startupRuns: number;
  /** A PostgreSQL server URL whose user may create databases; a fresh database is made on it and dropped after. */
  postgresAdminUrl: string;
  backends: ('postgres' | 'pglite')[];
  /** NODE_ENV for the app under test (production: compiled templates are cached, as deployed). */
  nodeEnv: 'production' | 'development';
  /** Each measurement first waits (bounded) for the machine to be this quiet. */
  quiet: { maxBusyPercent: number; maxWaitMs: number };
  build: boolean;
  /** When set, the measured app process runs with --cpu-prof and writes its profile here. */
  cpuProfileDir?: string;
  log: (line: string) => void;
}

export type Scenario = 'hello' | 'partnerRep' | 'vendorAdmin';

export interface ScenarioResult {
  scenario: Scenario;
  label: string;
  path: string;
  result: LoadResult;
}

export interface StartupResult {
  runsMs: number[];
  medianMs: number;
}

export interface BackendReport {
  backend: 'postgres' | 'pglite';
  description: string;
  databaseVersion: string;
  data: GeneratedData & { seedMs: number; demoAccounts: number };
  scenarios: ScenarioResult[];
  startup: StartupResult;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

function run(command: string, args: string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    log(`$ ${command} ${args.join(' ')}`);
    const child = spawn(command, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

/** `npm run build`: the bench measures dist/, what `npm start` runs. */
export async function buildApp(log: (line: string) => void): Promise<void> {
  await run('npm', ['run', 'build', '--silent'], log);
}

/** The environment of a child server: ours, minus anything that would point the app elsewhere. */
function childEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (/^(DATABASE_|DATA_DIR|PORT|HOST|APP_URL|NODE_ENV|LOG_LEVEL|SESSION_|SEED_|S3_|SMTP_|TRUST_PROXY|NODE_OPTIONS)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

async function startHelloWorld(cleanup: Cleanup): Promise<{ server: ChildServer; stop: () => Promise<void> }> {
  const port = await freePort();
  const server = spawnServer({
    name: 'hello world',
    command: process.execPath,
    args: ['--import', 'tsx', path.join('tests', 'bench', 'hello-world.ts')],
    env: childEnv({ PORT: String(port), NODE_ENV: 'production' }),
    port,
    cwd: PROJECT_ROOT,
  });
  const stop = cleanup.add(`stop hello world (pid ${server.pid})`, () => server.stop());
  await waitFor200(server, '/', { since: performance.now(), timeoutMs: 30_000 });
  return { server, stop };
}

interface AppTarget {
  kind: 'postgres' | 'pglite';
  dataDir: string;
  databaseUrl?: string;
  databaseName?: string;
}

function appEnv(target: AppTarget, port: number, nodeEnv: string): Record<string, string> {
  return childEnv({
    NODE_ENV: nodeEnv,
    PORT: String(port),
    HOST: '127.0.0.1',
    APP_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: target.dataDir,
    ...(target.databaseUrl ? { DATABASE_URL: target.databaseUrl } : {}),
    LOG_LEVEL: 'warn',
    SESSION_SECRET,
    SEED_ON_EMPTY: 'false',
  });
}

function spawnApp(target: AppTarget, port: number, nodeEnv: string, cpuProfileDir?: string): ChildServer {
  return spawnServer({
    name: `Partner Academy (${target.kind})`,
    command: process.execPath,
    args: [...(cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`, `--cpu-prof-name=partner-academy-${target.kind}-${Date.now()}.cpuprofile`] : []), path.join('dist', 'server', 'main.js')],
    env: appEnv(target, port, nodeEnv),
    port,
    cwd: PROJECT_ROOT,
  });
}

/** Signs in through the real forms (GET /login for the CSRF token and cookie, POST /login), then checks GET /. */
async function signIn(baseUrl: string, email: string, password: string, expect: string): Promise<string> {
  const client = new TestClient(baseUrl);
  await client.signIn(email, password);
  const cookie = client.cookie('pa.sid');
  if (!cookie) throw new Error(`no session cookie after signing in as ${email}`);
  const page = await client.get('/');
  if (page.status !== 200 || !page.text.includes(expect)) throw new Error(`GET / as ${email}: ${page.status}, expected a page with "${expect}"`);
  return `pa.sid=${cookie}`;
}

/** Fills a migrated, empty database with the demo seed and the generated organisations and users. */
async function prepareData(config: Parameters<typeof createDatabase>[0], settings: BenchSettings): Promise<BackendReport['data'] & { version: string }> {
  const started = performance.now();
  const database = await createDatabase(config);
  try {
    await database.migrate();
    const seed = await seedDemoData(database.db, { password: DEMO_PASSWORD });
    if (!seed.seeded) throw new Error('the bench database was not empty');
    const generated = await generateBenchData(database.db, { organisations: settings.organisations, users: settings.users, password: BENCH_PASSWORD });
    const version = await database.db.execute(sql`select current_setting('server_version') as v`);
    return { ...generated, demoAccounts: seed.accounts.length, seedMs: performance.now() - started, version: versionOf(version) };
  } finally {
    await database.close();
  }
}

/** node-postgres answers { rows }, PGlite { rows } too; both through drizzle's execute. */
function versionOf(result: unknown): string {
  const rows = (result as { rows?: { v?: string }[] }).rows;
  return rows?.[0]?.v ?? 'unknown';
}

async function measureBackend(target: AppTarget, description: string, data: BackendReport['data'], databaseVersion: string, settings: BenchSettings, cleanup: Cleanup): Promise<BackendReport> {
  const { log } = settings;
  const load = { connections: settings.connections, durationSeconds: settings.durationSeconds, warmupSeconds: settings.warmupSeconds, quiet: settings.quiet };
  const scenarios: ScenarioResult[] = [];

  // 1. The baseline, alone on the machine.
  log(`[${target.kind}] hello world: ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s, ${settings.connections} connections`);
  const hello = await startHelloWorld(cleanup);
  scenarios.push({ scenario: 'hello', label: 'Express hello world (baseline)', path: 'GET /', result: await measure({ ...load, url: hello.server.baseUrl + '/', serverPid: hello.server.pid }) });
  await hello.stop();
  log(`  ${summary(scenarios.at(-1)!.result)}`);

  // 2. Partner Academy, signed in, alone on the machine.
  const port = await freePort();
  const app = spawnApp(target, port, settings.nodeEnv, settings.cpuProfileDir);
  const stopApp = cleanup.add(`stop Partner Academy (pid ${app.pid})`, () => app.stop(15_000));
  await waitFor200(app, '/healthz', { since: performance.now(), timeoutMs: 60_000 });
  const repCookie = await signIn(app.baseUrl, data.sample.partnerRep, data.password, 'Partner rep');
  const adminCookie = await signIn(app.baseUrl, VENDOR_ADMIN_EMAIL, DEMO_PASSWORD, 'Your partner programme');
  for (const [scenario, label, cookie] of [
    ['partnerRep', 'Dashboard, partner rep', repCookie],
    ['vendorAdmin', 'Dashboard, vendor admin', adminCookie],
  ] as const) {
    log(`[${target.kind}] ${label}: ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s, ${settings.connections} connections`);
    const result = await measure({
      ...load,
      url: app.baseUrl + '/',
      headers: { cookie, accept: 'text/html' },
      serverPid: app.pid,
      ...(target.databaseName ? { postgresDatabase: target.databaseName } : {}),
    });
    scenarios.push({ scenario, label, path: 'GET / (signed in)', result });
    log(`  ${summary(result)}`);
  }
  // A graceful stop (SIGTERM), so a --cpu-prof profile gets written.
  await stopApp();
  if (settings.cpuProfileDir) log(`  CPU profile of the app written to ${settings.cpuProfileDir}`);

  // 3. Start-up on the now existing (migrated, seeded) database: spawn to first 200 on /healthz.
  const runsMs: number[] = [];
  for (let i = 0; i < settings.startupRuns; i++) {
    const startupPort = await freePort();
    const since = performance.now();
    const server = spawnApp(target, startupPort, settings.nodeEnv);
    const stop = cleanup.add(`stop Partner Academy start-up run (pid ${server.pid})`, () => server.stop(15_000));
    try {
      runsMs.push(await waitFor200(server, '/healthz', { since, intervalMs: 10, timeoutMs: 60_000 }));
    } finally {
      await stop();
    }
  }
  log(`[${target.kind}] start-up to first 200 on /healthz: ${runsMs.map((ms) => ms.toFixed(0)).join(', ')} ms`);
  return { backend: target.kind, description, databaseVersion, data, scenarios, startup: { runsMs, medianMs: median(runsMs) } };
}

const core = (n: number | null) => (n === null ? '?' : `${n.toFixed(0)}%`);

export function summary(r: LoadResult): string {
  return (
    `${r.requestsPerSecond.toFixed(0)} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, errors ${r.errors + r.timeouts}, non-2xx ${r.non2xx}; ` +
    `CPU (% of a core): server ${core(r.cpu.server)}, postgres ${core(r.cpu.postgres)}, autocannon ${core(r.cpu.loadGenerator)}, other ${core(r.cpu.other)}; busy before ${core(r.busyBeforePercent)}`
  );
}

export async function runPostgresBench(settings: BenchSettings, cleanup: Cleanup): Promise<BackendReport> {
  const name = `pa_bench_${randomBytes(5).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: settings.postgresAdminUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const dropDatabase = cleanup.add(`drop database ${name}`, () => admin(`drop database if exists ${name} with (force)`));
  const dataDir = await mkdtemp(path.join(tmpdir(), 'pa-bench-pg-'));
  const removeDir = cleanup.add(`remove ${dataDir}`, () => rm(dataDir, { recursive: true, force: true }));
  try {
    const url = new URL(settings.postgresAdminUrl);
    url.pathname = `/${name}`;
    const databaseUrl = url.toString();
    settings.log(`[postgres] database ${name}: migrating, seeding, generating ${settings.organisations} organisations and ${settings.users} users`);
    const { version, ...data } = await prepareData({ kind: 'postgres', url: databaseUrl, poolMax: 2 }, settings);
    settings.log(`  ready in ${(data.seedMs / 1000).toFixed(1)} s (generator ${(data.elapsedMs / 1000).toFixed(1)} s)`);
    return await measureBackend({ kind: 'postgres', dataDir, databaseUrl, databaseName: name }, `PostgreSQL ${version} server (local, TCP 127.0.0.1), fresh database`, data, `PostgreSQL ${version}`, settings, cleanup);
  } finally {
    await removeDir();
    await dropDatabase();
  }
}

export async function runPgliteBench(settings: BenchSettings, cleanup: Cleanup): Promise<BackendReport> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'pa-bench-pglite-'));
  const removeDir = cleanup.add(`remove ${dataDir}`, () => rm(dataDir, { recursive: true, force: true }));
  try {
    settings.log(`[pglite] DATA_DIR ${dataDir}: migrating, seeding, generating ${settings.organisations} organisations and ${settings.users} users`);
    const { version, ...data } = await prepareData({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite') }, settings);
    settings.log(`  ready in ${(data.seedMs / 1000).toFixed(1)} s (generator ${(data.elapsedMs / 1000).toFixed(1)} s)`);
    return await measureBackend({ kind: 'pglite', dataDir }, `embedded PGlite (PostgreSQL ${version} in WASM, in the app process), DATA_DIR on local disk`, data, `PGlite (PostgreSQL ${version})`, settings, cleanup);
  } finally {
    await removeDir();
  }
}
