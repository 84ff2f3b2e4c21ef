import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';
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

interface CheckedEntry extends PackageEntry {
  raw: Entry;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
/** Size of a local file header without its name and extra field: no entry's data can start closer to its header. */
const LOCAL_HEADER_FIXED_BYTES = 30;

/**
 * Reads the central directory and validates every entry (name, type, size, ratio, duplicates) without
 * decompressing anything. Throws the first problem found as a scorm.* AppError.
 */
export async function inspectPackageZip(zipPath: string, limits: PackageLimits = DEFAULT_PACKAGE_LIMITS): Promise<PackageEntry[]> {
  return withZip(zipPath, async (zip) => (await readCheckedEntries(zip, limits)).map(({ raw: _raw, ...entry }) => entry));
}

/**
 * Validates the whole central directory first (exactly as inspectPackageZip), then streams each file to
 * writeEntry, one at a time. While inflating, every byte is counted: an entry that produces more bytes than
 * its header declared, or a running total over maxTotalBytes, destroys the stream at once and the AppError is
 * thrown. A file whose bytes do not match its CRC-32 fails at its end, before its stream ends, so writeEntry
 * never sees it complete. Returns the files written.
 */
export async function extractPackageZip(zipPath: string, limits: PackageLimits, writeEntry: WriteEntry): Promise<PackageEntry[]> {
  return withZip(zipPath, async (zip) => {
    const entries = await readCheckedEntries(zip, limits);
    const budget = { usedBytes: 0, maxBytes: limits.maxTotalBytes };
    for (const entry of entries) {
      const source = await openEntryStream(zip, entry);
      const guarded = guardEntryStream(source, entry, budget);
      let streamError: unknown = null;
      // Remember the guard's own error: writeEntry may wrap or replace it, and the uploader must get ours.
      guarded.on('error', (err) => {
        streamError ??= err;
      });
      try {
        await writeEntry(entry.name, guarded, entry.uncompressedSize);
      } catch (err) {
        guarded.destroy();
        throw streamError ?? err;
      }
      if (streamError !== null) throw streamError;
      if (!guarded.readableEnded) {
        guarded.destroy();
        throw new Error(`writeEntry resolved for "${entry.name}" without reading its stream to the end`);
      }
    }
    return entries.map(({ raw: _raw, ...entry }) => entry);
  });
}

/**
 * Reads one small text entry (imsmanifest.xml) into a string, or returns null when the zip has no entry of that
 * exact name. The entry may not declare, nor produce, more than maxBytes. Callers inspect the zip first: this
 * only looks for the one name.
 */
export async function readZipEntryText(zipPath: string, name: string, maxBytes: number): Promise<string | null> {
  return withZip(zipPath, async (zip) => {
    let found: Entry | null = null;
    for (let entry = await nextEntry(zip); entry !== null; entry = await nextEntry(zip)) {
      if (entry.fileName === name) {
        found = entry;
        break;
      }
    }
    if (found === null) return null;
    if (found.uncompressedSize > maxBytes) throw scormErrors.manifestTooLarge(name, found.uncompressedSize, maxBytes);
    const checked: CheckedEntry = { name, compressedSize: found.compressedSize, uncompressedSize: found.uncompressedSize, raw: found };
    const source = await openEntryStream(zip, checked);
    const chunks: Buffer[] = [];
    for await (const chunk of guardEntryStream(source, checked, { usedBytes: 0, maxBytes })) chunks.push(chunk as Buffer);
    return decodeText(Buffer.concat(chunks));
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

async function withZip<T>(zipPath: string, use: (zip: ZipFile) => Promise<T>): Promise<T> {
  const zip = await openZip(zipPath);
  // An error closing the file after we are done must not become an uncaught 'error' event.
  zip.on('error', () => {});
  try {
    return await use(zip);
  } finally {
    zip.close();
  }
}

function openZip(zipPath: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(
      zipPath,
      {
        lazyEntries: true,
        // Closed by withZip: extraction opens entry streams after the central directory has been read.
        autoClose: false,
        decodeStrings: true,
        validateEntrySizes: true,
        // Without it yauzl silently turns "a\b" into "a/b"; with it such names are refused and reported below.
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
  const all: Entry[] = [];
  /** Folded name (see foldName) -> first name seen, for files. */
  const fileNames = new Map<string, string>();
  /** Folded names of every folder: explicit folder entries and every parent of a file. */
  const folderNames = new Map<string, string>();
  let totalUncompressed = 0;
  let totalCompressed = 0;

  for (let entry = await nextEntry(zip); entry !== null; entry = await nextEntry(zip)) {
    all.push(entry);
    const name = entry.fileName;
    checkEntryName(name);
    if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) throw scormErrors.symlinkEntry(name);

    if (name.endsWith('/')) {
      // Folders carry no data; they are allowed and skipped, but still take part in the file/folder clash check.
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
    files.push({ name, compressedSize: entry.compressedSize, uncompressedSize: entry.uncompressedSize, raw: entry });
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
 * after its own local header, so each entry must end before the next one starts.
 */
function checkNoOverlap(entries: Entry[]): void {
  const byOffset = [...entries].sort((a, b) => a.relativeOffsetOfLocalHeader - b.relativeOffsetOfLocalHeader);
  for (let i = 1; i < byOffset.length; i++) {
    const previous = byOffset[i - 1]!;
    const current = byOffset[i]!;
    if (previous.relativeOffsetOfLocalHeader + LOCAL_HEADER_FIXED_BYTES + previous.compressedSize > current.relativeOffsetOfLocalHeader) {
      throw scormErrors.overlappingEntries(current.fileName, previous.fileName);
    }
  }
}

function openEntryStream(zip: ZipFile, entry: CheckedEntry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry.raw, (err, stream) => {
      if (err) reject(isSystemError(err) ? err : scormErrors.corruptEntry(entry.name, err.message));
      else resolve(stream);
    });
  });
}

/**
 * Wraps an entry's inflating stream in a counter. yauzl's validateEntrySizes already stops a stream that
 * inflates past its declared size; this counter repeats that check (and keeps the running total for the whole
 * package) so that the limits hold even if a future yauzl changes, and it verifies the CRC-32, which yauzl
 * does not. Any failure destroys the source, so reading and inflating stop immediately.
 */
function guardEntryStream(source: Readable, entry: CheckedEntry, budget: { usedBytes: number; maxBytes: number }): Transform {
  const declared = entry.uncompressedSize;
  let produced = 0;
  let checksum = 0;
  const guard = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      produced += chunk.length;
      budget.usedBytes += chunk.length;
      if (produced > declared) return callback(scormErrors.entrySizeMismatch(entry.name, declared, `unpacks to at least ${produced}`));
      if (budget.usedBytes > budget.maxBytes) return callback(scormErrors.tooLarge(budget.usedBytes, budget.maxBytes));
      checksum = crc32(chunk, checksum);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      if (produced !== declared) return callback(scormErrors.entrySizeMismatch(entry.name, declared, `unpacks to only ${produced}`));
      if (checksum !== entry.raw.crc32) return callback(scormErrors.corruptEntry(entry.name, 'its CRC-32 checksum does not match its contents'));
      callback();
    },
  });
  source.on('error', (err) => guard.destroy(translateStreamError(err, entry)));
  guard.on('close', () => source.destroy());
  source.pipe(guard);
  return guard;
}

function translateStreamError(err: Error, entry: CheckedEntry): Error {
  if (isAppError(err)) return err;
  // A failed read of the uploaded file is ours to log; only zlib's Z_* codes describe the zip's contents.
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && !code.startsWith('Z_')) return err;
  const tooMany = /^too many bytes in the stream\. expected (\d+)\. got at least (\d+)$/.exec(err.message);
  if (tooMany) return scormErrors.entrySizeMismatch(entry.name, Number(tooMany[1]), `unpacks to at least ${tooMany[2]}`);
  const tooFew = /^not enough bytes in the stream\. expected (\d+)\. got only (\d+)$/.exec(err.message);
  if (tooFew) return scormErrors.entrySizeMismatch(entry.name, Number(tooFew[1]), `unpacks to only ${tooFew[2]}`);
  return scormErrors.corruptEntry(entry.name, err.message);
}
