import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { crc32, inflateRawSync } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { isAppError } from '../../server/http/app-error.js';
import { scormErrors } from './scorm.errors.js';

/** Limits applied to an uploaded package before, and while, it is unpacked. */
export interface PackageLimits {
  /** Entries in the central directory, folders included. */
  maxEntries: number;
  /** Sum of the uncompressed sizes of all files. */
  maxTotalBytes: number;
  /** Uncompressed / compressed, per large entry and for the whole zip. */
  maxCompressionRatio: number;
  /** imsmanifest.xml is read into memory, so it gets its own, small, cap. */
  maxManifestBytes: number;
}

export const DEFAULT_PACKAGE_LIMITS: Readonly<PackageLimits> = Object.freeze({
  maxEntries: 20_000,
  maxTotalBytes: 2 * 1024 ** 3,
  // Deflate tops out near 1032:1 on runs of one byte; HTML, JS and XML compress 3-20 times, so 200 only trips on
  // padding-filled files, which is what zip bombs are made of.
  maxCompressionRatio: 200,
  maxManifestBytes: 2 * 1024 ** 2,
});

/**
 * Entries smaller than this are not judged by their compression ratio: a small, very regular file (an empty
 * JSON array padded with spaces, an SVG of one repeated path) can compress 300 times and harms no one. The whole
 * zip is judged only past the same size, for the same reason.
 */
export const RATIO_CHECK_MIN_BYTES = 1024 * 1024;

/** One file of the package, as declared in the zip's central directory (folders are not listed). */
export interface PackageEntry {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
}

/** Receives one file of the package; it must read `stream` to its end (or fail) before its promise settles. */
export type WriteEntry = (name: string, stream: Readable, size: number) => Promise<void>;

/**
 * One file's bytes, checked as they are produced (see PackageZip.extractChunks). The memory of a chunk is reused for
 * a later one once the next chunk is asked for: a consumer finishes with each chunk (writes or copies it) before it
 * continues.
 */
export type EntryChunks = AsyncIterable<Buffer>;

/** Like WriteEntry, with the file as EntryChunks: it must read them to their end (or fail) before its promise settles. */
export type WriteEntryChunks = (name: string, chunks: EntryChunks, size: number) => Promise<void>;

/**
 * What extraction needs of a validated file. yauzl's Entry objects (parsed extra fields, raw name and comment buffers)
 * are dropped as soon as each is read: kept for a whole package, they would grow the heap for the whole import.
 */
interface CheckedEntry extends PackageEntry {
  crc32: number;
  compressionMethod: number;
  localHeaderOffset: number;
  /** Where the next entry's local header starts (checkNoOverlap): this entry's data must end before it. */
  nextHeaderOffset: number;
}

/** Where an entry of the directory (file or folder) sits in the zip. */
type EntrySpan = Pick<CheckedEntry, 'name' | 'compressedSize' | 'localHeaderOffset' | 'nextHeaderOffset'>;

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
/** Size of a local file header without its name and extra field: no entry's data can start closer to its header. */
const LOCAL_HEADER_FIXED_BYTES = 30;
const LOCAL_HEADER_SIGNATURE = 0x04034b50;

/** Files extracted at the same time when the caller does not say; see PackageZip.extract. */
export const DEFAULT_EXTRACT_CONCURRENCY = 4;

export interface ExtractOptions {
  /** Entries being read, inflated and written at once (at least 1). */
  concurrency?: number;
}

