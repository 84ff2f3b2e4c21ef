import { createCipheriv, createHash, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppError } from '../../server/http/app-error.js';
import type { Storage, StoredObjectInfo } from '../../server/storage/storage.js';

export interface StorageUnderTest {
  storage: Storage;
  cleanup: () => Promise<void>;
}

const MiB = 1024 * 1024;

/**
 * The behaviour every Storage driver must share. Each driver's integration test calls this with a
 * factory for a fresh, empty store; tests use disjoint key prefixes so they can share it.
 */
export function describeStorageContract(name: string, makeStorage: () => Promise<StorageUnderTest>): void {
  describe(`Storage contract: ${name}`, () => {
    let storage!: Storage;
    let cleanup: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      ({ storage, cleanup } = await makeStorage());
    });

    afterAll(async () => {
      await storage?.close();
      await cleanup?.();
    });

    describe('put and get', () => {
      it('round-trips a Buffer byte for byte, with its content type', async () => {
        const bytes = binarySample();

        await expect(storage.put('roundtrip/buffer.bin', bytes, { contentType: 'image/png' })).resolves.toEqual({ size: bytes.length });

        const got = await storage.get('roundtrip/buffer.bin');
        expect(got).not.toBeNull();
        expect(await readAll(got!.body)).toEqual(bytes);
        expect(got).toMatchObject({ size: bytes.length, start: 0, end: bytes.length - 1, contentType: 'image/png' });
        expectDate(got!.lastModified);
      });

      it('round-trips a stream delivered in uneven chunks', async () => {
        const bytes = binarySample();

        await expect(storage.put('roundtrip/stream.bin', inChunks(bytes, 7))).resolves.toEqual({ size: bytes.length });

        const got = await storage.get('roundtrip/stream.bin');
        expect(await readAll(got!.body)).toEqual(bytes);
        expect(got!.size).toBe(bytes.length);
      });

      it('stores empty objects from a Buffer and from a stream', async () => {
        await expect(storage.put('empty/buffer', Buffer.alloc(0))).resolves.toEqual({ size: 0 });
        await expect(storage.put('empty/stream', Readable.from([]))).resolves.toEqual({ size: 0 });

        for (const key of ['empty/buffer', 'empty/stream']) {
          const got = await storage.get(key);
          expect(got).not.toBeNull();
          expect(got!.size).toBe(0);
          expect((await readAll(got!.body)).length).toBe(0);
          expect((await storage.head(key))?.size).toBe(0);
        }
      });

      it('overwrites an object with a shorter one and a new content type', async () => {
        await storage.put('overwrite/doc', Buffer.from('the first, longer version'), { contentType: 'text/plain' });
        await storage.put('overwrite/doc', Buffer.from('second'), { contentType: 'application/json' });

        const got = await storage.get('overwrite/doc');
        expect((await readAll(got!.body)).toString()).toBe('second');
        expect(got).toMatchObject({ size: 6, contentType: 'application/json' });
        expect(await storage.head('overwrite/doc')).toMatchObject({ size: 6, contentType: 'application/json' });
      });

      it('returns null for a missing object, with or without a range', async () => {
        expect(await storage.get('missing/object')).toBeNull();
        expect(await storage.get('missing/object', { range: { start: 0, end: 9 } })).toBeNull();
      });
    });

    describe('head', () => {
      it('reports size, last modification and content type', async () => {
        const before = Date.now();
        await storage.put('head/file.txt', Buffer.from('hello, world'), { contentType: 'text/plain' });

        const info = await storage.head('head/file.txt');

        expect(info).toMatchObject({ key: 'head/file.txt', size: 12, contentType: 'text/plain' });
        // S3 keeps whole seconds, so allow the timestamp to fall just before the put started.
        expect(info!.lastModified.getTime()).toBeGreaterThanOrEqual(before - 2000);
        expect(info!.lastModified.getTime()).toBeLessThanOrEqual(Date.now() + 2000);
      });

      it('returns null for a missing object', async () => {
        expect(await storage.head('head/missing.txt')).toBeNull();
      });
    });

    describe('ranges', () => {
      const alphabet = Buffer.from('abcdefghijklmnopqrstuvwxyz');

      beforeAll(async () => {
        await storage.put('ranges/alphabet', alphabet, { contentType: 'text/plain' });
        await storage.put('ranges/empty', Buffer.alloc(0));
      });

      it.each([
        ['start-end in the middle', { start: 2, end: 5 }, 'cdef', 2, 5],
        ['start only', { start: 20 }, 'uvwxyz', 20, 25],
        ['the first byte', { start: 0, end: 0 }, 'a', 0, 0],
        ['the last byte', { start: 25, end: 25 }, 'z', 25, 25],
        ['an end past the object, clamped', { start: 24, end: 1000 }, 'yz', 24, 25],
      ])('serves %s', async (_, range, expected, start, end) => {
        const got = await storage.get('ranges/alphabet', { range });

        expect(got).not.toBeNull();
        expect((await readAll(got!.body)).toString()).toBe(expected);
        expect(got).toMatchObject({ start, end, size: 26, contentType: 'text/plain' });
      });

      it.each([
        ['starting at the size', 'ranges/alphabet', { start: 26 }, 26],
        ['starting well past the end', 'ranges/alphabet', { start: 1000, end: 2000 }, 26],
        ['of an empty object', 'ranges/empty', { start: 0 }, 0],
      ])('rejects a range %s as not satisfiable', async (_, key, range, size) => {
        const err = await errorOf(() => storage.get(key, { range }));

        expect(err).toBeInstanceOf(AppError);
        expect(err).toMatchObject({ code: 'storage.range_not_satisfiable', status: 416, details: { size } });
      });
    });

    it('streams a 48 MiB object in and out unchanged, and serves a range from its middle', async () => {
      const size = 48 * MiB;
      const written = createHash('sha256');

      await expect(storage.put('large/object.bin', patternStream(size, written), { contentType: 'application/octet-stream' })).resolves.toEqual({ size });
      expect((await storage.head('large/object.bin'))?.size).toBe(size);

      const got = await storage.get('large/object.bin');
      const read = createHash('sha256');
      let bytesRead = 0;
      for await (const chunk of got!.body) {
        read.update(chunk as Buffer);
        bytesRead += (chunk as Buffer).length;
      }
      expect(bytesRead).toBe(size);
      expect(read.digest('hex')).toBe(written.digest('hex'));

      // Crosses the 25 MiB boundary, which is also a multipart part boundary in S3.
      const range = { start: 25 * MiB - 100_000, end: 25 * MiB + 200_000 };
      const middle = await storage.get('large/object.bin', { range });
      expect(middle).toMatchObject({ ...range, size });
      expect((await readAll(middle!.body)).equals(patternBytes(range.start, range.end))).toBe(true);
    }, 180_000);

    describe('list', () => {
      beforeAll(async () => {
        // Stored out of order, with sizes that tell the keys apart.
        for (const [key, size] of [['list/b/2', 4], ['list/c', 6], ['list/a', 1], ['list/b/10', 3], ['list/ba', 5], ['list/b/1', 2], ['listing/other', 7]] as const) {
          await storage.put(key, Buffer.alloc(size, 1));
        }
      });

      it('lists the objects under a prefix in key order, with sizes', async () => {
        const listed = await collect(storage.list('list/'));

        expect(listed.map(({ key, size }) => [key, size])).toEqual([
          ['list/a', 1],
          ['list/b/1', 2],
          ['list/b/10', 3],
          ['list/b/2', 4],
          ['list/ba', 5],
          ['list/c', 6],
        ]);
        for (const object of listed) expectDate(object.lastModified);
      });

      it('matches a prefix that ends inside a segment', async () => {
        expect((await collect(storage.list('list/b'))).map((o) => o.key)).toEqual(['list/b/1', 'list/b/10', 'list/b/2', 'list/ba']);
      });

      it('lists nothing for an unused prefix, and everything for ""', async () => {
        expect(await collect(storage.list('nothing-here/'))).toEqual([]);
        const everything = (await collect(storage.list(''))).map((o) => o.key);
        expect(everything).toEqual(expect.arrayContaining(['list/a', 'list/b/2', 'listing/other']));
      });
    });

    describe('deletePrefix', () => {
      it('deletes every object under the prefix, counts them, and leaves other prefixes alone', async () => {
        for (const key of ['del/a/1', 'del/a/2', 'del/a/b/3', 'del/ab', 'del/b/1']) await storage.put(key, Buffer.from(key));

        expect(await storage.deletePrefix('del/a/')).toBe(3);

        expect(await storage.head('del/a/1')).toBeNull();
        expect(await storage.head('del/a/b/3')).toBeNull();
        expect((await collect(storage.list('del/'))).map((o) => o.key)).toEqual(['del/ab', 'del/b/1']);
        expect(await storage.deletePrefix('del/a/')).toBe(0);

        // The emptied "directory" can be used again.
        await storage.put('del/a/again', Buffer.from('x'));
        expect((await storage.head('del/a/again'))?.size).toBe(1);
      });

      it('deletes more objects than fit in one S3 listing page or DeleteObjects batch', async () => {
        const keys = Array.from({ length: 1005 }, (_, i) => `many/${String(i).padStart(4, '0')}`);
        await inParallel(keys, 16, (key) => storage.put(key, Buffer.from(key)));
        expect((await collect(storage.list('many/'))).length).toBe(keys.length);

        expect(await storage.deletePrefix('many/')).toBe(keys.length);

        expect(await collect(storage.list('many/'))).toEqual([]);
      }, 120_000);
    });

    describe('openBatch', () => {
      it('writes streams, Buffers and chunked bodies under its prefix, readable as ordinary objects', async () => {
        const bytes = binarySample();
        const batch = await storage.openBatch('batch/one/');

        expect(batch.prefix).toBe('batch/one/');
        await expect(batch.put('index.html', Buffer.from('<p>hi</p>'), { contentType: 'text/html' })).resolves.toEqual({ size: 9 });
        await expect(batch.put('media/stream.bin', inChunks(bytes, 7))).resolves.toEqual({ size: bytes.length });
        await expect(batch.put('media/chunked.bin', oneBufferReused(['first ', 'second ', 'third']))).resolves.toEqual({ size: 18 });
        await expect(batch.put('empty', Readable.from([]))).resolves.toEqual({ size: 0 });

        expect((await collect(storage.list('batch/one/'))).map(({ key, size }) => [key, size])).toEqual([
          ['batch/one/empty', 0],
          ['batch/one/index.html', 9],
          ['batch/one/media/chunked.bin', 18],
          ['batch/one/media/stream.bin', bytes.length],
        ]);
        expect(await readAll((await storage.get('batch/one/media/stream.bin'))!.body)).toEqual(bytes);
        // Every chunk came in the same buffer, refilled: what was stored is each chunk as it was when handed over.
        expect((await readAll((await storage.get('batch/one/media/chunked.bin'))!.body)).toString()).toBe('first second third');
        // The local driver keeps no content type for batch objects (whoever serves them derives it from the key).
        expect((await storage.head('batch/one/index.html'))?.contentType).toBe(storage.kind === 'local' ? undefined : 'text/html');
      });

      it('keeps each chunk of a large chunked body, across S3 part boundaries', async () => {
        const size = 6 * MiB + 12_345;
        const batch = await storage.openBatch('batch/large/');

        await expect(batch.put('clip.bin', patternInOneBuffer(size))).resolves.toEqual({ size });

        const stored = await readAll((await storage.get('batch/large/clip.bin'))!.body);
        expect(stored.equals(patternBytes(0, size - 1))).toBe(true);
      }, 60_000);

      it('refuses a prefix that already holds objects, and prefixes that are not folders', async () => {
        await storage.put('batch/taken/file', Buffer.from('x'));

        await expect(storage.openBatch('batch/taken/')).rejects.toMatchObject({ code: 'storage.prefix_not_empty', status: 409 });
        for (const prefix of ['', 'batch/no-slash', '../batch/', 'batch//', '/batch/']) {
          await expect(storage.openBatch(prefix)).rejects.toMatchObject({ code: 'storage.invalid_key' });
        }
      });

      it('rejects names that would not make a valid key', async () => {
        const batch = await storage.openBatch('batch/names/');
        for (const name of ['', '../x', '/abs', 'a//b', 'a\\b', 'a/./b']) {
          await expect(batch.put(name, Buffer.from('x'))).rejects.toMatchObject({ code: 'storage.invalid_key' });
        }
        expect(await collect(storage.list('batch/names/'))).toEqual([]);
      });

      it('rejects with the source error when a body fails, leaving no object, and deletePrefix clears the batch', async () => {
        const batch = await storage.openBatch('batch/failing/');
        const failure = new Error('source stream broke');
        await batch.put('kept.txt', Buffer.from('kept'));

        await expect(batch.put('broken.bin', failingStream(100 * 1024, failure))).rejects.toBe(failure);

        expect(await storage.head('batch/failing/broken.bin')).toBeNull();
        expect(await storage.deletePrefix('batch/failing/')).toBe(1);
        expect(await collect(storage.list('batch/failing/'))).toEqual([]);
        // Emptied, the prefix can take a new batch.
        await expect(storage.openBatch('batch/failing/')).resolves.toBeDefined();
      });
    });

    describe('key validation', () => {
      const badKeys = ['../x', '/abs', 'a\\b', 'a//b', 'C:/x', 'a/../b', 'a/./b', 'a/', '', 'a\0b'];

      it.each(badKeys.map((key) => [JSON.stringify(key), key]))('rejects the key %s in put, get and head', async (_, key) => {
        for (const attempt of [() => storage.put(key, Buffer.from('x')), () => storage.get(key), () => storage.head(key)]) {
          const err = await errorOf(attempt);
          expect(err).toBeInstanceOf(AppError);
          expect(err).toMatchObject({ code: 'storage.invalid_key', status: 400 });
        }
      });

      it.each(['../', '/abs/', 'a\\b/', 'a//', 'C:'].map((prefix) => [JSON.stringify(prefix), prefix]))(
        'rejects the prefix %s in list and deletePrefix',
        async (_, prefix) => {
          for (const attempt of [() => collect(storage.list(prefix)), () => storage.deletePrefix(prefix)]) {
            expect(await errorOf(attempt)).toMatchObject({ code: 'storage.invalid_key' });
          }
        },
      );
    });

    describe('a put whose source stream fails', () => {
      // 6 MiB is past the first part, so S3 has started (and must abort) a multipart upload.
      it.each([
        ['after 100 KiB', 100 * 1024],
        ['after 6 MiB', 6 * MiB],
      ])('%s rejects with the source error and leaves no object', async (_, bytesBeforeFailure) => {
        const key = `failing/new-${bytesBeforeFailure}`;
        const failure = new Error('source stream broke');

        await expect(storage.put(key, failingStream(bytesBeforeFailure, failure))).rejects.toBe(failure);

        expect(await storage.head(key)).toBeNull();
        expect(await storage.get(key)).toBeNull();
        expect((await collect(storage.list('failing/'))).map((o) => o.key)).not.toContain(key);
      }, 60_000);

      it('leaves the previous version of the object in place', async () => {
        await storage.put('failing/existing', Buffer.from('previous version'), { contentType: 'text/plain' });

        await expect(storage.put('failing/existing', failingStream(64 * 1024, new Error('broke')))).rejects.toThrow('broke');

        const got = await storage.get('failing/existing');
        expect((await readAll(got!.body)).toString()).toBe('previous version');
        expect(got!.contentType).toBe('text/plain');
      });
    });

    it('answers ping', async () => {
      await expect(storage.ping()).resolves.toBeUndefined();
    });
  });
}

