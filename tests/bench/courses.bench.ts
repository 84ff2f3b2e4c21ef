/**
 * The courses benchmark: CMI commits per second from many simulated learners against a hello-world baseline, and
 * the import of a large generated SCORM package against `unzip -q` of the same file, with the server's peak memory.
 * Writes its own section of BENCHMARKS.md (between the courses-bench markers; the dashboard's sections and the
 * hand-written notes are left as they are).
 *
 *   npm run bench -- --suite courses
 *   tsx tests/bench/courses.bench.ts --duration 10 --warmup 3 --connections 50 --learners 200
 *   tsx tests/bench/courses.bench.ts --only postgres --duration 3 --import-sizes 100 --no-write   (a quick look)
 *   tsx tests/bench/courses.bench.ts --skip-import        (commits only)     --skip-commits   (import only)
 *
 * Other options: --suspend-min 2048 --suspend-max 8192 (suspend_data size, bytes), --import-files 4000,
 * --import-sizes 100,500 (MiB; one package per size), --import-runs 2 (imports per size, each in a fresh app,
 * alternating with `unzip -q` runs: unzip, import, unzip, import, unzip),
 * --node-env production|development, --no-build, --cpu-prof <dir> (profile the app during the measured commits
 * and each import), --memory-trace <dir> (each import's RSS samples as CSV), --quiet-max-busy 20 --quiet-max-wait 120,
 * --output BENCHMARKS.md. For diagnosis (shown in the report when used): --app-env NAME=value (repeatable; e.g.
 * DATABASE_POOL_MAX=20) and --pg-setting name=value (repeatable; ALTER DATABASE ... SET on the PostgreSQL bench
 * databases, e.g. synchronous_commit=off).
 *
 * BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test) names a local server where fresh databases
 * may be created; they are dropped at the end, as are every temp directory and child process, on failure and on
 * Ctrl-C too.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type autocannon from 'autocannon';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { createDatabase, type Database } from '../../server/db/database.js';
import type { AppConfig } from '../../server/config/config.js';
import { seedDemoData } from '../../server/db/seed.js';
import { PROJECT_ROOT } from '../../server/paths.js';
import { TestClient } from '../helpers/http-client.js';
import { scormFixture } from '../helpers/scorm-fixtures.js';
import { buildApp, DEMO_PASSWORD } from './dashboard.bench.js';
import { generateBenchData, BENCH_PASSWORD } from './generate-data.js';
import { measure, type LoadResult } from './lib/load.js';
import { Cleanup, freePort, probe, processCpuMs, spawnServer, waitFor200, waitForQuiet, type ChildServer } from './lib/processes.js';
import { writeLargePackage, type LargePackage } from './lib/large-package.js';
import { uploadMultipart } from './lib/upload.js';
import { idleRss, resetPeak, sampleMemory } from './lib/memory.js';
import { machineInfo } from './lib/report.js';
import { renderCoursesSection, spliceCoursesSection, coursesTargetChecks } from './lib/courses-report.js';

type DatabaseConfig = AppConfig['database'];

const ENABLEMENT_EMAIL = 'enablement@vendor.test';
const SESSION_SECRET = 'bench-session-secret-0123456789-abcdefghijklmnop';
const FIXTURE = 'singlescobasic.zip';

export type Backend = 'postgres' | 'pglite';

export interface CoursesSettings {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  learners: number;
  suspendMinBytes: number;
  suspendMaxBytes: number;
  backends: Backend[];
  commits: boolean;
  /** Package sizes to import, in MiB (empty: no import). */
  importSizesMb: number[];
  importFiles: number;
  /** Imports per size (each in a fresh app), alternating with unzip runs. */
  importRuns: number;
  postgresAdminUrl: string;
  nodeEnv: 'production' | 'development';
  quiet: { maxBusyPercent: number; maxWaitMs: number };
  build: boolean;
  cpuProfileDir?: string;
  /** When set, each import's RSS samples are written there as CSV. */
  memoryTraceDir?: string;
  /** Extra environment for the app (diagnosis: `--app-env DATABASE_POOL_MAX=20`); listed in the report. */
  appEnv: Record<string, string>;
  /** `ALTER DATABASE ... SET name = value` on the PostgreSQL bench databases (diagnosis); listed in the report. */
  pgSettings: Record<string, string>;
  log: (line: string) => void;
}

export interface CommitReport {
  backend: Backend;
  description: string;
  databaseVersion: string;
  hello: LoadResult;
  helloJson: LoadResult;
  commits: LoadResult;
  learners: number;
  /** What the load generator sent, over warm-up and measured run. */
  sent: { requests: number; meanBodyBytes: number; minSuspendBytes: number; maxSuspendBytes: number };
  /** After the run, read back from the database: each learner's stored sequence against what was acknowledged. */
  verification: { learnersChecked: number; rows: number; acknowledged: number; lost: number; storedBeyondSent: number };
  /**
   * PostgreSQL only, per commit request sent (warm-up included): from pg_stat_database for the bench database, and
   * WAL from pg_stat_wal, which covers the whole server (anything else writing at the time is counted too).
   */
  perCommit: { transactions: number; rowsReturned: number; rowsFetched: number; rowsWritten: number; walBytes: number; walSyncs: number | null } | null;
  setup: { signInAndLaunchMs: number; importFixtureMs: number };
}

export interface UnzipRun {
  wallMs: number;
  userMs: number | null;
  sysMs: number | null;
  maxRssKb: number | null;
}