/** An uploaded zip whose central directory has been read and validated once; only usable inside withPackageZip. */
export interface PackageZip {
  /** Every file of the package (folders left out), in the order of the central directory. */
  readonly entries: readonly PackageEntry[];
  /**
   * Reads one small text entry (imsmanifest.xml) into a string, or returns null when the package has no file of
   * that exact name. The entry may not declare, nor produce, more than maxBytes.
   */
  readText(name: string, maxBytes: number): Promise<string | null>;
  /**
   * Hands every file to writeEntry, up to `concurrency` at a time. While reading and inflating, every byte is
   * counted: an entry that produces more bytes than its header declared, or a running total over maxTotalBytes,
   * fails at once with the AppError, before those bytes reach writeEntry. A file whose bytes do not match its CRC-32
   * fails at its end, before its chunks end, so writeEntry never sees it complete. After the first failure no
   * further entry is started, the entries in flight fail at their next chunk, and extractChunks settles only once
   * every writeEntry call has settled, so nothing is still writing when the caller cleans up.
   *
   * Stored files (most of a package's bytes: media and images) are read into a few reused buffers, so a package of
   * any size is copied without creating garbage per chunk.
   */
  extractChunks(writeEntry: WriteEntryChunks, options?: ExtractOptions): Promise<void>;
  /** extractChunks for writers that take a stream; each chunk is copied into it, so any consumer may keep chunks. */
  extract(writeEntry: WriteEntry, options?: ExtractOptions): Promise<void>;
}

/**
 * Opens the zip, reads and validates its central directory (name, type, size, ratio, duplicates, overlaps) without
 * decompressing anything, then hands the validated package to `use`; the file is closed when `use` settles.
 * Throws the first problem found as a scorm.* AppError before `use` runs.
 */
export async function withPackageZip<T>(zipPath: string, limits: PackageLimits, use: (zip: PackageZip) => Promise<T>): Promise<T> {
  return withZip(zipPath, async (opened) => {
    const checked = await readCheckedEntries(opened.zip, limits);
    const byName = new Map(checked.map((entry) => [entry.name, entry]));
    const extractChunks = (writeEntry: WriteEntryChunks, options: ExtractOptions = {}) =>
      extractEntries(opened, checked, limits, writeEntry, options.concurrency ?? DEFAULT_EXTRACT_CONCURRENCY);
    return use({
      entries: checked.map(publicEntry),
      readText: async (name, maxBytes) => {
        const entry = byName.get(name);
        return entry === undefined ? null : readEntryText(opened, entry, maxBytes);
      },
      extractChunks,
      extract: (writeEntry, options) => extractChunks((name, chunks, size) => writeEntry(name, Readable.from(copies(chunks)), size), options),
    });
  });
}

/** The validated files of a zip, as withPackageZip lists them. */
export async function inspectPackageZip(zipPath: string, limits: PackageLimits = DEFAULT_PACKAGE_LIMITS): Promise<PackageEntry[]> {
  return withPackageZip(zipPath, limits, async (zip) => [...zip.entries]);
}

/** Validates the zip (exactly as inspectPackageZip), then extracts every file (see PackageZip.extract). Returns the files written. */
export async function extractPackageZip(zipPath: string, limits: PackageLimits, writeEntry: WriteEntry, options?: ExtractOptions): Promise<PackageEntry[]> {
  return withPackageZip(zipPath, limits, async (zip) => {
    await zip.extract(writeEntry, options);
    return [...zip.entries];
  });
}

/**
 * Reads one small text entry without validating the rest of the zip (see PackageZip.readText), or returns null
 * when the zip has no entry of that exact name. Callers inspect the zip first: this only looks for the one name.
 */
export async function readZipEntryText(zipPath: string, name: string, maxBytes: number): Promise<string | null> {
  return withZip(zipPath, async (opened) => {
    for (let entry = await nextEntry(opened.zip); entry !== null; entry = await nextEntry(opened.zip)) {
      if (entry.fileName === name) return readEntryText(opened, checkedEntry(entry), maxBytes);
    }
    return null;
  });
}

/**
 * Text of an XML entry: a byte-order mark wins, then the encoding named in the XML declaration (old
 * European authoring tools write ISO-8859-1), then UTF-8.
 */
export function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const declared = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(bytes.subarray(0, 200).toString('latin1'))?.[1];
  if (declared !== undefined && !/^utf-?8$/i.test(declared)) {
    try {
      return new TextDecoder(declared).decode(bytes);
    } catch {
      // An encoding TextDecoder does not know: UTF-8 is the best remaining guess, and ASCII markup still reads.
    }
  }
  return new TextDecoder('utf-8').decode(bytes);
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * Bytes read from the upload at a time: for stored entries, the size of each reused buffer; for deflated ones, of
 * each read of compressed data. Large enough that a media file costs few calls into the thread pool.
 */
