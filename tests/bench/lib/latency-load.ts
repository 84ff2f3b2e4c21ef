/**
 * Load with latency percentiles from every response time autocannon reports (its own histogram rounds), a warm-up
 * run discarded first; the app process started for it; and the frame of a bench that writes its own section of
 * BENCHMARKS.md. Shared by the search and programme benchmarks.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import autocannon from 'autocannon';
import { PROJECT_ROOT } from '../../../server/paths.js';
import { Cleanup as CleanupClass, freePort, machineBusyPercent, spawnServer, waitFor200, waitForQuiet, type ChildServer, type Cleanup } from './processes.js';

export interface LoadFigures {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  non2xx: number;
  busyBeforePercent: number | null;
}

export const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);

/** Waits (bounded) for a quiet machine, runs `warmupSeconds` discarded, then `durationSeconds` measured. */
export async function runLatencyLoad(options: {
  request: Omit<autocannon.Options, 'duration'>;
  durationSeconds: number;
  warmupSeconds: number;
  quiet: { maxBusyPercent: number; maxWaitMs: number };
}): Promise<LoadFigures> {
  const quiet = await waitForQuiet(options.quiet);
  const once = (seconds: number, record: boolean) =>
    new Promise<LoadFigures>((resolve, reject) => {
      const latencies: number[] = [];
      let errors = 0;
      let non2xx = 0;
      const started = performance.now();
      const instance = autocannon({ ...options.request, duration: seconds }, (err) => {
        if (err) return reject(err);
        const sorted = [...latencies].sort((a, b) => a - b);
        const elapsed = (performance.now() - started) / 1000;
        resolve({
          requests: sorted.length,
          requestsPerSecond: sorted.length / Math.max(0.001, elapsed),
          p50Ms: percentile(sorted, 50),
          p95Ms: percentile(sorted, 95),
          p99Ms: percentile(sorted, 99),
          maxMs: sorted[sorted.length - 1] ?? 0,
          errors,
          non2xx,
          busyBeforePercent: quiet.busyPercent,
        });
      });
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        if (!record) return;
        latencies.push(responseTime);
        if (statusCode < 200 || statusCode >= 300) non2xx++;
      });
      instance.on('reqError', () => {
        if (record) errors++;
      });
    });
  if (options.warmupSeconds > 0) await once(options.warmupSeconds, false);
  return once(options.durationSeconds, true);
}

/** Starts `node <args>` on a free port (PORT and APP_URL set) and waits for 200 on probePath; stopped by cleanup. */
export async function startNode(name: string, args: string[], env: Record<string, string>, probePath: string, cleanup: Cleanup): Promise<{ server: ChildServer; stop: () => Promise<void> }> {
  const port = await freePort();
  const server = spawnServer({ name, command: process.execPath, args, env: { ...env, PORT: String(port), APP_URL: `http://127.0.0.1:${port}` }, port, cwd: PROJECT_ROOT });
  const stop = cleanup.add(`stop ${name} (pid ${server.pid})`, () => server.stop());
  await waitFor200(server, probePath, { since: performance.now(), timeoutMs: 120_000 });
  return { server, stop };
}

/**
 * This process's environment for an app under test, without anything that configures the app (the bench sets that):
 * a developer's own DATABASE_URL or cache settings must not leak into a measurement.
 */
export function childEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (/^(DATABASE_|DATA_DIR|PORT|HOST|APP_URL|NODE_ENV|LOG_LEVEL|SESSION_|SEED_|S3_|SMTP_|TRUST_PROXY|NODE_OPTIONS|CONTENT_|MEILI_|SEARCH_|ANALYTICS_)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/**
 * The frame of a benchmark that owns one section of BENCHMARKS.md: cleanup on signals and on failure, the run, its
 * section printed, and written into the file unless `output` is null. Returns the exit code.
 */
export async function runSectionBench<T>(options: {
  name: string;
  log: (line: string) => void;
  run: (cleanup: Cleanup) => Promise<T>;
  render: (result: T, totalSeconds: number) => string;
  splice: (current: string | null, section: string) => string;
  output: string | null;
}): Promise<number> {
  const cleanup = new CleanupClass();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanup.runAll().finally(() => process.exit(130)));
  const started = performance.now();
  let result: T;
  try {
    options.log(`machine busy now: ${(await machineBusyPercent()) ?? '?'}%`);
    result = await options.run(cleanup);
  } catch (err) {
    process.stderr.write(`${options.name} failed: ${(err as Error).stack ?? err}\n`);
    return 1;
  } finally {
    await cleanup.runAll();
  }
  const section = options.render(result, (performance.now() - started) / 1000);
  options.log(`\n${section}\n`);
  if (options.output !== null) {
    const file = path.resolve(PROJECT_ROOT, options.output);
    await writeFile(file, options.splice(await readFile(file, 'utf8').catch(() => null), section));
    options.log(`Wrote ${file}`);
  }
  return 0;
}