/** Dates from Node's own modules fail toBeInstanceOf(Date) in Jest's separate realm, so check the tag. */
function expectDate(value: unknown): void {
  expect(Object.prototype.toString.call(value)).toBe('[object Date]');
  expect(Number.isNaN((value as Date).getTime())).toBe(false);
}

/** Every byte value, runs of zero bytes, and line endings that text handling would mangle. */
function binarySample(): Buffer {
  const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  return Buffer.concat([Buffer.alloc(16), everyByte, Buffer.from('\r\n\n\r'), Buffer.alloc(1000), everyByte.reverse(), Buffer.from([0])]);
}

function inChunks(bytes: Buffer, chunkSize: number): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  return Readable.from(chunks);
}

const PATTERN_CHUNK = 64 * 1024;
const PATTERN_KEY = Buffer.from('storage-contract');
const ZEROS = Buffer.alloc(PATTERN_CHUNK);

/** Chunk i of a reproducible pseudo-random byte sequence (AES-CTR keystream), so any part can be regenerated. */
function patternChunk(index: number): Buffer {
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(index, 0);
  return createCipheriv('aes-128-ctr', PATTERN_KEY, iv).update(ZEROS);
}

/** The first size bytes of the pattern, generated one chunk at a time as they are read; hashes what it emits. */
function patternStream(size: number, hash: Hash): Readable {
  let index = 0;
  return new Readable({
    read() {
      const offset = index * PATTERN_CHUNK;
      if (offset >= size) {
        this.push(null);
        return;
      }
      const chunk = patternChunk(index++).subarray(0, size - offset);
      hash.update(chunk);
      this.push(chunk);
    },
  });
}

