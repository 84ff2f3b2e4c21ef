import { AppError, isAppError } from '../../server/http/app-error.js';
import type { PreviewInput, PreviewOptions } from '../files/preview.js';
import type { Branding, PlacementTemplateInput } from '../cobranding/placement.schema.js';

/** Messages between render-pool.ts and render.worker.ts. Everything here survives structured cloning. */

export type RenderJob =
  | { kind: 'preview'; input: PreviewInput; options: PreviewOptions }
  | { kind: 'cobrandPdf' | 'cobrandImage'; bytes: Uint8Array; placements: PlacementTemplateInput; branding: Branding }
  /** The PDF's text layer, page count and first-page size, returned as UTF-8 JSON bytes (PdfTextLayer). */
  | { kind: 'pdfText'; path: string }
  /** Test only: keeps the worker's thread busy (no awaits) for `ms`; refused unless the pool allows test jobs. */
  | { kind: 'busyLoop'; ms: number };

export interface WorkerData {
  allowTestJobs: boolean;
  /** Set when running from TypeScript sources: the file URL of render.worker.ts for the .mjs bootstrap. */
  sourceEntry?: string;
}

export interface JobMessage {
  id: number;
  job: RenderJob;
}

export interface SerialisedError {
  name: string;
  message: string;
  stack?: string;
  appError?: { code: string; status: number; details?: Readonly<Record<string, unknown>> };
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'done'; id: number; result: Uint8Array }
  | { type: 'failed'; id: number; error: SerialisedError };

export function serialiseError(err: unknown): SerialisedError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const base = { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) };
  if (!isAppError(err)) return base;
  return { ...base, appError: { code: err.code, status: err.status, ...(err.details ? { details: err.details } : {}) } };
}

const STANDARD_ERRORS: Record<string, new (message: string) => Error> = { RangeError, TypeError, SyntaxError };

/** The worker's error as the caller would have got it in-process: AppErrors keep code, status, message and details. */
export function rebuildError(serialised: SerialisedError): Error {
  const { appError } = serialised;
  const err = appError
    ? new AppError(appError.code, appError.status, serialised.message, appError.details)
    : new (STANDARD_ERRORS[serialised.name] ?? Error)(serialised.message);
  if (serialised.stack) err.stack = serialised.stack;
  return err;
}

/**
 * Bytes that can be moved (not copied) to the other thread: the view must cover its whole ArrayBuffer,
 * which Node's pooled small Buffers do not, so those are copied once.
 */
export function transferable(bytes: Uint8Array): { bytes: Uint8Array; transfer: ArrayBuffer[] } {
  const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes : new Uint8Array(bytes);
  return { bytes: owned, transfer: [owned.buffer as ArrayBuffer] };
}
