/**
 * Resident memory of another process, from /proc/<pid>/status (Linux): VmRSS now, VmHWM (its peak), and a sampler
 * that keeps every reading so a peak between two reads of VmHWM is never missed.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface MemoryReading {
  /** Milliseconds since the sampler started. */
  atMs: number;
  rssBytes: number;
  /** Anonymous memory (heap, buffers); the rest of RSS is mapped files and shared memory. */
  rssAnonBytes: number;
}

function field(status: string, name: string): number | null {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
  return match ? Number(match[1]) * 1024 : null;
}

export function readMemory(pid: number): { rssBytes: number; rssAnonBytes: number; hwmBytes: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = field(status, 'VmRSS');
    const hwm = field(status, 'VmHWM');
    if (rss === null || hwm === null) return null;
    return { rssBytes: rss, rssAnonBytes: field(status, 'RssAnon') ?? rss, hwmBytes: hwm };
  } catch {
    return null;
  }
}

/**
 * Resets the process's VmHWM to its current RSS (writing 5 to /proc/<pid>/clear_refs, Linux 4.0+; needs the same
 * user). Returns false when the kernel refused: then VmHWM is the peak since the process started.
 */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export interface MemorySampler {
  readonly samples: MemoryReading[];
  /** Stops sampling; the highest RSS seen by sampling or by the kernel's VmHWM, whichever is higher. */
  stop(): { peakRssBytes: number; peakSampledBytes: number; hwmBytes: number | null; samples: MemoryReading[] };
}

export function sampleMemory(pid: number, intervalMs = 50): MemorySampler {
  const started = performance.now();
  const samples: MemoryReading[] = [];
  const take = () => {
    const m = readMemory(pid);
    if (m) samples.push({ atMs: performance.now() - started, rssBytes: m.rssBytes, rssAnonBytes: m.rssAnonBytes });
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      take();
      const hwm = readMemory(pid)?.hwmBytes ?? null;
      const peakSampledBytes = samples.reduce((max, s) => Math.max(max, s.rssBytes), 0);
      return { peakRssBytes: Math.max(peakSampledBytes, hwm ?? 0), peakSampledBytes, hwmBytes: hwm, samples };
    },
  };
}

/** Median RSS over a short quiet period: the process's idle footprint. */
export async function idleRss(pid: number, periodMs = 1000, intervalMs = 50): Promise<number> {
  const values: number[] = [];
  const until = performance.now() + periodMs;
  while (performance.now() < until) {
    const m = readMemory(pid);
    if (m) values.push(m.rssBytes);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)] ?? 0;
}
