import { Worker } from 'node:worker_threads';
import type { PreviewInput, PreviewOptions } from '../files/preview.js';
import type { PdfTextLayer } from '../files/pdf-text.js';
import type { Branding, PlacementTemplateInput } from '../cobranding/placement.schema.js';
import { renderErrors } from './render.errors.js';
import { rebuildError, transferable, type JobMessage, type RenderJob, type WorkerData, type WorkerMessage } from './render.protocol.js';

export interface RenderPoolOptions {
  /** Worker threads, so also the most renders running at once. */
  maxConcurrent: number;
  /** Wall-clock limit per job, counted from when a worker starts on it (not while queued, not thread start-up). */
  timeoutMs: number;
  /** Jobs that may wait for a worker; one more is refused with assets.render_busy. Default 10 × maxConcurrent. */
  maxQueue?: number;
  /** Enables busyLoop(), a job that blocks its worker; for tests of the time limit only. */
  allowTestJobs?: boolean;
}

/** The render functions of assets/files and assets/cobranding, run on worker threads with the same arguments and results. */
export interface RenderPool {
  preview(input: PreviewInput, options: PreviewOptions): Promise<Buffer>;
  cobrandPdf(pdfBytes: Uint8Array, placements: PlacementTemplateInput, branding: Branding): Promise<Uint8Array>;
  cobrandImage(imageBytes: Uint8Array, placements: PlacementTemplateInput, branding: Branding): Promise<Uint8Array>;
  /** A PDF's text layer (for search), page count and page-1 size; pdf.js can stall on hostile files, so it runs here too. */
  pdfText(path: string): Promise<PdfTextLayer>;
  /** Test only (needs allowTestJobs): keeps a worker's thread blocked for `ms`, as a pathological PDF would. */
  busyLoop(ms: number): Promise<void>;
  /** Stops every worker; running and queued jobs reject with assets.render_closed, as do later calls. */
  close(): Promise<void>;
}

interface PendingJob {
  job: RenderJob;
  /** Names the job in the timeout message ("preview"). */
  label: string;
  transfer: ArrayBuffer[];
  resolve: (result: Uint8Array) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  running?: { id: number; pending: PendingJob; timer?: NodeJS.Timeout };
}

/**
 * The worker next to this module: render.worker.js in the compiled build; from TypeScript sources (tsx, Jest)
 * a .mjs bootstrap that registers tsx and then imports render.worker.ts.
 */
function workerEntry(allowTestJobs: boolean): { url: URL; workerData: WorkerData } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { url: new URL('./render.worker.js', here), workerData: { allowTestJobs } };
  return { url: new URL('./render.worker.dev.mjs', here), workerData: { allowTestJobs, sourceEntry: new URL('./render.worker.ts', here).href } };
}

