import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../server/paths.js';
import type { BackendReport, BenchSettings, ScenarioResult } from '../dashboard.bench.js';
import { existingCoursesSection } from './courses-report.js';
import { existingCobrandSection } from './cobrand-report.js';
import { existingSearchSection } from './search-report.js';
import { existingProgrammeSection } from './programme-report.js';

/** The issue's targets (PostgreSQL server; start-up with an existing data directory). */
export const TARGETS = {
  minThroughputRatio: 0.3,
  maxP99Ratio: 4,
  maxStartupMs: 2000,
} as const;

export interface MachineInfo {
  date: string;
  cpuModel: string;
  cores: number;
  memory: string;
  os: string;
  node: string;
  postgres: string;
  pglite: string;
  autocannon: string;
}

function safe(fn: () => string, fallback = 'unknown'): string {
  try {
    return fn().trim() || fallback;
  } catch {
    return fallback;
  }
}

function packageVersion(name: string): string {
  return safe(() => (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version);
}

export function machineInfo(postgresVersion: string): MachineInfo {
  const cpuinfo = safe(() => readFileSync('/proc/cpuinfo', 'utf8'), '');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  return {
    date: safe(() => execFileSync('date', { encoding: 'utf8' })),
    cpuModel: model,
    cores: Number(safe(() => execFileSync('nproc', { encoding: 'utf8' }), String(os.availableParallelism()))),
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
    postgres: postgresVersion,
    pglite: `@electric-sql/pglite ${packageVersion('@electric-sql/pglite')}`,
    autocannon: packageVersion('autocannon'),
  };
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (ratio: number) => `${fmt(ratio * 100, 1)}%`;
const times = (ratio: number) => `${fmt(ratio, 2)}×`;
const core = (n: number | null) => (n === null ? '?' : `${fmt(n)}%`);
const backendName = (report: BackendReport) => (report.backend === 'postgres' ? 'PostgreSQL' : 'PGlite');
const met = (ok: boolean) => (ok ? '**met**' : '**not met**');

export interface Ratios {
  throughput: number;
  p99: number;
}

export function ratiosOf(row: ScenarioResult, hello: ScenarioResult): Ratios {
  return {
    throughput: row.result.requestsPerSecond / hello.result.requestsPerSecond,
    // autocannon reports whole milliseconds for a fast hello world; never divide by 0.
    p99: row.result.p99Ms / Math.max(hello.result.p99Ms, 1),
  };
}

function helloOf(report: BackendReport): ScenarioResult {
  const hello = report.scenarios.find((s) => s.scenario === 'hello');
  if (!hello) throw new Error('no hello world baseline');
  return hello;
}

export interface TargetCheck {
  target: string;
  measured: string;
  ok: boolean;
  applies: boolean;
}

export function targetChecks(reports: BackendReport[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const report of reports) {
    const hello = helloOf(report);
    const applies = report.backend === 'postgres';
    const name = report.backend === 'postgres' ? 'PostgreSQL' : 'PGlite';
    for (const row of report.scenarios.filter((s) => s.scenario !== 'hello')) {
      const r = ratiosOf(row, hello);
      const clean = row.result.errors === 0 && row.result.non2xx === 0;
      checks.push({
        target: `${name}: ${row.label.toLowerCase()} throughput ≥ ${pct(TARGETS.minThroughputRatio)} of hello world`,
        measured: `${pct(r.throughput)} (${fmt(row.result.requestsPerSecond)} vs ${fmt(hello.result.requestsPerSecond)} req/s)${clean ? '' : ', with errors'}`,
        ok: r.throughput >= TARGETS.minThroughputRatio && clean,
        applies,
      });
      checks.push({
        target: `${name}: ${row.label.toLowerCase()} p99 ≤ ${TARGETS.maxP99Ratio}× hello world p99`,
        measured: `${times(r.p99)} (${fmt(row.result.p99Ms)} vs ${fmt(hello.result.p99Ms)} ms)`,
        ok: r.p99 <= TARGETS.maxP99Ratio,
        applies,
      });
    }
    checks.push({
      target: `${name}: start-up to first 200 on /healthz ≤ ${fmt(TARGETS.maxStartupMs / 1000)} s (existing data)`,
      measured: `${fmt(report.startup.medianMs)} ms (median of ${report.startup.runsMs.length})`,
      ok: report.startup.medianMs <= TARGETS.maxStartupMs,
      // The issue names "an existing data directory": the PGlite case; the server case is shown too.
      applies: true,
    });
  }
  return checks;
}

const NOTES_START = '<!-- notes:start (kept when the bench rewrites this file) -->';
const NOTES_END = '<!-- notes:end -->';

/** Hand-written analysis between the markers survives a re-run; everything else comes from the run. */
export function preservedNotes(previous: string | null): string {
  if (!previous) return `${NOTES_START}\n${NOTES_END}`;
  const start = previous.indexOf(NOTES_START);
  const end = previous.indexOf(NOTES_END);
  if (start === -1 || end === -1 || end < start) return `${NOTES_START}\n${NOTES_END}`;
  return previous.slice(start, end + NOTES_END.length);
}

export function renderReport(input: { machine: MachineInfo; settings: BenchSettings; reports: BackendReport[]; totalSeconds: number; previous: string | null }): string {
  const { machine, settings, reports } = input;
  const lines: string[] = [];
  const push = (...l: string[]) => lines.push(...l);
  const checks = targetChecks(reports);

  push(
    '# Benchmarks',
    '',
    '_Generated by `npm run bench` (tests/bench/run.ts) from a real run; re-run it to refresh. Only the notes section at the end is hand-written._',
    '',
    '## Run',
    '',
    `- Date: ${machine.date}`,
    `- Machine: ${machine.cores} cores (\`nproc\`), ${machine.cpuModel}, ${machine.memory} RAM, ${machine.os}`,
    `- Node ${machine.node}; ${machine.postgres}; ${machine.pglite}; autocannon ${machine.autocannon}`,
    `- Load: autocannon, ${settings.connections} connections, keep-alive, no pipelining; ${settings.warmupSeconds} s warm-up (discarded) then ${settings.durationSeconds} s measured, per row`,
    `- Data: demo seed + ${fmt(settings.organisations)} generated partner organisations and ${fmt(settings.users)} generated users (tests/bench/generate-data.ts)`,
    `- App: \`node dist/server/main.js\` after \`npm run build\`, NODE_ENV=${settings.nodeEnv}, LOG_LEVEL=warn, DATABASE_POOL_MAX default (10)${settings.cpuProfileDir ? ', with --cpu-prof (slower than normal)' : ''}`,
    `- Whole run: ${fmt(input.totalSeconds)} s`,
    '',
    '## Targets',
    '',
    '| Target | Measured | Result |',
    '| --- | --- | --- |',
    ...checks.map((c) => `| ${c.target} | ${c.measured} | ${c.applies ? met(c.ok) : `${c.ok ? 'would be met' : 'would not be met'} (reported beside; the target is for PostgreSQL)`} |`),
    '',
    '## Throughput and latency',
    '',
    'Each hello-world baseline is measured in the same run, immediately before the app rows it is compared with; ratios use that baseline.',
    '',
    '| Section | Row | req/s | p50 ms | p99 ms | max ms | errors | non-2xx | req/s vs hello | p99 vs hello |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const report of reports) {
    const hello = helloOf(report);
    for (const row of report.scenarios) {
      const r = row.scenario === 'hello' ? null : ratiosOf(row, hello);
      const x = row.result;
      push(
        `| ${backendName(report)} | ${row.label} | ${fmt(x.requestsPerSecond)} | ${fmt(x.p50Ms)} | ${fmt(x.p99Ms)} | ${fmt(x.maxMs)} | ${x.errors + x.timeouts} | ${x.non2xx} | ${r ? pct(r.throughput) : 'baseline'} | ${r ? times(r.p99) : 'baseline'} |`,
      );
    }
  }
  push(
    '',
    'Where the CPU went during each measured window, in % of one core (the machine has ' + machine.cores + ' cores, so ' + machine.cores * 100 + '% is everything).',
    '"Other" is whatever else ran (the kernel\'s network work not charged to a process, other people\'s builds or tests); "busy before" is the machine\'s load just before the warm-up, after waiting up to ' +
      fmt(settings.quiet.maxWaitMs / 1000) + ' s for it to drop to ' + settings.quiet.maxBusyPercent + '% or less. CPU per request is the server\'s (and PostgreSQL\'s) CPU time divided by requests served.',
    '',
    '| Section | Row | server | PostgreSQL | autocannon | other | busy before | server CPU per request | PostgreSQL CPU per request |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const report of reports) {
    for (const row of report.scenarios) {
      const c = row.result.cpu;
      const perRequest = (corePct: number | null) => (corePct === null || row.result.requestsPerSecond <= 0 ? '–' : `${fmt((corePct * 10) / row.result.requestsPerSecond, 2)} ms`);
      push(
        `| ${backendName(report)} | ${row.label} | ${core(c.server)} | ${report.backend === 'postgres' && row.scenario !== 'hello' ? core(c.postgres) : '–'} | ${core(c.loadGenerator)} | ${core(c.other)} | ${row.result.busyBeforePercent === null ? '?' : `${fmt(row.result.busyBeforePercent)}%`} | ${perRequest(c.server)} | ${report.backend === 'postgres' && row.scenario !== 'hello' ? perRequest(c.postgres) : '–'} |`,
      );
    }
  }
  push('', '## Start-up', '', 'Process spawn to the first 200 on /healthz (polled every 10 ms), on a database that is already migrated and seeded with the data above.', '');
  push('| Database | Median | Runs (ms) |', '| --- | ---: | --- |');
  for (const report of reports) {
    push(`| ${report.description} | ${fmt(report.startup.medianMs)} ms | ${report.startup.runsMs.map((ms) => fmt(ms)).join(', ')} |`);
  }
  push('', '## Data preparation', '', '| Database | Demo accounts | Generated organisations | Generated users | Migrate + seed + generate | Of which generator |', '| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const report of reports) {
    const d = report.data;
    push(`| ${report.databaseVersion} | ${d.demoAccounts} | ${fmt(d.organisations)} | ${fmt(d.users)} | ${fmt(d.seedMs / 1000, 1)} s | ${fmt(d.elapsedMs / 1000, 1)} s |`);
  }
  push(
    '',
    '## Method',
    '',
    '1. `npm run build`, so the app measured is the compiled `dist/server/main.js` that `npm start` runs.',
    '2. For each database in turn: create it (a uniquely named database on the PostgreSQL server, or a fresh DATA_DIR for PGlite), migrate, run the demo seed, then the bench data generator. The same generated data is used for both.',
    '3. Start a bare Express 5 hello world (tests/bench/hello-world.ts, one route, no middleware) in its own process and measure `GET /`. Stop it.',
    '4. Start Partner Academy in its own process on that database. Sign in through the real forms (GET /login for the CSRF token and cookie, POST /login) as a generated partner rep, and as the demo vendor admin; check that `GET /` returns each dashboard. Measure `GET /` with each session cookie (one session per row, shared by all connections). Stop it.',
    `5. Start the app ${settings.startupRuns} times on the same, now existing, database and time spawn to the first 200 on /healthz.`,
    '6. Drop the database / remove the DATA_DIR; child processes and databases are cleaned up on failure and on Ctrl-C too.',
    '',
    'autocannon runs in the bench process, separate from both servers; only one server is under load at a time. On a 2-core machine the load generator, the server and (for the PostgreSQL rows) the database share the cores: at hello-world rates autocannon itself needs about a third of a core, so the baseline is a little lower than on a bigger machine, which makes the ratios slightly kinder to the app, not harsher.',
    '',
  );
  // The courses suite (`npm run bench -- --suite courses`) writes its own section; keep it as it was.
  const courses = existingCoursesSection(input.previous);
  if (courses) push(courses, '');
  // Likewise the co-branding suite (`npm run bench -- --suite cobrand`).
  const cobrand = existingCobrandSection(input.previous);
  if (cobrand) push(cobrand, '');
  // And the search suite (`npm run bench -- --suite search`).
  const search = existingSearchSection(input.previous);
  if (search) push(search, '');
  // And the programme suite (`npm run bench -- --suite programme`).
  const programme = existingProgrammeSection(input.previous);
  if (programme) push(programme, '');
  push(
    '## Notes',
    '',
    preservedNotes(input.previous),
    '',
  );
  return lines.join('\n');
}