/** One upload of the package to a freshly started app. */
export interface ImportAttempt {
  status: number;
  /** From the request's first byte to the 201. */
  answeredMs: number;
  /** When the last byte of the body was handed to the kernel (the server has nearly all of it by then). */
  bodySentMs: number | null;
  bytesSent: number;
  serverCpuMs: number | null;
  memory: {
    idleRssBytes: number;
    peakRssBytes: number;
    hwmBytes: number | null;
    hwmReset: boolean;
    peakDuringUploadBytes: number;
    peakAfterUploadBytes: number;
    peakAnonBytes: number;
    samples: number;
  };
  stored: { files: number; bytes: number };
}

export interface ImportRun {
  sizeMb: number;
  pkg: LargePackage;
  /** unzip before each import and once after the last: imports.length + 1 runs, alternating with the imports. */
  unzip: UnzipRun[];
  imports: ImportAttempt[];
}

export interface ImportReport {
  backend: Backend;
  databaseVersion: string;
  runs: ImportRun[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function run(command: string, args: string[], options: { cwd?: string } = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? PROJECT_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8000)));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

/** Flushes dirty pages, so the writes of one step are not paid for by the next. */
async function sync(): Promise<void> {
  await run('sync', []);
}

/** The environment of a child server: ours, minus anything that would point the app elsewhere or change its limits. */
function childEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (/^(DATABASE_|DATA_DIR|PORT|HOST|APP_URL|NODE_ENV|LOG_LEVEL|SESSION_|SEED_|S3_|SMTP_|TRUST_PROXY|NODE_OPTIONS|CONTENT_|SCORM|LAUNCH_|LOGIN_|BODY_LIMIT|VIEW_CACHE)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

interface AppTarget {
  kind: Backend;
  dataDir: string;
  databaseUrl?: string;
  databaseName?: string;
}

interface RunningApp {
  server: ChildServer;
  baseUrl: string;
  contentUrl: string;
  stop: () => Promise<void>;
}

async function startApp(target: AppTarget, settings: CoursesSettings, cleanup: Cleanup, options: { profileName?: string } = {}): Promise<RunningApp> {
  const [port, contentPort] = [await freePort(), await freePort()];
  const env = childEnv({
    NODE_ENV: settings.nodeEnv,
    PORT: String(port),
    HOST: '127.0.0.1',
    APP_URL: `http://127.0.0.1:${port}`,
    CONTENT_PORT: String(contentPort),
    CONTENT_ORIGIN: `http://127.0.0.1:${contentPort}`,
    DATA_DIR: target.dataDir,
    ...(target.databaseUrl ? { DATABASE_URL: target.databaseUrl } : {}),
    LOG_LEVEL: 'warn',
    SESSION_SECRET,
    SEED_ON_EMPTY: 'false',
    // SCORM 1.2 caps suspend_data at 4,096 characters unless configured higher; the bench sends up to suspendMaxBytes.
    SCORM12_SUSPEND_DATA_MAX: String(Math.max(4096, settings.suspendMaxBytes)),
    SCORM_MAX_UPLOAD: '2gb',
    SCORM_MAX_UNCOMPRESSED: '2gb',
    ...settings.appEnv,
  });
  const profile = settings.cpuProfileDir && options.profileName ? ['--cpu-prof', `--cpu-prof-dir=${settings.cpuProfileDir}`, `--cpu-prof-name=${options.profileName}-${Date.now()}.cpuprofile`] : [];
  const server = spawnServer({ name: `Partner Academy (${target.kind})`, command: process.execPath, args: [...profile, path.join('dist', 'server', 'main.js')], env, port, cwd: PROJECT_ROOT });
  const stop = cleanup.add(`stop Partner Academy (pid ${server.pid})`, () => server.stop(15_000));
  await waitFor200(server, '/healthz', { since: performance.now(), timeoutMs: 60_000 });
  return { server, baseUrl: server.baseUrl, contentUrl: `http://127.0.0.1:${contentPort}`, stop };
}

/** A reference server (hello world) in its own process; waits until it answers anything on `path`. */
async function startReference(file: string, probePath: string, cleanup: Cleanup): Promise<{ server: ChildServer; stop: () => Promise<void> }> {
  const port = await freePort();
  const server = spawnServer({
    name: path.basename(file),
    command: process.execPath,
    args: ['--import', 'tsx', path.join('tests', 'bench', file)],
    env: childEnv({ PORT: String(port), NODE_ENV: 'production' }),
    port,
    cwd: PROJECT_ROOT,
  });
  const stop = cleanup.add(`stop ${file} (pid ${server.pid})`, () => server.stop());
  const deadline = performance.now() + 30_000;
  while ((await probe(server.baseUrl + probePath)) === null) {
    if (server.child.exitCode !== null || performance.now() > deadline) throw new Error(`${file} did not start:\n${server.output()}`);
    await sleep(20);
  }
  return { server, stop };
}

// ─── Databases ─────────────────────────────────────────────────────────────────────────────────────────────────

interface PreparedDatabase {
  target: AppTarget;
  config: DatabaseConfig;
  description: string;
  version: string;
}

async function pgAdmin(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function rowsOf<T>(result: unknown): T[] {
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** A fresh database (PostgreSQL: a new database on the server; PGlite: a new DATA_DIR), migrated and seeded, plus `users` generated partner users. */
async function prepareDatabase(kind: Backend, settings: CoursesSettings, cleanup: Cleanup, users: number): Promise<PreparedDatabase> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `pa-bench-courses-${kind}-`));
  cleanup.add(`remove ${dataDir}`, () => rm(dataDir, { recursive: true, force: true }));
  let target: AppTarget;
  let config: DatabaseConfig;
  if (kind === 'postgres') {
    const name = `pa_bench_courses_${randomBytes(5).toString('hex')}`;
    await pgAdmin(settings.postgresAdminUrl, `create database ${name}`);
    cleanup.add(`drop database ${name}`, () => pgAdmin(settings.postgresAdminUrl, `drop database if exists ${name} with (force)`));
    const url = new URL(settings.postgresAdminUrl);
    url.pathname = `/${name}`;
    for (const [setting, value] of Object.entries(settings.pgSettings)) {
      if (!/^[a-z_.]+$/.test(setting)) throw new Error(`--pg-setting: not a setting name: ${setting}`);
      const client = new pg.Client({ connectionString: settings.postgresAdminUrl });
      await client.connect();
      try {
        await client.query(`alter database ${name} set ${setting} = ${client.escapeLiteral(value)}`);
      } finally {
        await client.end();
      }
    }
    target = { kind, dataDir, databaseUrl: url.toString(), databaseName: name };
    config = { kind: 'postgres', url: url.toString(), poolMax: 2 };
  } else {
    target = { kind, dataDir };
    config = { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') };
  }
  const database = await createDatabase(config);
  try {
    await database.migrate();
    const seed = await seedDemoData(database.db, { password: DEMO_PASSWORD });
    if (!seed.seeded) throw new Error('the bench database was not empty');
    if (users > 0) await generateBenchData(database.db, { organisations: Math.max(1, Math.ceil(users / 10)), users, password: BENCH_PASSWORD });
    const version = rowsOf<{ v: string }>(await database.db.execute(sql`select current_setting('server_version') as v`))[0]?.v ?? 'unknown';
    const description = kind === 'postgres' ? `PostgreSQL ${version} server (local, TCP 127.0.0.1), fresh database` : `embedded PGlite (PostgreSQL ${version} in WASM, in the app process), DATA_DIR on local disk`;
    return { target, config, description, version: kind === 'postgres' ? `PostgreSQL ${version}` : `PGlite (PostgreSQL ${version})` };
  } finally {
    await database.close();
  }
}

interface DatabaseStats {
  xacts: number;
  tupReturned: number;
  tupFetched: number;
  tupWritten: number;
  walBytes: number;
  walSync: number | null;
}

async function databaseStats(adminUrl: string, name: string): Promise<DatabaseStats> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const d = await client.query<{ xacts: string; ret: string; fetched: string; written: string; wal: string }>(
      `select xact_commit + xact_rollback as xacts, tup_returned as ret, tup_fetched as fetched, tup_inserted + tup_updated + tup_deleted as written,
              pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text as wal
         from pg_stat_database where datname = $1`,
      [name],
    );
    const w = await client.query<{ wal_sync: string }>('select wal_sync::text as wal_sync from pg_stat_wal').catch(() => null);
    const row = d.rows[0]!;
    return {
      xacts: Number(row.xacts),
      tupReturned: Number(row.ret),
      tupFetched: Number(row.fetched),
      tupWritten: Number(row.written),
      walBytes: Number(row.wal),
      walSync: w?.rows[0] ? Number(w.rows[0].wal_sync) : null,
    };
  } finally {
    await client.end();
  }
}