const READ_BYTES = 512 * 1024;
/**
 * Deflated entries up to this size are inflated in one synchronous call (a millisecond or so at most) from their
 * compressed bytes in a pooled buffer: no zlib stream, no per-entry zlib buffers. The HTML, scripts and styles that
 * make up most of a package's files are this small; larger ones are inflated as a stream in the thread pool.
 */
const INFLATE_AT_ONCE_MAX_BYTES = 256 * 1024;
/** zlib's smallest output chunk (Z_MIN_CHUNK). */
const ZLIB_MIN_CHUNK_BYTES = 64;
/**
 * yauzl reads the central directory one small record at a time (two reads per entry); reading this much ahead of a
 * sequential read turns thousands of reads of a few dozen bytes into a handful.
 */
const DIRECTORY_READ_AHEAD_BYTES = 256 * 1024;

/** The open upload: yauzl's view of it, the file itself (for stored entries), and their read buffers. */
interface OpenedZip {
  zip: ZipFile;
  handle: FileHandle;
  size: number;
  buffers: BufferPool;
}

/**
 * The uploaded file as yauzl reads it: its central directory, and the compressed data of large deflated entries.
 * yauzl's own file reader reads 16 KiB at a time, one read at a time across all open entries, and the central
 * directory a record at a time; this one reads data in large positional reads that several entries can issue at
 * once, and reads ahead while reading sequentially. Stored and small deflated entries bypass yauzl (openEntryBytes).
 */
class UploadReader extends yauzl.RandomAccessReader {
  /** The last bytes read ahead, for the sequential reads that follow. */
  private window: { start: number; bytes: Buffer } | null = null;
  /** Where the previous read() ended: a read starting there is part of a sequential scan. */
  private previousEnd = -1;

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {
    super();
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null, bytesRead?: number) => void): void {
    const sequential = position === this.previousEnd;
    this.previousEnd = position + length;
    const window = this.window;
    if (window !== null && position >= window.start && position + length <= window.start + window.bytes.length) {
      window.bytes.copy(buffer, offset, position - window.start, position - window.start + length);
      queueMicrotask(() => callback(null, length));
      return;
    }
    if (!sequential) {
      this.handle.read(buffer, offset, length, position).then(({ bytesRead }) => callback(null, bytesRead), callback);
      return;
    }
    const ahead = Buffer.allocUnsafe(Math.max(length, Math.min(DIRECTORY_READ_AHEAD_BYTES, this.size - position)));
    this.handle.read(ahead, 0, ahead.length, position).then(({ bytesRead }) => {
      this.window = { start: position, bytes: ahead.subarray(0, bytesRead) };
      const copied = Math.min(length, bytesRead);
      ahead.copy(buffer, offset, 0, copied);
      callback(null, copied);
    }, callback);
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return new FileRangeStream(this.handle, start, end);
  }
}

/**
 * Bytes start (inclusive) to end (exclusive) of a file that other streams share. Not fs.createReadStream: destroying
 * one of those closes its file descriptor, whatever autoClose says, and every entry shares this one. Reads go through
 * the FileHandle, whose close() waits for reads in progress.
 */
class FileRangeStream extends Readable {
  private position: number;

  constructor(
    private readonly handle: FileHandle,
    start: number,
    private readonly end: number,
  ) {
    super({ highWaterMark: READ_BYTES });
    this.position = start;
  }

  override _read(): void {
    const length = Math.min(READ_BYTES, this.end - this.position);
    if (length <= 0) {
      this.push(null);
      return;
    }
    const buffer = Buffer.allocUnsafe(length);
    this.handle.read(buffer, 0, length, this.position).then(
      ({ bytesRead }) => {
        if (this.destroyed) return;
        this.position += bytesRead;
        // A file shorter than its directory says: end early, and yauzl reports the missing bytes.
        this.push(bytesRead === 0 ? null : buffer.subarray(0, bytesRead));
      },
      (err: Error) => this.destroy(err),
    );
  }
}

