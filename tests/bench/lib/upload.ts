/**
 * A multipart/form-data POST whose file part is streamed from disk (the bench never holds a package in memory),
 * with the moments that matter for an import: request start, last body byte handed to the kernel, answer.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';

export interface UploadResult {
  status: number;
  body: string;
  /** Milliseconds from the start of the request. */
  bodySentMs: number | null;
  answeredMs: number;
  bytesSent: number;
}

export interface UploadOptions {
  url: string;
  headers?: Record<string, string>;
  /** Text fields, sent before the file (the app validates them before it writes the file). */
  fields: Record<string, string>;
  file: { field: string; path: string; filename?: string; contentType?: string };
  timeoutMs?: number;
}

export async function uploadMultipart(options: UploadOptions): Promise<UploadResult> {
  const boundary = `----pa-bench-${randomBytes(12).toString('hex')}`;
  const { size } = await stat(options.file.path);
  const filename = options.file.filename ?? path.basename(options.file.path);
  let head = '';
  for (const [name, value] of Object.entries(options.fields)) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  }
  head += `--${boundary}\r\nContent-Disposition: form-data; name="${options.file.field}"; filename="${filename}"\r\nContent-Type: ${options.file.contentType ?? 'application/octet-stream'}\r\n\r\n`;
  const preamble = Buffer.from(head);
  const epilogue = Buffer.from(`\r\n--${boundary}--\r\n`);
  const contentLength = preamble.length + size + epilogue.length;

  const url = new URL(options.url);
  const started = performance.now();
  return new Promise<UploadResult>((resolve, reject) => {
    let bodySentMs: number | null = null;
    let bytesSent = 0;
    let settled = false;
    const done = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const req = http.request(
      {
        hostname: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: 'POST',
        agent: false,
        headers: { ...options.headers, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(contentLength) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(() => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), bodySentMs, answeredMs: performance.now() - started, bytesSent })));
        res.on('error', (err) => done(() => reject(err)));
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`upload to ${options.url} got no answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs ?? 15 * 60_000);
    req.on('error', (err) => done(() => reject(err)));
    req.on('finish', () => {
      bodySentMs = performance.now() - started;
    });

    // Write by hand with back-pressure: preamble, the file in 1 MiB reads, epilogue. An early answer (a refusal
    // before the body is complete) stops the writing.
    req.write(preamble);
    bytesSent += preamble.length;
    const file = createReadStream(options.file.path, { highWaterMark: 1024 * 1024 });
    file.on('data', (chunk) => {
      bytesSent += chunk.length;
      if (!req.write(chunk)) {
        file.pause();
        req.once('drain', () => file.resume());
      }
    });
    file.on('end', () => {
      req.end(epilogue);
      bytesSent += epilogue.length;
    });
    file.on('error', (err) => {
      req.destroy(err);
    });
    req.on('close', () => file.destroy());
  });
}