/** Runs statements against the bench database from this process (the app must be stopped for PGlite). */
async function withDatabase<T>(config: DatabaseConfig, use: (db: Database) => Promise<T>): Promise<T> {
  const database = await createDatabase(config);
  try {
    return await use(database.db);
  } finally {
    await database.close();
  }
}

// ─── Sign-in, upload, player ───────────────────────────────────────────────────────────────────────────────────

async function csrfOf(client: TestClient, pagePath: string): Promise<string> {
  const page = await client.get(pagePath);
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
  if (page.status !== 200 || !token) throw new Error(`GET ${pagePath}: ${page.status}, no CSRF token`);
  return token;
}

/** POST /courses as the upload page does (title first, then the package, streamed from disk), as `manager`. */
async function uploadPackage(baseUrl: string, manager: TestClient, zipPath: string, title: string) {
  const token = await csrfOf(manager, '/courses/new');
  return uploadMultipart({
    url: `${baseUrl}/courses`,
    headers: { accept: 'application/json', 'x-csrf-token': token, cookie: `pa.sid=${manager.cookie('pa.sid')}` },
    fields: { title },
    file: { field: 'package', path: zipPath, contentType: 'application/zip' },
  });
}

function courseIdOfAnswer(status: number, body: string): string {
  const parsed = (() => {
    try {
      return JSON.parse(body) as { location?: string; error?: { message?: string } };
    } catch {
      return { error: { message: body.slice(0, 300) } };
    }
  })();
  if (status !== 201 || !parsed.location) throw new Error(`import failed: ${status} ${parsed.error?.message ?? body.slice(0, 300)}`);
  return /\/courses\/([0-9a-f-]{36})\/manage/.exec(parsed.location)![1]!;
}

interface Learner {
  index: number;
  email: string;
  attemptId: string;
  commitPath: string;
  identifier: string;
  /** Last sequence sent; the next request sends sequence + 1. */
  sequence: number;
  firstSequence: number;
  /** Highest sequence answered 200. */
  acknowledged: number;
  inFlightSince: number | null;
}