/** A failure of the extraction itself, not of the zip's contents: never reported to the uploader as a damaged zip. */
class ExtractionError extends Error {
  override name = 'ExtractionError';
}

/** Read buffers of one size, handed from entry to entry: copying a large package allocates only a few. */
class BufferPool {
  private readonly free: Buffer[] = [];

  constructor(private readonly size: number) {}

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(this.size);
  }

  give(buffer: Buffer): void {
    this.free.push(buffer);
  }
}

async function withZip<T>(zipPath: string, use: (opened: OpenedZip) => Promise<T>): Promise<T> {
  const handle = await open(zipPath, 'r');
  try {
    const reader = new UploadReader(handle, (await handle.stat()).size);
    const zip = await openZip(reader);
    // An error closing the file after we are done must not become an uncaught 'error' event.
    zip.on('error', () => {});
    try {
      return await use({ zip, handle, size: reader.size, buffers: new BufferPool(READ_BYTES) });
    } finally {
      zip.close();
    }
  } finally {
    await handle.close();
  }
}

function openZip(reader: UploadReader): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromRandomAccessReader(
      reader,
      reader.size,
      {
        lazyEntries: true,
        // Closed by withZip: extraction opens entry streams after the central directory has been read.
        autoClose: false,
        decodeStrings: true,
        validateEntrySizes: true,
        // Without it yauzl silently turns "a\\b" into "a/b"; with it such names are refused and reported below.
        strictFileNames: true,
      },
      (err, zip) => {
        if (err) reject(isSystemError(err) ? err : scormErrors.notAZip(describeZipError(err)));
        else resolve(zip);
      },
    );
  });
}

/** File-system failures (missing upload, permissions) are ours, not the uploader's: they stay plain errors. */
function isSystemError(err: Error): boolean {
  return typeof (err as NodeJS.ErrnoException).code === 'string';
}

function describeZipError(err: Error): string {
  if (/end of central directory record signature not found/i.test(err.message)) return 'no zip directory was found at its end';
  return err.message;
}

