import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Everything the bench must undo (child processes, databases, directories), run in reverse order even on failure. */
export class Cleanup {
  private readonly tasks: { name: string; run: () => Promise<void> | void }[] = [];

  add(name: string, run: () => Promise<void> | void): () => Promise<void> {
    const task = { name, run };
    this.tasks.push(task);
    // Returns a function that runs this task now, once, and takes it off the list.
    return async () => {
      const i = this.tasks.indexOf(task);
      if (i === -1) return;
      this.tasks.splice(i, 1);
      await task.run();
    };
  }

  async runAll(): Promise<void> {
    while (this.tasks.length) {
      const task = this.tasks.pop()!;
      try {
        await task.run();
      } catch (err) {
        process.stderr.write(`cleanup "${task.name}" failed: ${(err as Error).message}\n`);
      }
    }
  }
}

/** A port nobody listens on right now (the kernel picks it; closed again before the server takes it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export interface ChildServer {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly port: number;
  readonly baseUrl: string;
  /** The last few KB the process wrote, for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after timeoutMs; resolves when the process has exited. */
  stop(timeoutMs?: number): Promise<void>;
}

export function spawnServer(options: { name: string; command: string; args: string[]; env: Record<string, string>; port: number; cwd: string }): ChildServer {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    name: options.name,
    child,
    pid: child.pid ?? -1,
    port: options.port,
    baseUrl: `http://127.0.0.1:${options.port}`,
    output: () => tail,
    async stop(timeoutMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** One GET with a fresh connection; resolves with the status, or null when nothing answers (yet). */
export function probe(url: string, timeoutMs = 1000): Promise<number | null> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? null);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

/**
 * Polls url every intervalMs until it answers 200; resolves with the milliseconds since `since`.
 * Rejects when the process exits first or after timeoutMs.
 */
export async function waitFor200(server: ChildServer, path: string, options: { since: number; intervalMs?: number; timeoutMs?: number }): Promise<number> {
  const interval = options.intervalMs ?? 10;
  const deadline = options.since + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(`${server.name} exited (${server.child.exitCode ?? server.child.signalCode}) before answering ${path}:\n${server.output()}`);
    }
    const status = await probe(server.baseUrl + path);
    if (status === 200) return performance.now() - options.since;
    if (performance.now() > deadline) throw new Error(`${server.name} did not answer 200 on ${path} within ${options.timeoutMs ?? 60_000} ms (last: ${status}):\n${server.output()}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

let ticks: number | undefined;
function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** CPU time (user + system) a process has used so far, in ms; null when it cannot be read. */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces): utime is field 14, stime 15 (1-based).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticksPerSecond = clockTicks();
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return null;
  }
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
export function machineCpu(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    const total = values.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** Pids of the PostgreSQL backends serving one database (their command line names it). */
export function postgresBackendPids(databaseName: string): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.startsWith('postgres:') && cmdline.includes(` ${databaseName} `)) pids.push(Number(entry));
    } catch {
      // The process exited while we looked.
    }
  }
  return pids;
}

/** Samples the machine for intervalMs; returns the share of all cores that was busy, in %. */
export async function machineBusyPercent(intervalMs = 1000): Promise<number | null> {
  const before = machineCpu();
  await new Promise((r) => setTimeout(r, intervalMs));
  const after = machineCpu();
  if (!before || !after || after.total <= before.total) return null;
  return ((after.busy - before.busy) / (after.total - before.total)) * 100;
}

/**
 * Waits (bounded) until the machine is nearly idle, so other work (a test run, a build) does not skew a
 * measurement. Returns the busy share of the last sample and how long it waited.
 */
export async function waitForQuiet(options: { maxBusyPercent: number; maxWaitMs: number }): Promise<{ busyPercent: number | null; waitedMs: number }> {
  const started = performance.now();
  for (;;) {
    const busy = await machineBusyPercent(1000);
    const waitedMs = performance.now() - started;
    if (busy === null || busy <= options.maxBusyPercent || waitedMs >= options.maxWaitMs) return { busyPercent: busy, waitedMs };
  }
}