/** Signs a learner in through the real forms, opens the player, reads the host URL from the iframe and calls launch. */
async function openPlayer(baseUrl: string, courseId: string, email: string, password: string, index: number): Promise<Learner> {
  const client = new TestClient(baseUrl);
  await client.signIn(email, password);
  const player = await client.get(`/courses/${courseId}/play`);
  const src = /<iframe[^>]+src="([^"]+)"/.exec(player.text)?.[1];
  if (player.status !== 200 || !src) throw new Error(`GET /courses/${courseId}/play as ${email}: ${player.status}, no player iframe`);
  const hostUrl = new URL(src.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&'));
  const lms = hostUrl.href.replace(/host\.html.*$/, '');
  const itemId = hostUrl.searchParams.get('item');
  if (!itemId) throw new Error(`player of ${email}: no item in ${hostUrl.href}`);
  const res = await fetch(`${lms}launch?item=${encodeURIComponent(itemId)}`);
  const launch = (await res.json()) as { sequenceBase?: number; attemptId?: string; mode?: string; standard?: string; item?: { identifier?: string } };
  if (res.status !== 200 || typeof launch.sequenceBase !== 'number' || !launch.item?.identifier || !launch.attemptId) {
    throw new Error(`launch of ${email}: ${res.status} ${JSON.stringify(launch).slice(0, 300)}`);
  }
  if (launch.mode !== 'normal' || launch.standard !== 'scorm12') throw new Error(`launch of ${email}: expected a normal SCORM 1.2 launch, got ${launch.mode} ${launch.standard}`);
  return {
    index,
    email,
    attemptId: launch.attemptId,
    commitPath: new URL(`${lms}commit`).pathname,
    identifier: launch.item.identifier,
    sequence: launch.sequenceBase,
    firstSequence: launch.sequenceBase + 1,
    acknowledged: 0,
    inFlightSince: null,
  };
}

async function inPool<T, R>(items: T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

// ─── Commit load ───────────────────────────────────────────────────────────────────────────────────────────────

/** suspend_data as authoring tools write it (compressed state, base64): random, 2-8 KB. */
function suspendPool(count: number, min: number, max: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const length = min + Math.round(((max - min) * i) / Math.max(1, count - 1));
    return randomBytes(Math.ceil((length * 3) / 4) + 3)
      .toString('base64')
      .slice(0, length);
  }).sort(() => Math.random() - 0.5);
}