function nextEntry(zip: ZipFile): Promise<Entry | null> {
  return new Promise((resolve, reject) => {
    const onEntry = (entry: Entry) => settle(() => resolve(entry));
    const onEnd = () => settle(() => resolve(null));
    const onError = (err: Error) => settle(() => reject(translateDirectoryError(err)));
    const settle = (then: () => void) => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
      then();
    };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

/**
 * yauzl refuses some entries itself while reading the central directory (with decodeStrings it checks names;
 * with validateEntrySizes it checks stored sizes). Its messages end in the entry name; they become our codes.
 */
function translateDirectoryError(err: Error): Error {
  if (isSystemError(err)) return err;
  const message = err.message;
  let match = /^invalid characters in fileName: ([\s\S]*)$/.exec(message);
  if (match) return scormErrors.pathTraversal(match[1]!, 'contains a backslash, which Windows treats as a folder separator');
  match = /^absolute path: ([\s\S]*)$/.exec(message);
  if (match) return scormErrors.pathTraversal(match[1]!, /^[a-zA-Z]:/.test(match[1]!) ? 'starts with a drive letter' : 'is an absolute path');
  match = /^invalid relative path: ([\s\S]*)$/.exec(message);
  if (match) return scormErrors.pathTraversal(match[1]!, 'climbs out of the package with ".."');
  match = /^compressed\/uncompressed size mismatch for stored file: (\d+) != (\d+)$/.exec(message);
  if (match) return scormErrors.entrySizeMismatch(null, Number(match[2]), `stores ${match[1]} bytes`);
  return scormErrors.notAZip(`its directory is damaged: ${message}`);
}

async function readCheckedEntries(zip: ZipFile, limits: PackageLimits): Promise<CheckedEntry[]> {
  // The end-of-directory record says how many entries follow: refuse a huge count before reading one of them.
  if (zip.entryCount > limits.maxEntries) throw scormErrors.tooManyEntries(zip.entryCount, limits.maxEntries);

  const files: CheckedEntry[] = [];
  const all: EntrySpan[] = [];
  /** Folded name (see foldName) -> first name seen, for files. */
  const fileNames = new Map<string, string>();
  /** Folded names of every folder: explicit folder entries and every parent of a file. */
  const folderNames = new Map<string, string>();
  let totalUncompressed = 0;
  let totalCompressed = 0;

  for (let entry = await nextEntry(zip); entry !== null; entry = await nextEntry(zip)) {
    const name = entry.fileName;
    checkEntryName(name);
    if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) throw scormErrors.symlinkEntry(name);

    if (name.endsWith('/')) {
      // Folders carry no data; they are allowed and skipped, but still take part in the file/folder clash check.
      all.push({ name, compressedSize: entry.compressedSize, localHeaderOffset: entry.relativeOffsetOfLocalHeader, nextHeaderOffset: Infinity });
      const folder = name.slice(0, -1);
      folderNames.set(foldName(folder), folder);
      continue;
    }

    const folded = foldName(name);
    const earlier = fileNames.get(folded);
    if (earlier !== undefined) throw scormErrors.duplicateEntry(name, earlier);
    fileNames.set(folded, name);
    for (let slash = name.indexOf('/'); slash !== -1; slash = name.indexOf('/', slash + 1)) {
      folderNames.set(foldName(name.slice(0, slash)), name.slice(0, slash));
    }

    if (entry.isEncrypted()) throw scormErrors.encryptedEntry(name);
    if (entry.compressionMethod !== METHOD_STORED && entry.compressionMethod !== METHOD_DEFLATED) {
      throw scormErrors.unsupportedCompression(name, entry.compressionMethod);
    }

    totalUncompressed += entry.uncompressedSize;
    totalCompressed += entry.compressedSize;
    if (totalUncompressed > limits.maxTotalBytes) throw scormErrors.tooLarge(totalUncompressed, limits.maxTotalBytes);
    if (entry.uncompressedSize > RATIO_CHECK_MIN_BYTES) {
      const ratio = entry.uncompressedSize / entry.compressedSize; // Infinity when compressedSize is 0: a lie
      if (ratio > limits.maxCompressionRatio) throw scormErrors.compressionRatio(name, ratio, limits.maxCompressionRatio);
    }
    const file = checkedEntry(entry);
    files.push(file);
    all.push(file);
  }

  for (const [folded, name] of fileNames) {
    if (folderNames.has(folded)) throw scormErrors.fileAndFolder(name);
  }
  if (totalUncompressed > RATIO_CHECK_MIN_BYTES) {
    const ratio = totalUncompressed / totalCompressed;
    if (ratio > limits.maxCompressionRatio) throw scormErrors.compressionRatio(null, ratio, limits.maxCompressionRatio);
  }
  checkNoOverlap(all);
  return files;
}

/**
 * Case- and Unicode-normalisation-insensitive form of a name: "A.html" and "a.html" (or "é" composed and
 * decomposed) are one file on macOS and Windows disks and on many CDNs, so a package may not hold both.
 */
function foldName(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/** Entry names must be plain relative paths: each rule here is a way to write outside the package folder or to confuse it. */
function checkEntryName(name: string): void {
  // yauzl (strictFileNames, decodeStrings) already refuses backslashes, absolute paths and ".." before we see a
  // name; these checks repeat them so that safety does not depend on a dependency's option.
  if (name === '') throw scormErrors.invalidEntryName(name, 'is empty');
  if (/[\u0000-\u001f\u007f]/.test(name)) throw scormErrors.invalidEntryName(name, 'contains a control character (such as NUL or a line break)');
  if (name.includes('\\')) throw scormErrors.pathTraversal(name, 'contains a backslash, which Windows treats as a folder separator');
  if (name.startsWith('/')) throw scormErrors.pathTraversal(name, 'is an absolute path');
  if (/^[a-zA-Z]:/.test(name)) throw scormErrors.pathTraversal(name, 'starts with a drive letter');
  const segments = (name.endsWith('/') ? name.slice(0, -1) : name).split('/');
  if (segments.includes('..')) throw scormErrors.pathTraversal(name, 'climbs out of the package with ".."');
  if (segments.some((segment) => segment === '' || segment === '.')) {
    throw scormErrors.invalidEntryName(name, 'has an empty or "." folder in its path');
  }
}

/**
 * Several central-directory records pointing into the same bytes is the "overlapping files" zip bomb: a small
 * zip whose one compressed kernel is unpacked thousands of times. Real zips store each entry's data once,
 * after its own local header, so each entry must end before the next one starts. Records, for extraction, where
 * each entry's room ends: a local header can only be checked when the entry is read (dataStart).
 */
function checkNoOverlap(entries: EntrySpan[]): void {
  const byOffset = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 1; i < byOffset.length; i++) {
    const previous = byOffset[i - 1]!;
    const current = byOffset[i]!;
    if (previous.localHeaderOffset + LOCAL_HEADER_FIXED_BYTES + previous.compressedSize > current.localHeaderOffset) {
      throw scormErrors.overlappingEntries(current.name, previous.name);
    }
    previous.nextHeaderOffset = current.localHeaderOffset;
  }
}

function checkedEntry(entry: Entry): CheckedEntry {
  return {
    name: entry.fileName,
    compressedSize: entry.compressedSize,
    uncompressedSize: entry.uncompressedSize,
    crc32: entry.crc32,
    compressionMethod: entry.compressionMethod,
    localHeaderOffset: entry.relativeOffsetOfLocalHeader,
    nextHeaderOffset: Infinity,
  };
}

function publicEntry({ name, compressedSize, uncompressedSize }: CheckedEntry): PackageEntry {
  return { name, compressedSize, uncompressedSize };
}

async function readEntryText(opened: OpenedZip, entry: CheckedEntry, maxBytes: number): Promise<string> {
  if (entry.uncompressedSize > maxBytes) throw scormErrors.manifestTooLarge(entry.name, entry.uncompressedSize, maxBytes);
  const bytes = await openEntryBytes(opened, entry);
  const parts: Buffer[] = [];
  try {
    for await (const chunk of checkedChunks(bytes.chunks, entry, { usedBytes: 0, maxBytes }, null, newOutcome())) parts.push(Buffer.from(chunk));
  } finally {
    bytes.close();
  }
  return decodeText(Buffer.concat(parts));
}

/** Running total of inflated bytes across the whole package, shared by the entries in flight. */
interface InflateBudget {
  usedBytes: number;
  maxBytes: number;
}

/** State of one extraction: its first failure, which stops the others. */
interface ExtractionRun {
  failure: { error: unknown } | null;
}

/** How one entry's chunks ended: read to the end and verified, or failed with our error. */
interface EntryOutcome {
  complete: boolean;
  error: unknown;
}

const newOutcome = (): EntryOutcome => ({ complete: false, error: null });

async function extractEntries(opened: OpenedZip, entries: readonly CheckedEntry[], limits: PackageLimits, writeEntry: WriteEntryChunks, concurrency: number): Promise<void> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`extraction concurrency must be a whole number of at least 1, not ${concurrency}`);
  const budget: InflateBudget = { usedBytes: 0, maxBytes: limits.maxTotalBytes };
  const run: ExtractionRun = { failure: null };
  let next = 0;
  // Workers never reject: the first error is kept and the others are waited for, so none is still writing when we throw.
  const worker = async () => {
    while (run.failure === null && next < entries.length) {
      const entry = entries[next++]!;
      try {
        await extractEntry(opened, entry, budget, writeEntry, run);
      } catch (err) {
        run.failure ??= { error: err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, entries.length) }, worker));
  if (run.failure !== null) throw run.failure.error;
}

