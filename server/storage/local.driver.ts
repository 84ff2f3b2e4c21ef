import { randomUUID } from 'node:crypto';
import { createWriteStream, type Dirent } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertValidBatchPrefix, assertValidKey, assertValidPrefix, assertValidRange, resolveRange } from './storage-key.js';
import { storageErrors } from './storage.errors.js';
import type { Storage, StorageBatch, StoredObjectInfo } from './storage.js';

/** Uploads in progress; renamed into place only once complete. */
const TMP_DIR = '.tmp';
/** A tree parallel to the objects holding each object's content type as JSON. */
const META_DIR = '.meta';
const RESERVED_DIRS = new Set([TMP_DIR, META_DIR]);
/** Renaming onto a directory, or creating a directory where a file is. */
const PATH_CONFLICTS = new Set(['EISDIR', 'ENOTDIR', 'EEXIST']);

/**
 * Objects as plain files under root (key "a/b.txt" is root/a/b.txt). Writes go to root/.tmp and are
 * renamed into place, so readers see the old object or the new one, never a partial one. Batches (openBatch)
 * write straight into place: nobody reads their prefix until they are done.
 */
export function createLocalStorage(options: { root: string }): Storage {
  const root = path.resolve(options.root);
  const tmpDir = path.join(root, TMP_DIR);
  const objectPath = (key: string) => path.join(root, ...key.split('/'));
  const metaPath = (key: string) => path.join(root, META_DIR, ...key.split('/'));

  function assertLocalKey(key: string): void {
    assertValidKey(key);
    assertNotReserved(key);
  }

  function assertNotReserved(key: string): void {
    const first = key.split('/', 1)[0] ?? '';
    if (RESERVED_DIRS.has(first)) throw storageErrors.invalidKey(key, `"${first}" is reserved by local storage`);
  }

  async function tempFile(): Promise<string> {
    await mkdir(tmpDir, { recursive: true });
    return path.join(tmpDir, randomUUID());
  }

  async function readContentType(key: string): Promise<string | undefined> {
    try {
      const meta = JSON.parse(await readFile(metaPath(key), 'utf8')) as { contentType?: unknown };
      return typeof meta.contentType === 'string' ? meta.contentType : undefined;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  /**
   * Yields the files under dir whose keys start with prefix, in key order. Sorting a directory's
   * entries by name, with "/" appended to directory names, gives the byte order of the full keys
   * ("a-b" < "a/c" < "a0"), which is the order S3 lists in.
   */
  async function* walk(dir: string, dirKey: string, prefix: string): AsyncGenerator<StoredObjectInfo> {
    const sorted = (await entriesOf(dir))
      .filter((e) => (e.isFile() || e.isDirectory()) && !(dirKey === '' && RESERVED_DIRS.has(e.name)))
      .map((e) => ({ entry: e, order: Buffer.from(e.isDirectory() ? `${e.name}/` : e.name) }))
      .sort((a, b) => Buffer.compare(a.order, b.order));
    for (const { entry } of sorted) {
      const key = dirKey + entry.name;
      if (entry.isDirectory()) {
        const subKey = `${key}/`;
        if (subKey.startsWith(prefix) || prefix.startsWith(subKey)) yield* walk(path.join(dir, entry.name), subKey, prefix);
      } else if (key.startsWith(prefix)) {
        const info = await statFile(path.join(dir, entry.name));
        // contentType is left out as in S3 listings, which do not carry it; head() has it.
        if (info) yield { key, size: info.size, lastModified: info.mtime, contentType: undefined };
      }
    }
  }

  async function removeEmptyParents(keys: Iterable<string>): Promise<void> {
    const dirs = new Set<string>();
    for (const key of keys) {
      const segments = key.split('/');
      for (let n = segments.length - 1; n > 0; n--) dirs.add(segments.slice(0, n).join('/'));
    }
    const deepestFirst = [...dirs].sort((a, b) => b.split('/').length - a.split('/').length);
    for (const dir of deepestFirst) {
      await removeDirIfEmpty(objectPath(dir));
      await removeDirIfEmpty(metaPath(dir));
    }
  }

  async function openBatch(prefix: string): Promise<StorageBatch> {
    assertValidBatchPrefix(prefix);
    assertNotReserved(prefix);
    for await (const _object of walk(objectPath(prefix), prefix, prefix)) throw storageErrors.prefixNotEmpty(prefix);
    /** Each folder is created once, by the first file written into it; later files wait for that. */
    const folders = new Map<string, Promise<unknown>>();
    const folder = (dir: string) => {
      let made = folders.get(dir);
      if (made === undefined) {
        made = mkdir(dir, { recursive: true });
        folders.set(dir, made);
        made.catch(() => folders.delete(dir));
      }
      return made;
    };
    return {
      prefix,
      // No temp file, rename or .meta sidecar (contentType is not kept): the prefix is unread until the batch is done.
      // Each chunk is written before the next is asked for, as a ChunkedBody requires.
      async put(name, body) {
        const key = prefix + name;
        assertLocalKey(key);
        const file = objectPath(key);
        let handle: FileHandle;
        try {
          await folder(path.dirname(file));
          // "wx": never replaces a file, nor follows a link someone placed where the file goes.
          handle = await open(file, 'wx');
        } catch (err) {
          if (PATH_CONFLICTS.has((err as NodeJS.ErrnoException).code ?? '')) {
            throw storageErrors.invalidKey(key, 'it was already written in this batch, or clashes with a key of the batch used as a folder ("a" and "a/b")');
          }
          throw err;
        }
        let size = 0;
        try {
          for await (const chunk of Buffer.isBuffer(body) ? [body] : body) {
            size += await writeAll(handle, chunk as Uint8Array);
          }
        } catch (err) {
          await handle.close();
          await rm(file, { force: true });
          throw err;
        }
        await handle.close();
        return { size };
      },
    };
  }

  return {
    kind: 'local',

    openBatch,

    async put(key, body, options = {}) {
      assertLocalKey(key);
      const tmp = await tempFile();
      let metaTmp: string | undefined;
      try {
        let size: number;
        if (Buffer.isBuffer(body)) {
          await writeFile(tmp, body, { flag: 'wx' });
          size = body.length;
        } else {
          const out = createWriteStream(tmp, { flags: 'wx' });
          try {
            await pipeline(body, out);
          } finally {
            // The file may still be opening when the source fails; wait so the cleanup below finds it.
            if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
          }
          size = out.bytesWritten;
        }
        if (options.contentType !== undefined) {
          metaTmp = await tempFile();
          await writeFile(metaTmp, JSON.stringify({ contentType: options.contentType }), { flag: 'wx' });
        }
        // Object first: once it is in place its metadata path cannot clash with another key's.
        await moveIntoPlace(tmp, objectPath(key));
        if (metaTmp) await moveIntoPlace(metaTmp, metaPath(key));
        else await rm(metaPath(key), { force: true });
        return { size };
      } catch (err) {
        await rm(tmp, { force: true });
        if (metaTmp) await rm(metaTmp, { force: true });
        if (PATH_CONFLICTS.has((err as NodeJS.ErrnoException).code ?? '')) {
          throw storageErrors.invalidKey(key, 'local storage cannot hold a key that is also the directory of another key ("a" and "a/b")');
        }
        throw err;
      }
    },

    async get(key, options = {}) {
      assertLocalKey(key);
      if (options.range) assertValidRange(options.range);
      // Reading through one handle keeps serving the object we measured even if a put replaces it meanwhile.
      let handle: FileHandle;
      try {
        handle = await open(objectPath(key), 'r');
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
      try {
        const info = await handle.stat();
        if (!info.isFile()) {
          await handle.close();
          return null;
        }
        const { start, end } = resolveRange(options.range, info.size);
        const contentType = await readContentType(key);
        let body: Readable;
        if (end < start) {
          await handle.close();
          body = Readable.from([]);
        } else {
          body = handle.createReadStream({ start, end });
        }
        return { body, size: info.size, start, end, contentType, lastModified: info.mtime };
      } catch (err) {
        await handle.close();
        throw err;
      }
    },

    async head(key) {
      assertLocalKey(key);
      const info = await statFile(objectPath(key));
      if (!info) return null;
      return { key, size: info.size, lastModified: info.mtime, contentType: await readContentType(key) };
    },

    async deletePrefix(prefix) {
      assertValidPrefix(prefix);
      const deleted: string[] = [];
      for await (const { key } of walk(root, '', prefix)) {
        if (await unlinkIfExists(objectPath(key))) deleted.push(key);
        await rm(metaPath(key), { force: true });
      }
      // A folder prefix (a batch) may hold folders made for files that then failed: they go too, being under it.
      const folder = prefix.endsWith('/') && !RESERVED_DIRS.has(prefix.split('/', 1)[0]!);
      if (folder) await removeEmptyFolders(objectPath(prefix));
      await removeEmptyParents(folder ? [...deleted, prefix] : deleted);
      return deleted.length;
    },

    list(prefix) {
      assertValidPrefix(prefix);
      return walk(root, '', prefix);
    },

    async ping() {
      try {
        const probe = await tempFile();
        await writeFile(probe, '');
        await rm(probe, { force: true });
      } catch (err) {
        throw storageErrors.unavailable(`${root} is not writable (${err instanceof Error ? err.message : String(err)})`);
      }
    },

    async close() {},
  };
}

/** Writes all of bytes at the file's current position (a write may take fewer bytes than it was given). */
async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<number> {
  for (let written = 0; written < bytes.length; ) {
    written += (await handle.write(bytes, written, bytes.length - written)).bytesWritten;
  }
  return bytes.length;
}

/** Renames, creating the target's directory; retries if a concurrent deletePrefix removes it in between. */
async function moveIntoPlace(from: string, to: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await mkdir(path.dirname(to), { recursive: true });
    try {
      await rename(from, to);
      return;
    } catch (err) {
      if (attempt >= 3 || (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

async function statFile(file: string): Promise<{ size: number; mtime: Date } | null> {
  try {
    const info = await stat(file);
    return info.isFile() ? info : null;
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

async function unlinkIfExists(file: string): Promise<boolean> {
  try {
    await unlink(file);
    return true;
  } catch (err) {
    if (isMissing(err)) return false;
    throw err;
  }
}

/** Removes dir and the folders below it, deepest first, wherever no file is left. */
async function removeEmptyFolders(dir: string): Promise<void> {
  for (const entry of await entriesOf(dir)) if (entry.isDirectory()) await removeEmptyFolders(path.join(dir, entry.name));
  await removeDirIfEmpty(dir);
}

/** What dir holds; nothing when it does not exist. */
async function entriesOf(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
}

async function removeDirIfEmpty(dir: string): Promise<void> {
  try {
    await rmdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOENT') throw err;
  }
}

/** ENOTDIR: a path segment is a file, as when "a/b" is looked up while "a" is an object. */
function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