function patternBytes(start: number, end: number): Buffer {
  const first = Math.floor(start / PATTERN_CHUNK);
  const last = Math.floor(end / PATTERN_CHUNK);
  const chunks = Array.from({ length: last - first + 1 }, (_, i) => patternChunk(first + i));
  return Buffer.concat(chunks).subarray(start - first * PATTERN_CHUNK, end - first * PATTERN_CHUNK + 1);
}

/** A chunked body that hands over the same buffer each time, refilled with the next text. */
async function* oneBufferReused(texts: string[]): AsyncGenerator<Buffer> {
  const buffer = Buffer.alloc(Math.max(...texts.map((text) => text.length)));
  for (const text of texts) {
    const length = buffer.write(text);
    yield buffer.subarray(0, length);
    buffer.fill(0);
  }
}

/** The first size bytes of the pattern as a chunked body, every chunk in one reused buffer. */
async function* patternInOneBuffer(size: number): AsyncGenerator<Buffer> {
  const buffer = Buffer.alloc(PATTERN_CHUNK);
  for (let index = 0; index * PATTERN_CHUNK < size; index++) {
    const chunk = patternChunk(index).subarray(0, size - index * PATTERN_CHUNK);
    chunk.copy(buffer);
    yield buffer.subarray(0, chunk.length);
    buffer.fill(0);
  }
}

function failingStream(bytesBeforeFailure: number, failure: Error): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytesBeforeFailure) {
        this.destroy(failure);
        return;
      }
      const n = Math.min(PATTERN_CHUNK, bytesBeforeFailure - sent);
      sent += n;
      this.push(Buffer.alloc(n, 0xab));
    },
  });
}

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function collect(objects: AsyncIterable<StoredObjectInfo>): Promise<StoredObjectInfo[]> {
  const all: StoredObjectInfo[] = [];
  for await (const object of objects) all.push(object);
  return all;
}

/** The error fn throws or rejects with (drivers may validate before or after going async), or undefined. */
async function errorOf(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
    return undefined;
  } catch (err) {
    return err;
  }
}

async function inParallel<T>(items: T[], concurrency: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