async function extractEntry(opened: OpenedZip, entry: CheckedEntry, budget: InflateBudget, writeEntry: WriteEntryChunks, run: ExtractionRun): Promise<void> {
  const bytes = await openEntryBytes(opened, entry);
  const outcome = newOutcome();
  const chunks = checkedChunks(bytes.chunks, entry, budget, run, outcome);
  try {
    // Another entry may have failed while this one was being opened: then it is not started.
    if (run.failure === null) await writeEntry(entry.name, chunks, entry.uncompressedSize);
  } catch (err) {
    // Our own error, even if writeEntry wrapped or replaced it: the uploader must get ours.
    throw outcome.error ?? err;
  } finally {
    // Stops the reading (and frees its buffer) when writeEntry did not read to the end.
    await chunks.return(undefined);
    bytes.close();
  }
  if (run.failure !== null) return;
  if (outcome.error !== null) throw outcome.error;
  if (!outcome.complete) throw new Error(`writeEntry resolved for "${entry.name}" without reading its stream to the end`);
}

/** An entry's bytes, its local header read but no data yet; close() releases it whether or not chunks was read. */
interface EntryBytes {
  chunks: AsyncIterable<Buffer>;
  close(): void;
}

async function openEntryBytes(opened: OpenedZip, entry: CheckedEntry): Promise<EntryBytes> {
  const none = () => {};
  const start = await dataStart(opened, entry);
  if (entry.compressionMethod === METHOD_STORED) return { chunks: storedChunks(opened, start, entry.compressedSize), close: none };
  if (entry.uncompressedSize <= INFLATE_AT_ONCE_MAX_BYTES && entry.compressedSize <= READ_BYTES) {
    return { chunks: inflatedAtOnce(opened, entry, start), close: none };
  }
  const stream = await inflatingStream(opened.zip, entry, start);
  return { chunks: stream, close: () => stream.destroy() };
}

