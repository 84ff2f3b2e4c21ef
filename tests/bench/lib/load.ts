import { cpus } from 'node:os';
import autocannon from 'autocannon';
import { machineCpu, postgresBackendPids, processCpuMs, waitForQuiet } from './processes.js';

export interface LoadOptions {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** The server's pid, to report how much CPU it used while measured. */
  serverPid?: number;
  /** The PostgreSQL database the server uses, to report its backends' CPU. */
  postgresDatabase?: string;
  /** Before measuring, wait (up to maxWaitMs) until the machine is at most this busy. */
  quiet?: { maxBusyPercent: number; maxWaitMs: number };
  /** autocannon's `requests` (method, body, setupRequest for per-request bodies); default: GET url. */
  requests?: autocannon.Request[];
}

export interface LoadResult {
  requestsPerSecond: number;
  /** Requests completed in the measured window. */
  requests: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  /** CPU during the measured window, in % of one core (so 2 cores = 200%). */
  cpu: {
    server: number | null;
    postgres: number | null;
    /** autocannon (this process). */
    loadGenerator: number;
    /** Everything else on the machine: other people's processes, the kernel's network work... */
    other: number | null;
    /** All cores busy, in % of one core. */
    machine: number | null;
  };
  /** The machine's busy share (% of all cores) just before the run, after waiting for quiet. */
  busyBeforePercent: number | null;
}

function runOnce(options: LoadOptions, durationSeconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: durationSeconds,
        headers: options.headers ?? {},
        ...(options.requests ? { requests: options.requests } : {}),
        // Keep-alive connections, one request in flight per connection.
        pipelining: 1,
        timeout: 10,
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

const sum = (values: (number | null)[]) => values.reduce<number>((a, b) => a + (b ?? 0), 0);

/** Waits for a quiet machine, then a warm-up run (discarded: JIT, connection pools, caches), then the measured run. */
export async function measure(options: LoadOptions): Promise<LoadResult> {
  const quiet = options.quiet ? await waitForQuiet(options.quiet) : { busyPercent: null };
  if (options.warmupSeconds > 0) await runOnce(options, options.warmupSeconds);

  const pgPids = options.postgresDatabase ? postgresBackendPids(options.postgresDatabase) : [];
  const serverBefore = options.serverPid ? processCpuMs(options.serverPid) : null;
  const pgBefore = pgPids.map((pid) => processCpuMs(pid));
  const selfBefore = process.cpuUsage();
  const machineBefore = machineCpu();
  const started = performance.now();

  const result = await runOnce(options, options.durationSeconds);

  const elapsedMs = performance.now() - started;
  const machineAfter = machineCpu();
  const self = process.cpuUsage(selfBefore);
  const serverAfter = options.serverPid ? processCpuMs(options.serverPid) : null;
  // Backends that started during the run count from zero; a pool does not usually close any mid-run.
  const pgAfterPids = options.postgresDatabase ? postgresBackendPids(options.postgresDatabase) : [];
  const pgMs = options.postgresDatabase ? sum(pgAfterPids.map((pid) => processCpuMs(pid))) - sum(pgBefore.filter((_, i) => pgAfterPids.includes(pgPids[i]!))) : null;

  const corePct = (ms: number | null) => (ms === null ? null : (ms / elapsedMs) * 100);
  const server = serverBefore !== null && serverAfter !== null ? corePct(serverAfter - serverBefore) : null;
  const postgres = corePct(pgMs);
  const loadGenerator = corePct((self.user + self.system) / 1000)!;
  const machine =
    machineBefore && machineAfter && machineAfter.total > machineBefore.total
      ? ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100 * cpus().length
      : null;
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stats?.count ?? 0;
  return {
    requestsPerSecond: result.requests.average,
    requests: result.requests.total,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
    cpu: { server, postgres, loadGenerator, other: machine === null ? null : Math.max(0, machine - sum([server, postgres, loadGenerator])), machine },
    busyBeforePercent: quiet.busyPercent,
  };
}