function checkOptions({ maxConcurrent, timeoutMs, maxQueue }: RenderPoolOptions): void {
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) throw new RangeError(`maxConcurrent must be a positive integer, got ${maxConcurrent}`);
  if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive, got ${timeoutMs}`);
  if (maxQueue !== undefined && (!Number.isInteger(maxQueue) || maxQueue < 0)) throw new RangeError(`maxQueue must be a non-negative integer, got ${maxQueue}`);
}

/**
 * A pool of at most maxConcurrent worker threads, started when first needed and kept for later jobs. A job
 * over the time limit is stopped by terminating its thread (pdf.js can block a thread, so nothing less
 * stops it); the thread is replaced by the next job that needs one. Nothing runs until a caller builds a
 * pool, and the caller closes it at shutdown.
 */
export function createRenderPool(options: RenderPoolOptions): RenderPool {
  checkOptions(options);
  const { maxConcurrent, timeoutMs, allowTestJobs = false } = options;
  const maxQueue = options.maxQueue ?? maxConcurrent * 10;
  const entry = workerEntry(allowTestJobs);
  const slots = new Set<Slot>();
  const queue: PendingJob[] = [];
  let nextId = 1;
  let closed = false;

  /** (Re)starts the job's clock: on dispatch, and again when a new thread is ready, so start-up does not count. */
  function startClock(slot: Slot): void {
    const running = slot.running;
    if (!running) return;
    clearTimeout(running.timer);
    running.timer = setTimeout(() => retire(slot, renderErrors.timedOut(running.pending.label, timeoutMs / 1000)), timeoutMs);
  }

  /** Takes a worker out of the pool for good: its job (if any) rejects with `err`, its thread is terminated. */
  function retire(slot: Slot, err: Error): void {
    if (!slots.delete(slot)) return;
    const running = slot.running;
    slot.running = undefined;
    clearTimeout(running?.timer);
    running?.pending.reject(err);
    void slot.worker.terminate();
    dispatch();
  }

  function settle(slot: Slot, message: Extract<WorkerMessage, { id: number }>): void {
    const running = slot.running;
    if (!running || running.id !== message.id) return;
    clearTimeout(running.timer);
    slot.running = undefined;
    slot.worker.unref(); // an idle worker must not keep the process alive
    if (message.type === 'done') running.pending.resolve(message.result);
    else running.pending.reject(rebuildError(message.error));
    dispatch();
  }

  function spawn(): Slot {
    const slot: Slot = { worker: new Worker(entry.url, { workerData: entry.workerData }), ready: false };
    slot.worker.on('message', (message: WorkerMessage) => {
      if (message.type !== 'ready') return settle(slot, message);
      slot.ready = true;
      startClock(slot);
    });
    slot.worker.on('error', (err) => retire(slot, err));
    slot.worker.on('exit', (code) => retire(slot, new Error(`render worker stopped unexpectedly (exit code ${code})`)));
    slots.add(slot);
    return slot;
  }

  function dispatch(): void {
    while (!closed && queue.length > 0) {
      const slot = [...slots].find((candidate) => !candidate.running) ?? (slots.size < maxConcurrent ? spawn() : undefined);
      if (!slot) return;
      const pending = queue.shift()!;
      const id = nextId++;
      slot.running = { id, pending };
      slot.worker.ref();
      slot.worker.postMessage({ id, job: pending.job } satisfies JobMessage, pending.transfer);
      startClock(slot);
    }
  }

  function submit(job: RenderJob, label: string, transfer: ArrayBuffer[] = []): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      if (closed) return reject(renderErrors.closed());
      const pending: PendingJob = { job, label, transfer, resolve, reject };
      queue.push(pending);
      dispatch();
      // Whatever is still queued is waiting for a worker; the newest one past the bound is refused.
      if (queue.length > maxQueue && queue.at(-1) === pending) {
        queue.pop();
        reject(renderErrors.busy());
      }
    });
  }

  function cobrand(kind: 'cobrandPdf' | 'cobrandImage', label: string, input: Uint8Array, placements: PlacementTemplateInput, branding: Branding) {
    // The caller keeps its bytes (as with the in-process functions), so a copy is what moves to the worker.
    const { bytes, transfer } = transferable(new Uint8Array(input));
    return submit({ kind, bytes, placements, branding }, label, transfer);
  }

  return {
    async preview(input, previewOptions) {
      const result = await submit({ kind: 'preview', input, options: previewOptions }, 'preview');
      return Buffer.from(result.buffer, result.byteOffset, result.byteLength);
    },
    cobrandPdf: (pdfBytes, placements, branding) => cobrand('cobrandPdf', 'co-branded PDF', pdfBytes, placements, branding),
    cobrandImage: (imageBytes, placements, branding) => cobrand('cobrandImage', 'co-branded image', imageBytes, placements, branding),
    async pdfText(path) {
      const result = await submit({ kind: 'pdfText', path }, 'PDF text extraction');
      return JSON.parse(new TextDecoder().decode(result)) as PdfTextLayer;
    },
    async busyLoop(ms) {
      if (!allowTestJobs) throw new Error('busyLoop needs a render pool created with allowTestJobs: true');
      await submit({ kind: 'busyLoop', ms }, 'test job');
    },
    async close() {
      closed = true;
      for (const pending of queue.splice(0)) pending.reject(renderErrors.closed());
      const workers = [...slots].map((slot) => slot.worker);
      for (const slot of [...slots]) retire(slot, renderErrors.closed());
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