/**
 * Where an entry's data begins, after its local header, whose name and extra field need not match the directory's
 * in length. The data must lie in the file and end before the next entry's header, so that a lying header cannot
 * point into another entry's bytes.
 */
async function dataStart(opened: OpenedZip, entry: CheckedEntry): Promise<number> {
  const header = Buffer.allocUnsafe(LOCAL_HEADER_FIXED_BYTES);
  const { bytesRead } = await opened.handle.read(header, 0, header.length, entry.localHeaderOffset);
  if (bytesRead < header.length || header.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE) throw scormErrors.corruptEntry(entry.name, 'its local header is missing');
  const start = entry.localHeaderOffset + LOCAL_HEADER_FIXED_BYTES + header.readUInt16LE(26) + header.readUInt16LE(28);
  const end = start + entry.compressedSize;
  if (end > opened.size || end > entry.nextHeaderOffset) throw scormErrors.corruptEntry(entry.name, 'its local header places its data outside its own part of the zip');
  return start;
}

/** A stored entry's bytes, read straight from the upload into one pooled buffer, reused chunk after chunk. */
async function* storedChunks(opened: OpenedZip, start: number, length: number): AsyncGenerator<Buffer> {
  const buffer = opened.buffers.take();
  try {
    for (let position = start, end = start + length; position < end; ) {
      const bytesRead = await readInto(opened.handle, buffer, position, Math.min(buffer.length, end - position));
      position += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    opened.buffers.give(buffer);
  }
}

/** A small deflated entry (see INFLATE_AT_ONCE_MAX_BYTES) as one chunk. */
async function* inflatedAtOnce(opened: OpenedZip, entry: CheckedEntry, start: number): AsyncGenerator<Buffer> {
  const buffer = opened.buffers.take();
  let inflated: Buffer;
  try {
    let read = 0;
    while (read < entry.compressedSize) read += await readInto(opened.handle, buffer.subarray(read), start + read, entry.compressedSize - read);
    // One byte more than declared is allowed out, so that a lying entry stops there and is reported as such.
    const allowed = entry.uncompressedSize + 1;
    inflated = inflateRawSync(buffer.subarray(0, read), { chunkSize: Math.max(ZLIB_MIN_CHUNK_BYTES, allowed), maxOutputLength: allowed });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw scormErrors.entrySizeMismatch(entry.name, entry.uncompressedSize, `unpacks to at least ${entry.uncompressedSize + 1}`);
    }
    throw err;
  } finally {
    opened.buffers.give(buffer);
  }
  yield inflated;
}