const sessionTime = (seconds: number) => {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${String(h).padStart(4, '0')}:${String(m).padStart(2, '0')}:${s.toFixed(2).padStart(5, '0')}`;
};

/** A SCORM 1.2 commit as scorm-again sends it (full cmi, every value a string), wrapped as views/player/host.js wraps it. */
function commitBody(learner: Learner, suspendData: string): string {
  const k = learner.sequence - learner.firstSequence + 1;
  return JSON.stringify({
    item: learner.identifier,
    sequence: learner.sequence,
    final: false,
    cmi: {
      core: {
        student_id: '',
        student_name: '',
        lesson_location: `page-${(k % 40) + 1}`,
        credit: 'credit',
        lesson_status: 'incomplete',
        entry: k === 1 ? 'ab-initio' : 'resume',
        score: { raw: String(k % 101), min: '0', max: '100' },
        total_time: '',
        lesson_mode: 'normal',
        exit: 'suspend',
        session_time: sessionTime(10 * k + (learner.index % 10) + 0.5),
      },
      suspend_data: suspendData,
      launch_data: '',
      comments: '',
      comments_from_lms: '',
      objectives: {},
      student_data: { mastery_score: '', max_time_allowed: '', time_limit_action: '' },
      student_preference: { audio: '', language: '', speed: '', text: '' },
      interactions: {},
    },
  });
}

interface CommitLoad {
  requests: autocannon.Request[];
  stats: { requests: number; bodyBytes: number; minSuspend: number; maxSuspend: number };
}

/**
 * autocannon requests for POST <lms>/commit: each request goes to the next learner (round robin) that has no
 * commit in flight, with that learner's next sequence, so no commit is ever stale or a duplicate: every non-200 is
 * a real failure. (autocannon resets its per-request context after each request, so the in-flight mark lives on
 * the learner; a request lost to a timeout frees its learner after 15 s.)
 */
function commitLoad(learners: Learner[], suspend: string[]): CommitLoad {
  let cursor = 0;
  let suspendCursor = 0;
  const stats = { requests: 0, bodyBytes: 0, minSuspend: Number.POSITIVE_INFINITY, maxSuspend: 0 };
  type Context = { learner?: number; sequence?: number };
  const pick = (): Learner => {
    const now = performance.now();
    for (let tries = 0; tries < learners.length; tries++) {
      const learner = learners[cursor++ % learners.length]!;
      if (learner.inFlightSince === null || now - learner.inFlightSince > 15_000) return learner;
    }
    throw new Error('every learner has a commit in flight: use more learners than connections');
  };
  return {
    stats,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        setupRequest: (req, context) => {
          const learner = pick();
          learner.sequence += 1;
          learner.inFlightSince = performance.now();
          const ctx = context as Context;
          ctx.learner = learner.index;
          ctx.sequence = learner.sequence;
          const data = suspend[suspendCursor++ % suspend.length]!;
          const body = commitBody(learner, data);
          stats.requests++;
          stats.bodyBytes += Buffer.byteLength(body);
          stats.minSuspend = Math.min(stats.minSuspend, data.length);
          stats.maxSuspend = Math.max(stats.maxSuspend, data.length);
          return { ...req, path: learner.commitPath, body };
        },
        onResponse: (status, _body, context) => {
          const ctx = context as Context;
          if (ctx.learner === undefined || ctx.sequence === undefined) return;
          const learner = learners[ctx.learner]!;
          learner.inFlightSince = null;
          if (status === 200) learner.acknowledged = Math.max(learner.acknowledged, ctx.sequence);
        },
      },
    ],
  };
}

async function runCommitBench(kind: Backend, settings: CoursesSettings, cleanup: Cleanup): Promise<CommitReport> {
  const { log } = settings;
  const load = { connections: settings.connections, durationSeconds: settings.durationSeconds, warmupSeconds: settings.warmupSeconds, quiet: settings.quiet };
  // Every 50th generated user is disabled: generate a few more than needed.
  const generated = settings.learners + Math.ceil(settings.learners / 49) + 2;
  log(`[${kind}] commits: preparing a database with the demo seed and ${generated} generated partner users`);
  const db = await prepareDatabase(kind, settings, cleanup, generated);

  // 1. Import the fixture as the enablement manager, through the upload route.
  let started = performance.now();
  let app = await startApp(db.target, settings, cleanup);
  const manager = new TestClient(app.baseUrl);
  await manager.signIn(ENABLEMENT_EMAIL, DEMO_PASSWORD);
  const uploaded = await uploadPackage(app.baseUrl, manager, scormFixture(FIXTURE), 'Bench: Golf Explained');
  const courseId = courseIdOfAnswer(uploaded.status, uploaded.body);
  await app.stop();
  const importFixtureMs = performance.now() - started;

  // 2. Publish it (partner users only see published courses) and pick active learners, with the app stopped (PGlite has one owner).
  const emails = await withDatabase(db.config, async (d) => {
    await d.execute(sql`update courses set status = 'published' where id = ${courseId}`);
    const rows = rowsOf<{ email: string }>(
      await d.execute(sql`select email from users where status = 'active' and email like 'bench-user-%' order by email limit ${settings.learners}`),
    );
    return rows.map((r) => r.email);
  });
  if (emails.length < settings.learners) throw new Error(`only ${emails.length} active generated users, ${settings.learners} needed`);

  // 3. Baselines, each alone on the machine, immediately before the app is measured.
  log(`[${kind}] hello world (GET /): ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s, ${settings.connections} connections`);
  const hello = await startReference('hello-world.ts', '/', cleanup);
  const helloResult = await measure({ ...load, url: hello.server.baseUrl + '/', serverPid: hello.server.pid });
  await hello.stop();
  log(`  ${summaryLine(helloResult)}`);

  const suspend = suspendPool(256, settings.suspendMinBytes, settings.suspendMaxBytes);
  log(`[${kind}] hello world JSON (POST /commit, same bodies, reference): ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s`);
  const helloJson = await startReference('hello-world-json.ts', '/commit', cleanup);
  const fakeLearners: Learner[] = Array.from({ length: settings.learners }, (_, index) => ({
    index,
    email: '',
    attemptId: '',
    commitPath: '/commit',
    identifier: 'item_1',
    sequence: 1_000_000,
    firstSequence: 1_000_001,
    acknowledged: 0,
    inFlightSince: null,
  }));
  const helloJsonResult = await measure({ ...load, url: helloJson.server.baseUrl + '/', serverPid: helloJson.server.pid, requests: commitLoad(fakeLearners, suspend).requests });
  await helloJson.stop();
  log(`  ${summaryLine(helloJsonResult)}`);

  // 4. The app again; every learner signs in, opens the player and launches the SCO.
  started = performance.now();
  app = await startApp(db.target, settings, cleanup, { profileName: `courses-commits-${kind}` });
  log(`[${kind}] ${settings.learners} learners: sign in, open the player, launch`);
  const learners = await inPool(emails, 8, (email, i) => openPlayer(app.baseUrl, courseId, email, BENCH_PASSWORD, i));
  const signInAndLaunchMs = performance.now() - started;
  log(`  ready in ${(signInAndLaunchMs / 1000).toFixed(1)} s`);

  // 5. The commits.
  log(`[${kind}] POST <lms>/commit: ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s, ${settings.connections} connections, ${settings.learners} learners`);
  const loadSpec = commitLoad(learners, suspend);
  // Idle backends report their statistics up to 10 s late (PostgreSQL 15): let the sign-ins' and launches' arrive first.
  if (db.target.databaseName) await sleep(11_000);
  const statsBefore = db.target.databaseName ? await databaseStats(settings.postgresAdminUrl, db.target.databaseName) : null;
  const commits = await measure({
    ...load,
    url: app.contentUrl + '/',
    serverPid: app.server.pid,
    requests: loadSpec.requests,
    ...(db.target.databaseName ? { postgresDatabase: db.target.databaseName } : {}),
  });
  log(`  ${summaryLine(commits)}`);
  // Let commits whose client gave up (end of the run) finish, then a graceful stop (writes a --cpu-prof profile).
  await sleep(500);
  await app.stop();
  let perCommit: CommitReport['perCommit'] = null;
  if (statsBefore && db.target.databaseName) {
    // Backends flush their statistics when they exit (the app's pool is closed now).
    await sleep(1000);
    const after = await databaseStats(settings.postgresAdminUrl, db.target.databaseName);
    const n = Math.max(1, loadSpec.stats.requests);
    perCommit = {
      transactions: (after.xacts - statsBefore.xacts) / n,
      rowsReturned: (after.tupReturned - statsBefore.tupReturned) / n,
      rowsFetched: (after.tupFetched - statsBefore.tupFetched) / n,
      rowsWritten: (after.tupWritten - statsBefore.tupWritten) / n,
      walBytes: (after.walBytes - statsBefore.walBytes) / n,
      walSyncs: after.walSync === null || statsBefore.walSync === null ? null : (after.walSync - statsBefore.walSync) / n,
    };
    log(
      `  per commit request (warm-up included): ${perCommit.transactions.toFixed(2)} transactions, ${perCommit.rowsFetched.toFixed(1)} rows fetched, ${perCommit.rowsWritten.toFixed(1)} rows written, ` +
        `${(perCommit.walBytes / 1024).toFixed(1)} KiB of WAL, ${perCommit.walSyncs === null ? '?' : perCommit.walSyncs.toFixed(2)} WAL syncs (WAL: whole server)`,
    );
  }

  // 6. Read back what is stored: every acknowledged commit must be there.
  const stored = await withDatabase(db.config, async (d) =>
    rowsOf<{ attempt_id: string; commit_sequence: string | number }>(await d.execute(sql`select attempt_id, commit_sequence from sco_states`)),
  );
  const byAttempt = new Map(stored.map((r) => [r.attempt_id, Number(r.commit_sequence)]));
  let lost = 0;
  let beyond = 0;
  let acknowledged = 0;
  for (const learner of learners) {
    const s = byAttempt.get(learner.attemptId) ?? 0;
    if (learner.acknowledged > 0) acknowledged++;
    if (s < learner.acknowledged) lost++;
    if (s > learner.sequence) beyond++;
  }
  const verification = { learnersChecked: learners.length, rows: stored.length, acknowledged, lost, storedBeyondSent: beyond };
  log(`  read back: ${stored.length} sco_states rows; learners whose last acknowledged commit is missing: ${lost}`);

  const s = loadSpec.stats;
  return {
    backend: kind,
    description: db.description,
    databaseVersion: db.version,
    hello: helloResult,
    helloJson: helloJsonResult,
    commits,
    learners: learners.length,
    sent: { requests: s.requests, meanBodyBytes: s.requests ? s.bodyBytes / s.requests : 0, minSuspendBytes: s.minSuspend, maxSuspendBytes: s.maxSuspend },
    verification,
    perCommit,
    setup: { signInAndLaunchMs, importFixtureMs },
  };
}

// ─── Import ────────────────────────────────────────────────────────────────────────────────────────────────────

async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

async function unzipTimed(zipPath: string, into: string): Promise<UnzipRun> {
  const started = performance.now();
  // GNU time (Debian package "time"), when there: wall, user, system seconds and max RSS (KB) of unzip itself, on stderr.
  const result = existsSync('/usr/bin/time')
    ? await run('/usr/bin/time', ['-f', 'TIME %e %U %S %M', 'unzip', '-q', zipPath, '-d', into])
    : await run('unzip', ['-q', zipPath, '-d', into]);
  const wallMs = performance.now() - started;
  if (result.code !== 0) throw new Error(`unzip -q exited with ${result.code}: ${result.stderr}`);
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(result.stderr);
  return { wallMs, userMs: m ? Number(m[2]) * 1000 : null, sysMs: m ? Number(m[3]) * 1000 : null, maxRssKb: m ? Number(m[4]) : null };
}

async function countFiles(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return { files, bytes };
  }
  for (const e of entries) {
    if (!e.isFile()) continue;
    files++;
    bytes += (await stat(path.join(e.parentPath, e.name))).size;
  }
  return { files, bytes };
}

const mb = (n: number) => (n / 1024 ** 2).toFixed(1);

/** Starts a fresh app, uploads the package as the enablement manager, samples the app's memory; deletes the stored copy after. */
async function importOnce(db: PreparedDatabase, zipPath: string, label: string, settings: CoursesSettings, cleanup: Cleanup): Promise<ImportAttempt> {
  const { log } = settings;
  // A fresh app process for each import, so its idle memory is not what an earlier import or load left behind.
  const app = await startApp(db.target, settings, cleanup, { profileName: `courses-import-${label}` });
  try {
    const manager = new TestClient(app.baseUrl);
    await manager.signIn(ENABLEMENT_EMAIL, DEMO_PASSWORD);
    await csrfOf(manager, '/courses/new');
    await sleep(1000);
    await waitForQuiet(settings.quiet);
    const idle = await idleRss(app.server.pid, 1000);
    const hwmReset = resetPeak(app.server.pid);
    const cpuBefore = processCpuMs(app.server.pid);
    const sampler = sampleMemory(app.server.pid, 50);
    log(`[${db.target.kind}] import ${label} (POST /courses, streamed from disk); app idle RSS ${mb(idle)} MiB`);
    const answer = await uploadPackage(app.baseUrl, manager, zipPath, `Bench: large package ${label}`);
    const mem = sampler.stop();
    const cpuAfter = processCpuMs(app.server.pid);
    const courseId = courseIdOfAnswer(answer.status, answer.body);
    const bodySentAt = answer.bodySentMs ?? answer.answeredMs;
    const peakIn = (from: number, to: number) => mem.samples.filter((x) => x.atMs >= from && x.atMs <= to).reduce((max, x) => Math.max(max, x.rssBytes), 0);
    log(
      `  ${answer.status} after ${(answer.answeredMs / 1000).toFixed(2)} s (body sent after ${(bodySentAt / 1000).toFixed(2)} s); peak RSS ${mb(mem.peakRssBytes)} MiB (+${mb(mem.peakRssBytes - idle)} MiB; ` +
        `${mb(peakIn(0, bodySentAt))} MiB while uploading, ${mb(peakIn(bodySentAt, Number.POSITIVE_INFINITY))} MiB after)`,
    );
    if (settings.memoryTraceDir) {
      const trace = path.join(settings.memoryTraceDir, `import-${label}-rss.csv`);
      await writeFile(trace, ['ms,rss_mib,rss_anon_mib', ...mem.samples.map((x) => `${x.atMs.toFixed(0)},${mb(x.rssBytes)},${mb(x.rssAnonBytes)}`)].join('\n') + '\n');
      log(`  RSS samples written to ${trace} (body sent at ${bodySentAt.toFixed(0)} ms)`);
    }
    const courseDir = path.join(db.target.dataDir, 'storage', 'courses', courseId);
    const stored = await countFiles(courseDir);
    await app.stop();
    // The stored copy and its metadata: disk is limited.
    await rm(courseDir, { recursive: true, force: true });
    await rm(path.join(db.target.dataDir, 'storage', '.meta', 'courses', courseId), { recursive: true, force: true });
    await sync();
    return {
      status: answer.status,
      answeredMs: answer.answeredMs,
      bodySentMs: answer.bodySentMs,
      bytesSent: answer.bytesSent,
      serverCpuMs: cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null,
      memory: {
        idleRssBytes: idle,
        peakRssBytes: mem.peakRssBytes,
        hwmBytes: mem.hwmBytes,
        hwmReset,
        peakDuringUploadBytes: peakIn(0, bodySentAt),
        peakAfterUploadBytes: peakIn(bodySentAt, Number.POSITIVE_INFINITY),
        peakAnonBytes: mem.samples.reduce((max, x) => Math.max(max, x.rssAnonBytes), 0),
        samples: mem.samples.length,
      },
      stored,
    };
  } finally {
    await app.stop();
  }
}

async function runImportBench(kind: Backend, settings: CoursesSettings, cleanup: Cleanup): Promise<ImportReport> {
  const { log } = settings;
  log(`[${kind}] import: preparing a database with the demo seed`);
  const db = await prepareDatabase(kind, settings, cleanup, 0);
  const work = await mkdtemp(path.join(tmpdir(), 'pa-bench-import-'));
  const removeWork = cleanup.add(`remove ${work}`, () => rm(work, { recursive: true, force: true }));
  const runs: ImportRun[] = [];
  try {
    for (const sizeMb of settings.importSizesMb) {
      const bytes = sizeMb * 1024 * 1024;
      // The zip, unzip's copy, the app's upload temp file and its stored copy, plus room to spare.
      const needed = 4 * bytes + 1024 ** 3;
      const free = Math.min(await freeBytes(work), await freeBytes(db.target.dataDir));
      if (free < needed) throw new Error(`not enough disk for a ${sizeMb} MiB package: ${(free / 1024 ** 3).toFixed(1)} GiB free, ${(needed / 1024 ** 3).toFixed(1)} GiB needed`);

      const zipPath = path.join(work, `package-${sizeMb}mb.zip`);
      log(`[${kind}] generating a ${sizeMb} MiB package of ${settings.importFiles} files`);
      const pkg = await writeLargePackage(zipPath, { totalBytes: bytes, files: settings.importFiles, seed: sizeMb });
      log(`  ${pkg.files} files in ${pkg.folders} folders, ${mb(pkg.totalBytes)} MiB, zip ${mb(pkg.zipBytes)} MiB, written in ${(pkg.elapsedMs / 1000).toFixed(1)} s`);
      await sync();

      const unzip: UnzipRun[] = [];
      const unzipOnce = async () => {
        const into = path.join(work, 'unzipped');
        await waitForQuiet(settings.quiet);
        unzip.push(await unzipTimed(zipPath, into));
        log(`  unzip -q: ${(unzip.at(-1)!.wallMs / 1000).toFixed(2)} s`);
        await rm(into, { recursive: true, force: true });
        await sync();
      };
      // unzip, import, unzip, import, ..., unzip: neither side always runs first, on a warmer or colder cache.
      const imports: ImportAttempt[] = [];
      await unzipOnce();
      for (let i = 0; i < settings.importRuns; i++) {
        imports.push(await importOnce(db, zipPath, `${sizeMb}mb-${i + 1}`, settings, cleanup));
        await unzipOnce();
      }
      await rm(zipPath, { force: true });
      runs.push({ sizeMb, pkg, unzip, imports });
    }
  } finally {
    await removeWork();
  }
  return { backend: kind, databaseVersion: db.version, runs };
}

// ─── Output ────────────────────────────────────────────────────────────────────────────────────────────────────

const core = (n: number | null) => (n === null ? '?' : `${n.toFixed(0)}%`);

function summaryLine(r: LoadResult): string {
  const codes = Object.entries(r.statusCodes)
    .map(([code, n]) => `${code}×${n}`)
    .join(' ');
  return (
    `${r.requestsPerSecond.toFixed(0)} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, errors ${r.errors + r.timeouts}, non-2xx ${r.non2xx} (${codes}); ` +
    `CPU (% of a core): server ${core(r.cpu.server)}, postgres ${core(r.cpu.postgres)}, autocannon ${core(r.cpu.loadGenerator)}, other ${core(r.cpu.other)}; busy before ${core(r.busyBeforePercent)}`
  );
}

export async function runCoursesBench(settings: CoursesSettings, cleanup: Cleanup): Promise<{ commits: CommitReport[]; imports: ImportReport | null }> {
  if (settings.build) await buildApp(settings.log);
  const commits: CommitReport[] = [];
  if (settings.commits) {
    for (const backend of settings.backends) commits.push(await runCommitBench(backend, settings, cleanup));
  }
  let imports: ImportReport | null = null;
  if (settings.importSizesMb.length) {
    // The import targets are about the app's own work (files and memory); PostgreSQL unless only PGlite was asked for.
    imports = await runImportBench(settings.backends.includes('postgres') ? 'postgres' : 'pglite', settings, cleanup);
  }
  return { commits, imports };
}

// ─── CLI ───────────────────────────────────────────────────────────────────────────────────────────────────────

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      suite: { type: 'string' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '50' },
      learners: { type: 'string', default: '200' },
      'suspend-min': { type: 'string', default: '2048' },
      'suspend-max': { type: 'string', default: '8192' },
      'import-sizes': { type: 'string', default: '100,500' },
      'import-files': { type: 'string', default: '4000' },
      'import-runs': { type: 'string', default: '2' },
      'skip-import': { type: 'boolean', default: false },
      'skip-commits': { type: 'boolean', default: false },
      only: { type: 'string' },
      'node-env': { type: 'string', default: 'production' },
      'no-build': { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
      output: { type: 'string', default: 'BENCHMARKS.md' },
      'cpu-prof': { type: 'string' },
      'memory-trace': { type: 'string' },
      'app-env': { type: 'string', multiple: true },
      'pg-setting': { type: 'string', multiple: true },
      'quiet-max-busy': { type: 'string', default: '20' },
      'quiet-max-wait': { type: 'string', default: '120' },
    },
  });
  const whole = (name: string, value: string | undefined, min: number, max: number): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name}: expected a whole number from ${min} to ${max}, got ${value}`);
    return n;
  };
  if (values.only && values.only !== 'postgres' && values.only !== 'pglite') throw new Error('--only: postgres or pglite');
  const keyValues = (name: string, list: string[] | undefined): Record<string, string> =>
    Object.fromEntries(
      (list ?? []).map((item) => {
        const at = item.indexOf('=');
        if (at < 1) throw new Error(`--${name}: expected NAME=value, got ${item}`);
        return [item.slice(0, at), item.slice(at + 1)];
      }),
    );
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const settings: CoursesSettings = {
    // Bounded, so a typo cannot start an hour-long run or fill the disk.
    durationSeconds: whole('duration', values.duration, 1, 120),
    warmupSeconds: whole('warmup', values.warmup, 0, 60),
    connections: whole('connections', values.connections, 1, 1000),
    learners: whole('learners', values.learners, 1, 5000),
    suspendMinBytes: whole('suspend-min', values['suspend-min'], 0, 64_000),
    suspendMaxBytes: whole('suspend-max', values['suspend-max'], 0, 64_000),
    backends: values.only ? [values.only as Backend] : ['postgres', 'pglite'],
    commits: !values['skip-commits'],
    importSizesMb: values['skip-import'] ? [] : values['import-sizes']!.split(',').filter(Boolean).map((v) => whole('import-sizes', v.trim(), 1, 2000)),
    importFiles: whole('import-files', values['import-files'], 10, 19_000),
    importRuns: whole('import-runs', values['import-runs'], 1, 5),
    postgresAdminUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    nodeEnv: values['node-env'] === 'development' ? 'development' : 'production',
    quiet: { maxBusyPercent: whole('quiet-max-busy', values['quiet-max-busy'], 0, 100), maxWaitMs: whole('quiet-max-wait', values['quiet-max-wait'], 0, 1800) * 1000 },
    build: !values['no-build'],
    ...(values['cpu-prof'] ? { cpuProfileDir: path.resolve(values['cpu-prof']) } : {}),
    ...(values['memory-trace'] ? { memoryTraceDir: path.resolve(values['memory-trace']) } : {}),
    appEnv: keyValues('app-env', values['app-env']),
    pgSettings: keyValues('pg-setting', values['pg-setting']),
    log,
  };
  if (settings.suspendMinBytes > settings.suspendMaxBytes) throw new Error('--suspend-min must not exceed --suspend-max');
  if (settings.learners <= settings.connections) throw new Error('--learners must exceed --connections (each connection needs a learner with no commit in flight)');
  const host = new URL(settings.postgresAdminUrl).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]', ''].includes(host)) throw new Error(`BENCH_POSTGRES_URL must point at this machine (got ${host}): the bench creates and drops databases there`);
  if (settings.importSizesMb.length) {
    const unzip = await run('unzip', ['-v']).catch(() => ({ code: -1, stderr: '' }));
    if (unzip.code !== 0) throw new Error('unzip is not installed (apt-get install unzip): the import is measured against `unzip -q` of the same file');
  }

  const cleanup = new Cleanup();
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      log(`\n${signal}: stopping servers, removing bench databases and temp files...`);
      void cleanup.runAll().finally(() => process.exit(130));
    });
  }

  const started = performance.now();
  let result: Awaited<ReturnType<typeof runCoursesBench>> | null = null;
  let failed = false;
  try {
    result = await runCoursesBench(settings, cleanup);
  } catch (err) {
    if (!interrupted) {
      process.stderr.write(`courses bench failed: ${(err as Error).stack ?? err}\n`);
      failed = true;
    }
  } finally {
    await cleanup.runAll();
  }
  if (!result || interrupted) return 1;

  const postgres = result.commits.find((r) => r.backend === 'postgres');
  const machine = machineInfo(postgres?.databaseVersion ?? (result.imports?.backend === 'postgres' ? result.imports.databaseVersion : 'PostgreSQL server not measured'));
  log('\nTargets:');
  for (const c of coursesTargetChecks(result.commits, result.imports)) log(`  ${c.ok ? 'met    ' : 'NOT met'} ${c.target}: ${c.measured}${c.applies ? '' : ' (reference)'}`);
  if (values['no-write'] || failed) {
    log(`\n${values['no-write'] ? '--no-write' : 'The run failed'}: ${values.output} left as it was.`);
  } else {
    const file = path.resolve(PROJECT_ROOT, values.output!);
    const previous = await readFile(file, 'utf8').catch(() => null);
    const section = renderCoursesSection({ machine, settings, commits: result.commits, imports: result.imports, totalSeconds: (performance.now() - started) / 1000 });
    await writeFile(file, spliceCoursesSection(previous, section));
    log(`\nWrote the courses section of ${path.relative(process.cwd(), file) || file}`);
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}

