import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { filesErrors } from '../../../assets/files/files.errors.js';
import { createRenderPool, type RenderPool } from '../../../assets/render/render-pool.js';
import { AppError } from '../../../server/http/app-error.js';
import { encryptedPdf } from '../../helpers/pdf-fixtures.js';
import { makeTempDir } from '../../helpers/zip-builder.js';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let pngPath: string;
beforeAll(async () => {
  temp = await makeTempDir('render-pool-');
  pngPath = await temp.write('photo.png', await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 80, b: 40 } } }).png().toBuffer());
});
afterAll(async () => {
  await temp.cleanup();
});

const pools: RenderPool[] = [];
function pool(options: Parameters<typeof createRenderPool>[0]): RenderPool {
  const created = createRenderPool(options);
  pools.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((created) => created.close()));
});

const errorOf = (promise: Promise<unknown>) => promise.then(() => undefined, (err: unknown) => err);

/** Resolves with the order in which the promises settled (by index). */
function settleOrder(promises: Promise<unknown>[]): Promise<number[]> {
  const order: number[] = [];
  return Promise.allSettled(promises.map((promise, index) => promise.finally(() => order.push(index)))).then(() => order);
}

describe('render pool', () => {
  it('renders a PNG preview on a worker thread', async () => {
    const preview = await pool({ maxConcurrent: 1, timeoutMs: 20_000 }).preview({ path: pngPath, kind: 'png' }, { width: 32 });
    expect(Buffer.isBuffer(preview)).toBe(true);
    expect(await sharp(preview).metadata()).toMatchObject({ format: 'webp', width: 32, height: 24 });
  });

  it('reads a PDF text layer on a worker thread', async () => {
    const document = await PDFDocument.create();
    const font = await document.embedFont(StandardFonts.Helvetica);
    document.addPage([300, 200]).drawText('Cyber security for partners', { x: 20, y: 100, size: 14, font });
    document.addPage([300, 200]).drawText('Second page', { x: 20, y: 100, size: 14, font });
    const path = await temp.write('text.pdf', Buffer.from(await document.save()));
    const layer = await pool({ maxConcurrent: 1, timeoutMs: 20_000 }).pdfText(path);
    expect(layer).toMatchObject({ pageCount: 2, width: 300, height: 200 });
    expect(layer.text).toContain('Cyber security for partners');
    expect(layer.text).toContain('Second page');
  });

  it("passes the worker's typed errors on with their code, status and message", async () => {
    const renders = pool({ maxConcurrent: 1, timeoutMs: 20_000 });
    const locked = await temp.write('locked.pdf', encryptedPdf());
    const err = await errorOf(renders.preview({ path: locked, kind: 'pdf' }, { width: 100 }));
    const expected = filesErrors.pdfEncrypted();
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'assets.pdf_encrypted', status: expected.status, message: expected.message });
    expect(await errorOf(renders.cobrandPdf(new Uint8Array([1, 2, 3]), [{ kind: 'name', page: 1, box: { x: 0, y: 0, width: 50, height: 20 } }], { name: 'A', contact: {} })))
      .toMatchObject({ code: 'cobranding.pdf_corrupt', status: 422 });
    // programming errors keep their type too
    expect(await errorOf(renders.preview({ path: pngPath, kind: 'png' }, { width: 1 }))).toBeInstanceOf(RangeError);
  });

  it('stops a job over the time limit without blocking the main thread or the other jobs', async () => {
    // A limit far above a normal render on a loaded CI machine (a fresh worker loads sharp for its first job).
    const renders = pool({ maxConcurrent: 2, timeoutMs: 8_000, allowTestJobs: true });
    await renders.preview({ path: pngPath, kind: 'png' }, { width: 32 }); // one worker started and warm
    const ticks: number[] = [];
    const ticker = setInterval(() => ticks.push(Date.now()), 20);
    const started = Date.now();
    try {
      const stuck = errorOf(renders.busyLoop(10 * 60_000));
      const preview = await renders.preview({ path: pngPath, kind: 'png' }, { width: 32 });
      expect((await sharp(preview).metadata()).format).toBe('webp');
      expect(await stuck).toMatchObject({ code: 'assets.render_timeout', status: 422 });
    } finally {
      clearInterval(ticker);
    }
    const gaps = ticks.slice(1).map((tick, index) => tick - ticks[index]!);
    // The timer kept firing throughout: no gap anywhere near the 8 s the busy job ran (a blocked main thread
    // would show one that long; the margin is for a loaded machine).
    expect(ticks.length).toBeGreaterThan(10);
    expect(Math.max(...gaps, ticks[0]! - started)).toBeLessThan(4_000);
    // The stopped worker is replaced: the pool still renders.
    await expect(renders.preview({ path: pngPath, kind: 'png' }, { width: 32 })).resolves.toBeInstanceOf(Buffer);
  });

  it('runs at most maxConcurrent jobs; a further job waits for a free worker', async () => {
    const renders = pool({ maxConcurrent: 2, timeoutMs: 20_000, allowTestJobs: true });
    // Were the short job to run alongside the long ones, it would finish first.
    const order = await settleOrder([renders.busyLoop(800), renders.busyLoop(800), renders.busyLoop(10)]);
    expect(order.indexOf(2)).toBeGreaterThan(0);
  });

  it('refuses jobs beyond the queue bound with assets.render_busy', async () => {
    const renders = pool({ maxConcurrent: 1, maxQueue: 1, timeoutMs: 20_000, allowTestJobs: true });
    const running = renders.busyLoop(300);
    const queued = renders.busyLoop(10);
    expect(await errorOf(renders.busyLoop(10))).toMatchObject({ code: 'assets.render_busy', status: 503 });
    await expect(running).resolves.toBeUndefined();
    await expect(queued).resolves.toBeUndefined();
  });

  it('close() stops the workers: running and queued jobs reject, and so do later ones', async () => {
    const renders = createRenderPool({ maxConcurrent: 1, timeoutMs: 60_000, allowTestJobs: true });
    const running = errorOf(renders.busyLoop(60_000));
    const queued = errorOf(renders.preview({ path: pngPath, kind: 'png' }, { width: 32 }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await renders.close();
    expect(await running).toMatchObject({ code: 'assets.render_closed' });
    expect(await queued).toMatchObject({ code: 'assets.render_closed' });
    expect(await errorOf(renders.preview({ path: pngPath, kind: 'png' }, { width: 32 }))).toMatchObject({ code: 'assets.render_closed' });
  });

  it('refuses test jobs unless the pool allows them', async () => {
    await expect(pool({ maxConcurrent: 1, timeoutMs: 1_000 }).busyLoop(10)).rejects.toThrow(/allowTestJobs/);
  });
});