/** Reads up to length bytes at position into buffer; fails rather than return none. */
async function readInto(handle: FileHandle, buffer: Buffer, position: number, length: number): Promise<number> {
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  // yauzl checked the data against the file's size; a shorter read means the upload changed underneath us.
  if (bytesRead === 0) throw new ExtractionError(`the uploaded file ended at ${position}, inside the data of an entry`);
  return bytesRead;
}

/**
 * Counts and checks an entry's bytes as they pass. yauzl's validateEntrySizes already stops a deflated stream that
 * inflates past its declared size; this repeats that check for every entry (and keeps the running total for the
 * whole package) so that the limits hold even if a future yauzl changes, and it verifies the CRC-32, which yauzl
 * does not. A failure is thrown before the offending chunk is handed on, and recorded in outcome; `run`, when given,
 * stops the entry at its next chunk once another entry has failed.
 */
async function* checkedChunks(source: AsyncIterable<Buffer>, entry: CheckedEntry, budget: InflateBudget, run: ExtractionRun | null, outcome: EntryOutcome): AsyncGenerator<Buffer> {
  const declared = entry.uncompressedSize;
  let produced = 0;
  let checksum = 0;
  try {
    for await (const chunk of source) {
      if (run?.failure) throw new ExtractionError(`extraction of "${entry.name}" stopped: another entry failed`);
      produced += chunk.length;
      budget.usedBytes += chunk.length;
      if (produced > declared) throw scormErrors.entrySizeMismatch(entry.name, declared, `unpacks to at least ${produced}`);
      if (budget.usedBytes > budget.maxBytes) throw scormErrors.tooLarge(budget.usedBytes, budget.maxBytes);
      checksum = crc32(chunk, checksum);
      yield chunk;
    }
    if (produced !== declared) throw scormErrors.entrySizeMismatch(entry.name, declared, `unpacks to only ${produced}`);
    if (checksum !== entry.crc32) throw scormErrors.corruptEntry(entry.name, 'its CRC-32 checksum does not match its contents');
    outcome.complete = true;
  } catch (err) {
    const translated = translateStreamError(err as Error, entry);
    outcome.error ??= translated;
    throw translated;
  }
}

/** Each chunk copied, for consumers that may keep chunks after asking for the next one (streams buffer them). */
async function* copies(chunks: EntryChunks): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) yield Buffer.from(chunk);
}

/** A large deflated entry, inflated by yauzl as a stream (in the thread pool), which also counts the bytes it inflates. */
function inflatingStream(zip: ZipFile, entry: CheckedEntry, start: number): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStreamLowLevel(start, entry.compressedSize, 0, entry.compressedSize, true, entry.uncompressedSize, (err, stream) => {
      if (err) reject(isSystemError(err) ? err : scormErrors.corruptEntry(entry.name, err.message));
      else resolve(stream);
    });
  });
}

function translateStreamError(err: Error, entry: CheckedEntry): Error {
  if (isAppError(err) || err instanceof ExtractionError) return err;
  // A failed read of the uploaded file is ours to log; only zlib's Z_* codes describe the zip's contents.
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && !code.startsWith('Z_')) return err;
  const tooMany = /^too many bytes in the stream\. expected (\d+)\. got at least (\d+)$/.exec(err.message);
  if (tooMany) return scormErrors.entrySizeMismatch(entry.name, Number(tooMany[1]), `unpacks to at least ${tooMany[2]}`);
  const tooFew = /^not enough bytes in the stream\. expected (\d+)\. got only (\d+)$/.exec(err.message);
  if (tooFew) return scormErrors.entrySizeMismatch(entry.name, Number(tooFew[1]), `unpacks to only ${tooFew[2]}`);
  return scormErrors.corruptEntry(entry.name, err.message);
}
