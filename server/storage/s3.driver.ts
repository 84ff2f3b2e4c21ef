import { Readable } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  paginateListObjectsV2,
  S3Client,
  S3ServiceException,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { assertValidBatchPrefix, assertValidKey, assertValidPrefix, assertValidRange, resolveRange } from './storage-key.js';
import { storageErrors } from './storage.errors.js';
import type { ChunkedBody, Storage, StorageBatch, StoredObjectInfo } from './storage.js';

export interface S3StorageOptions {
  bucket: string;
  /** For S3-compatible services (MinIO, R2, ...); undefined means AWS itself. */
  endpoint: string | undefined;
  region: string;
  forcePathStyle: boolean;
  /** Prepended to every key, so several deployments can share a bucket. */
  prefix: string;
}

/** S3's minimum part size; an upload buffers at most (QUEUE_SIZE + 1) parts, about 15 MiB, and objects can reach ~48 GiB. */
const PART_SIZE = 5 * 1024 * 1024;
const QUEUE_SIZE = 2;
/** DeleteObjects accepts at most 1000 keys per request. */
const DELETE_BATCH = 1000;

/** Credentials come from the default AWS provider chain (AWS_ACCESS_KEY_ID, profiles, instance roles...). */
export function createS3Storage(options: S3StorageOptions): Storage {
  const { bucket } = options;
  const keyPrefix = options.prefix === '' || options.prefix.endsWith('/') ? options.prefix : `${options.prefix}/`;
  assertValidPrefix(keyPrefix);

  const client = new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
    // Since early 2025 the SDK adds CRC checksum headers to uploads and validates checksums on downloads by
    // default; several S3-compatible services reject those headers, so only AWS itself gets the new defaults.
    ...(options.endpoint ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
  });
  const fullKey = (key: string) => keyPrefix + key;

  async function* listObjects(prefix: string): AsyncGenerator<StoredObjectInfo> {
    for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: keyPrefix + prefix })) {
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        // ListObjectsV2 does not report content types; head() does.
        yield {
          key: object.Key.slice(keyPrefix.length),
          size: object.Size ?? 0,
          lastModified: object.LastModified ?? new Date(0),
          contentType: undefined,
        };
      }
    }
  }

  async function head(key: string): Promise<StoredObjectInfo | null> {
    assertValidKey(key);
    try {
      const response = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: fullKey(key) }));
      return { key, size: response.ContentLength ?? 0, lastModified: response.LastModified ?? new Date(0), contentType: response.ContentType };
    } catch (err) {
      if (isNoSuchKey(err)) return null;
      throw err;
    }
  }

  async function deleteBatch(keys: string[]): Promise<void> {
    const result = await client.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((key) => ({ Key: fullKey(key) })), Quiet: true } }),
    );
    const failed = result.Errors ?? [];
    if (failed.length) {
      const first = failed[0];
      throw new Error(`S3 could not delete ${failed.length} object(s); first: ${first?.Key}: ${first?.Code} ${first?.Message}`);
    }
  }

  async function put(key: string, body: Readable | Buffer | ChunkedBody, options: { contentType?: string } = {}): Promise<{ size: number }> {
    assertValidKey(key);
    if (Buffer.isBuffer(body)) {
      await upload(client, { Bucket: bucket, Key: fullKey(key), Body: body, ContentType: options.contentType });
      return { size: body.length };
    }
    // lib-storage keeps chunks until it has a whole part, and a ChunkedBody reuses a chunk's memory for the next.
    const copy = !(body instanceof Readable);
    let size = 0;
    let sourceError: unknown;
    async function* counted(source: AsyncIterable<unknown>): AsyncGenerator<Buffer> {
      try {
        for await (const chunk of source) {
          const bytes = copy ? Buffer.from(chunk as Uint8Array) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
          size += bytes.length;
          yield bytes;
        }
      } catch (err) {
        sourceError = err;
        throw err;
      }
    }
    try {
      await upload(client, { Bucket: bucket, Key: fullKey(key), Body: Readable.from(counted(body)), ContentType: options.contentType });
    } catch (err) {
      if (body instanceof Readable) body.destroy();
      // After a source failure the SDK aborts the multipart upload; report why we stopped, not how the abort went.
      throw sourceError ?? err;
    }
    return { size };
  }

  async function openBatch(prefix: string): Promise<StorageBatch> {
    assertValidBatchPrefix(prefix);
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: keyPrefix + prefix, MaxKeys: 1 }));
    if ((listed.Contents ?? []).length > 0) throw storageErrors.prefixNotEmpty(prefix);
    // Each put is already atomic and writes no more than needed; a batch is puts under the prefix.
    return { prefix, put: (name, body, options) => put(prefix + name, body, options) };
  }

  return {
    kind: 's3',

    put,

    openBatch,

    async get(key, options = {}) {
      assertValidKey(key);
      const { range } = options;
      if (range) assertValidRange(range);
      let response: GetObjectCommandOutput;
      try {
        response = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: fullKey(key), Range: range ? `bytes=${range.start}-${range.end ?? ''}` : undefined }),
        );
      } catch (err) {
        if (isNoSuchKey(err)) return null;
        if (isInvalidRange(err)) throw storageErrors.rangeNotSatisfiable(reportedSize(err) ?? (await head(key))?.size ?? 0);
        throw err;
      }
      if (!(response.Body instanceof Readable)) throw new Error(`S3 GetObject returned no readable body for "${key}"`);
      const raw = response.Body;
      try {
        const served = servedRange(response);
        const wanted = resolveRange(range, served.size);
        return {
          body: sliceTo(raw, served, wanted),
          size: served.size,
          start: wanted.start,
          end: wanted.end,
          contentType: response.ContentType,
          lastModified: response.LastModified ?? new Date(0),
        };
      } catch (err) {
        raw.destroy();
        throw err;
      }
    },

    head,

    async deletePrefix(prefix) {
      assertValidPrefix(prefix);
      let count = 0;
      let batch: string[] = [];
      // Deleting listed keys does not disturb pagination: the continuation token marks a position in key order.
      for await (const { key } of listObjects(prefix)) {
        batch.push(key);
        if (batch.length === DELETE_BATCH) {
          await deleteBatch(batch);
          count += batch.length;
          batch = [];
        }
      }
      if (batch.length) {
        await deleteBatch(batch);
        count += batch.length;
      }
      return count;
    },

    list(prefix) {
      assertValidPrefix(prefix);
      return listObjects(prefix);
    },

    async ping() {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
      } catch (err) {
        throw storageErrors.unavailable(`bucket "${bucket}": ${err instanceof Error ? err.name + ' ' + err.message : String(err)}`);
      }
    },

    async close() {
      client.destroy();
    },
  };
}

