/**
 * Builds zip files for tests, in memory.
 *
 * `yazlZip` uses the real zip writer (yazl) for every case it allows. `rawZip` is a small hand-written writer
 * for what yazl refuses or cannot express: names with "..", absolute paths or backslashes, headers that lie
 * about sizes or checksums, several directory records sharing one local header, unknown compression methods.
 * Format: PKWARE APPNOTE 4.3.7 (local file header), 4.3.12 (central directory header), 4.3.16 (end record).
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, deflateRawSync } from 'node:zlib';
import yazl from 'yazl';
import type { WriteEntry } from '../../courses/scorm/package-zip.js';

export interface RawZipEntry {
  /** A string is written as UTF-8 (and flagged so); a Buffer is written byte for byte. */
  name: string | Buffer;
  /** The real, uncompressed content. Default: empty. */
  data?: Buffer;
  /** 'deflated' compresses data with deflateRawSync. Default 'stored'. */
  method?: 'stored' | 'deflated';
  /** Write this compression method number instead (e.g. 14, LZMA), with the data stored as is. */
  methodNumber?: number;
  /** What the headers claim; default: the truth. */
  declaredUncompressedSize?: number;
  declaredCompressedSize?: number;
  declaredCrc32?: number;
  /** Unix mode in the high 16 bits of the external attributes, e.g. 0o120777 for a symbolic link. Default 0o100644. */
  unixMode?: number;
  /** General purpose flag bits to add, e.g. 0x1 (encrypted). */
  extraFlags?: number;
  /** Point this central-directory record at the local header (and data) of an earlier entry. */
  sameDataAsEntry?: number;
}

const UTF8_FLAG = 0x0800;
const VERSION_MADE_BY_UNIX = (3 << 8) | 20;
const DOS_TIME = 0; // 00:00:00
const DOS_DATE = (44 << 9) | (1 << 5) | 1; // 2024-01-01

/** Writes local headers and data, then the central directory and its end record, trusting nothing about the input. */
export function rawZip(entries: RawZipEntry[]): Buffer {
  const localParts: Buffer[] = [];
  const centralParts: Buffer[] = [];
  const localOffsets: number[] = [];
  let offset = 0;

  for (const entry of entries) {
    const name = typeof entry.name === 'string' ? Buffer.from(entry.name, 'utf8') : entry.name;
    const data = entry.data ?? Buffer.alloc(0);
    const method = entry.methodNumber ?? (entry.method === 'deflated' ? 8 : 0);
    const stored = entry.method === 'deflated' && entry.methodNumber === undefined ? deflateRawSync(data) : data;
    const flags = (typeof entry.name === 'string' ? UTF8_FLAG : 0) | (entry.extraFlags ?? 0);
    const crc = entry.declaredCrc32 ?? crc32(data);
    const compressedSize = entry.declaredCompressedSize ?? stored.length;
    const uncompressedSize = entry.declaredUncompressedSize ?? data.length;

    let localOffset: number;
    if (entry.sameDataAsEntry !== undefined) {
      localOffset = localOffsets[entry.sameDataAsEntry]!;
    } else {
      localOffset = offset;
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4); // version needed to extract
      local.writeUInt16LE(flags, 6);
      local.writeUInt16LE(method, 8);
      local.writeUInt16LE(DOS_TIME, 10);
      local.writeUInt16LE(DOS_DATE, 12);
      local.writeUInt32LE(crc >>> 0, 14);
      local.writeUInt32LE(compressedSize, 18);
      local.writeUInt32LE(uncompressedSize, 22);
      local.writeUInt16LE(name.length, 26);
      local.writeUInt16LE(0, 28); // extra field length
      localParts.push(local, name, stored);
      offset += local.length + name.length + stored.length;
    }
    localOffsets.push(localOffset);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(VERSION_MADE_BY_UNIX, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(compressedSize, 20);
    central.writeUInt32LE(uncompressedSize, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(0, 30); // extra field length
    central.writeUInt16LE(0, 32); // comment length
    central.writeUInt16LE(0, 34); // disk number start
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE(((entry.unixMode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(localOffset, 42);
    centralParts.push(central, name);
  }

  const centralDirectory = Buffer.concat(centralParts);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4); // this disk
  end.writeUInt16LE(0, 6); // disk with the central directory
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralDirectory.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20); // comment length
  return Buffer.concat([...localParts, centralDirectory, end]);
}

export interface YazlFile {
  name: string;
  data?: Buffer | string;
  /** Unix mode, e.g. 0o120777 for a symbolic link (yazl writes it into the external attributes). */
  mode?: number;
  /** Default true (deflate). */
  compress?: boolean;
}

/** A zip written by yazl, the real writer: names are validated by yazl, so only legal names go in. */
export async function yazlZip(files: Array<YazlFile | { folder: string }>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const mtime = new Date('2024-01-01T00:00:00Z');
  for (const file of files) {
    if ('folder' in file) {
      zip.addEmptyDirectory(file.folder, { mtime });
      continue;
    }
    const data = typeof file.data === 'string' ? Buffer.from(file.data, 'utf8') : (file.data ?? Buffer.alloc(0));
    zip.addBuffer(data, file.name, { mtime, compress: file.compress ?? true, ...(file.mode === undefined ? {} : { mode: file.mode }) });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A temporary folder for one test file's zips and extraction targets; `cleanup` removes it. */
export async function makeTempDir(prefix: string): Promise<{ dir: string; write: (name: string, bytes: Buffer) => Promise<string>; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  let counter = 0;
  return {
    dir,
    write: async (name, bytes) => {
      counter += 1;
      const file = path.join(dir, `${counter}-${name}`);
      await writeFile(file, bytes);
      return file;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * A writeEntry for extractPackageZip that records what it was given. It writes each entry to
 * `<targetDir>/<n>`, never to a path made from the entry name, so even a broken validator cannot make a test
 * write outside its temporary folder. A file whose stream fails is removed, as a real writer would.
 */
export function recordingWriter(targetDir: string) {
  const started: string[] = [];
  const completed: Array<{ name: string; bytes: number; declaredSize: number }> = [];
  let bytesReceived = 0;
  const writeEntry: WriteEntry = async (name, stream, declaredSize) => {
    started.push(name);
    const file = path.join(targetDir, String(started.length));
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        bytesReceived += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      await pipeline(stream, counter, createWriteStream(file));
    } catch (err) {
      await rm(file, { force: true });
      throw err;
    }
    completed.push({ name, bytes, declaredSize });
  };
  return {
    writeEntry,
    started,
    completed,
    get bytesReceived() {
      return bytesReceived;
    },
  };
}
