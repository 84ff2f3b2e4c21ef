import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLocalStorage } from '../../server/storage/local.driver.js';
import type { Storage } from '../../server/storage/storage.js';
import { describeStorageContract } from '../contract/storage.contract.js';

describeStorageContract('local', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'storage-local-'));
  return { storage: createLocalStorage({ root }), cleanup: () => rm(root, { recursive: true, force: true }) };
});

describe('local storage on disk', () => {
  let root: string;
  let storage: Storage;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'storage-local-'));
    storage = createLocalStorage({ root });
  });

  afterAll(async () => {
    await storage.close();
    await rm(root, { recursive: true, force: true });
  });

  it('leaves nothing in .tmp, and no object file, when the source stream fails', async () => {
    for (const bytesBeforeFailure of [0, 10, 300 * 1024]) {
      let pushed = false;
      const source = new Readable({
        read() {
          if (pushed || bytesBeforeFailure === 0) this.destroy(new Error('broke'));
          else this.push(Buffer.alloc(bytesBeforeFailure, 1));
          pushed = true;
        },
      });
      await expect(storage.put(`failing/${bytesBeforeFailure}`, source)).rejects.toThrow('broke');
    }

    expect(await readdir(path.join(root, '.tmp'))).toEqual([]);
    expect(await readdir(root)).not.toContain('failing');
  });

  it('keeps objects as plain files under root and .tmp/.meta out of listings', async () => {
    await storage.put('plain/page.html', Buffer.from('<p>hi</p>'), { contentType: 'text/html' });

    expect((await stat(path.join(root, 'plain', 'page.html'))).size).toBe(9);
    expect((await stat(path.join(root, '.meta', 'plain', 'page.html'))).isFile()).toBe(true);
    expect(await collectKeys(storage, '')).toEqual(['plain/page.html']);
  });

  it('rejects keys inside its internal directories', async () => {
    for (const key of ['.tmp/x', '.meta/plain/page.html']) {
      await expect(storage.put(key, Buffer.from('x'))).rejects.toMatchObject({ code: 'storage.invalid_key' });
      await expect(storage.head(key)).rejects.toMatchObject({ code: 'storage.invalid_key' });
    }
  });

  // Kept out of the shared contract because s3rver lists in the order of its on-disk file names,
  // not in key (byte) order as S3 does, for keys like these.
  it('lists in key byte order where a file name sorts against a directory name', async () => {
    for (const key of ['order/a/b', 'order/a0', 'order/a-b', 'order/a!', 'order/a.b']) await storage.put(key, Buffer.from(key));

    expect(await collectKeys(storage, 'order/')).toEqual(['order/a!', 'order/a-b', 'order/a.b', 'order/a/b', 'order/a0']);
  });

  // S3 can hold both "a" and "a/b"; a filesystem cannot hold a file and a directory under one name.
  it('rejects a key that is also the directory of another key, and the reverse', async () => {
    await storage.put('nested/dir/file', Buffer.from('inner'), { contentType: 'text/plain' });
    await storage.put('nested/file', Buffer.from('outer'));

    await expect(storage.put('nested/dir', Buffer.from('x'))).rejects.toMatchObject({ code: 'storage.invalid_key' });
    await expect(storage.put('nested/file/below', Buffer.from('x'), { contentType: 'text/plain' })).rejects.toMatchObject({ code: 'storage.invalid_key' });

    expect(await collectKeys(storage, 'nested/')).toEqual(['nested/dir/file', 'nested/file']);
    expect(await storage.head('nested/dir/file')).toMatchObject({ size: 5, contentType: 'text/plain' });
    expect(await readdir(path.join(root, '.tmp'))).toEqual([]);
    // Nothing was left in the metadata tree that would block a later put of "nested/file" with a content type.
    await storage.put('nested/file', Buffer.from('outer 2'), { contentType: 'text/plain' });
    expect(await storage.head('nested/file')).toMatchObject({ size: 7, contentType: 'text/plain' });
  });

  it('removes directories that deletePrefix empties, in the object and metadata trees', async () => {
    await storage.put('tree/x/y/z.txt', Buffer.from('z'), { contentType: 'text/plain' });
    await storage.put('tree/keep.txt', Buffer.from('k'));

    expect(await storage.deletePrefix('tree/x/')).toBe(1);

    expect(await readdir(path.join(root, 'tree'))).toEqual(['keep.txt']);
    expect(await readdir(path.join(root, '.meta'))).not.toContain('tree');
  });

  it('writes batch objects straight into place: no temp file, no metadata file', async () => {
    const batch = await storage.openBatch('batched/v1/');
    await batch.put('pages/page.html', Buffer.from('<p>page</p>'), { contentType: 'text/html' });
    await batch.put('pages/script.js', Readable.from([Buffer.from('let a = 1;')]));

    expect((await stat(path.join(root, 'batched', 'v1', 'pages', 'page.html'))).size).toBe(11);
    expect(await readdir(path.join(root, '.meta')).catch(() => [])).not.toContain('batched');
    expect(await readdir(path.join(root, '.tmp')).catch(() => [] as string[])).toEqual([]);
  });

  it('refuses a name written twice in one batch, and a name used as a folder by another, keeping the first', async () => {
    const batch = await storage.openBatch('batch-clash/');
    await batch.put('a', Buffer.from('first'));
    await batch.put('dir/file', Buffer.from('inner'));

    await expect(batch.put('a', Buffer.from('second'))).rejects.toMatchObject({ code: 'storage.invalid_key' });
    await expect(batch.put('dir', Buffer.from('x'))).rejects.toMatchObject({ code: 'storage.invalid_key' });
    await expect(batch.put('a/below', Buffer.from('x'))).rejects.toMatchObject({ code: 'storage.invalid_key' });

    expect((await readAll((await storage.get('batch-clash/a'))!.body)).toString()).toBe('first');
    expect(await collectKeys(storage, 'batch-clash/')).toEqual(['batch-clash/a', 'batch-clash/dir/file']);
  });

  it('removes a failed batch entirely with deletePrefix, folders included', async () => {
    const batch = await storage.openBatch('failed-import/course/version/');
    await batch.put('deep/er/file.txt', Buffer.from('x'));
    await expect(batch.put('deep/broken.bin', new Readable({ read() { this.destroy(new Error('broke')); } }))).rejects.toThrow('broke');
    // A folder made only for a file that then failed holds no object, but must go too.
    await expect(batch.put('lonely/folder/broken.bin', new Readable({ read() { this.destroy(new Error('broke')); } }))).rejects.toThrow('broke');

    expect(await storage.deletePrefix('failed-import/course/version/')).toBe(1);

    expect(await readdir(root)).not.toContain('failed-import');
  });

  it('refuses batches inside its internal directories', async () => {
    for (const prefix of ['.tmp/x/', '.meta/courses/']) await expect(storage.openBatch(prefix)).rejects.toMatchObject({ code: 'storage.invalid_key' });
  });

  it('fails ping with storage.unavailable when root cannot be written', async () => {
    const notADirectory = path.join(root, 'a-file');
    await writeFile(notADirectory, 'x');

    await expect(createLocalStorage({ root: notADirectory }).ping()).rejects.toMatchObject({ code: 'storage.unavailable', status: 503 });
  });
});

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function collectKeys(storage: Storage, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const { key } of storage.list(prefix)) keys.push(key);
  return keys;
}
