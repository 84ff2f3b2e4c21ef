import { parentPort, workerData } from 'node:worker_threads';
import { renderPreview } from '../files/preview.js';
import { cobrandPdf } from '../cobranding/pdf-cobrand.js';
import { cobrandImage } from '../cobranding/image-cobrand.js';
import { extractPdfText } from '../files/pdf-text.js';
import { serialiseError, transferable, type JobMessage, type RenderJob, type WorkerData, type WorkerMessage } from './render.protocol.js';

/**
 * One render at a time, posted by render-pool.ts. The pool stops a job over its time limit by terminating
 * this thread, so nothing here needs to be cancellable.
 */
const port = parentPort;
if (!port) throw new Error('render.worker must run in a worker thread');
const { allowTestJobs } = workerData as WorkerData;

async function run(job: RenderJob): Promise<Uint8Array> {
  switch (job.kind) {
    case 'preview':
      return renderPreview(job.input, job.options);
    case 'cobrandPdf':
      return cobrandPdf(job.bytes, job.placements, job.branding);
    case 'cobrandImage':
      return cobrandImage(job.bytes, job.placements, job.branding);
    case 'pdfText':
      return new TextEncoder().encode(JSON.stringify(await extractPdfText(job.path)));
    case 'busyLoop': {
      if (!allowTestJobs) throw new Error('test jobs are not enabled in this render pool');
      const until = Date.now() + job.ms;
      while (Date.now() < until) {
        // busy on purpose: stands in for pdf.js parsing that never yields
      }
      return new Uint8Array(0);
    }
  }
}

const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', ({ id, job }: JobMessage) => {
  run(job).then(
    (result) => {
      const { bytes, transfer } = transferable(result);
      post({ type: 'done', id, result: bytes }, transfer);
    },
    (err: unknown) => post({ type: 'failed', id, error: serialiseError(err) }),
  );
});
post({ type: 'ready' });
