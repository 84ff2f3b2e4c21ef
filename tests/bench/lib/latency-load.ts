/**
 * Load with latency percentiles from every response time autocannon reports (its own histogram rounds), a warm-up
 * run discarded first; and the app process started for it. Shared by the search and programme benchmarks.
 */
import autocannon from 'autocannon';
import { PROJECT_ROOT } from '../../../server/paths.js';
import { freePort, spawnServer, waitFor200, waitForQuiet, type ChildServer, type Cleanup } from './processes.js';

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