/** Streams of unknown length are sent as a multipart upload once they exceed one part, otherwise as one PutObject. */
async function upload(client: S3Client, params: { Bucket: string; Key: string; Body: Buffer | Readable; ContentType: string | undefined }): Promise<void> {
  await new Upload({ client, params, partSize: PART_SIZE, queueSize: QUEUE_SIZE, leavePartsOnError: false }).done();
}

/** What the response actually holds: from Content-Range for a 206, the whole object for a 200. */
function servedRange(response: GetObjectCommandOutput): { start: number; end: number; size: number } {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(response.ContentRange ?? '');
  if (match) return { start: Number(match[1]), end: Number(match[2]), size: Number(match[3]) };
  const size = response.ContentLength ?? 0;
  return { start: 0, end: size - 1, size };
}

/**
 * HTTP lets a server ignore Range and send everything, and some S3-compatible servers send more
 * than asked (s3rver reads "bytes=0-0" as "bytes=0-"); cut such a body down to the wanted bytes.
 */
function sliceTo(body: Readable, served: { start: number; end: number }, wanted: { start: number; end: number }): Readable {
  if (served.start === wanted.start && served.end === wanted.end) return body;
  if (served.start > wanted.start || served.end < wanted.end) {
    throw new Error(`S3 sent bytes ${served.start}-${served.end}, which do not cover the requested ${wanted.start}-${wanted.end}`);
  }
  return Readable.from(slice(body, wanted.start - served.start, wanted.end - wanted.start + 1), { objectMode: false });
}

async function* slice(body: Readable, skip: number, length: number): AsyncGenerator<Buffer> {
  let toSkip = skip;
  let remaining = length;
  for await (const chunk of body) {
    let bytes = chunk as Buffer;
    if (toSkip > 0) {
      const dropped = Math.min(toSkip, bytes.length);
      bytes = bytes.subarray(dropped);
      toSkip -= dropped;
    }
    if (bytes.length > remaining) bytes = bytes.subarray(0, remaining);
    if (bytes.length) {
      remaining -= bytes.length;
      yield bytes;
    }
    // Leaving the loop destroys the response stream, so the rest is not downloaded.
    if (remaining === 0) return;
  }
}

/** S3 names the object's size in the InvalidRange error body, which the SDK copies onto the exception. */
function reportedSize(err: unknown): number | undefined {
  const size = Number((err as { ActualObjectSize?: unknown }).ActualObjectSize);
  return Number.isSafeInteger(size) ? size : undefined;
}

function isNoSuchKey(err: unknown): boolean {
  // HeadObject responses carry no body, so a missing key surfaces as a bare 404 "NotFound" there.
  return err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.name === 'NotFound');
}

function isInvalidRange(err: unknown): boolean {
  return err instanceof S3ServiceException && (err.name === 'InvalidRange' || err.$metadata.httpStatusCode === 416);
}

