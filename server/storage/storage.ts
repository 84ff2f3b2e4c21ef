import type { Readable } from 'node:stream';

/** Metadata of one stored object. */
export interface StoredObjectInfo {
  key: string;
  size: number;
  lastModified: Date;
  contentType: string | undefined;
}

/** An inclusive byte range, as in HTTP Range: bytes=start-end. end omitted means "to the end". */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface StoredObjectBody {
  body: Readable;
  /** Size of the whole object, not of the range. */
  size: number;
  /** Inclusive bounds of the bytes in body. */
  start: number;
  end: number;
  contentType: string | undefined;
  lastModified: Date;
}

/**
 * A body produced a chunk at a time whose producer may reuse a chunk's memory for the next one: the driver finishes
 * with each chunk (writes or copies it) before it asks for the next.
 */
export type ChunkedBody = AsyncIterable<Uint8Array>;

/** New objects being written under one prefix; see Storage.openBatch. */
export interface StorageBatch {
  /** The prefix every name is written under (ends with "/"). */
  readonly prefix: string;
  /**
   * Stores the object prefix + name, streaming like put. Unlike put it is not atomic: until it resolves, a reader of
   * the key may see part of the object. A write that fails removes what it wrote of its object. Each name is written
   * once per batch.
   */
  put(name: string, body: Readable | Buffer | ChunkedBody, options?: { contentType?: string }): Promise<{ size: number }>;
}

/**
 * The one storage interface; drivers (local disk, S3) are picked from config in createStorage.
 * Keys are relative, slash-separated paths ("scorm/<course>/<version>/index.html"); drivers reject
 * keys that could escape their root ("..", leading "/", backslashes, empty segments).
 * put streams: no driver buffers a whole object in memory.
 */
export interface Storage {
  readonly kind: 'local' | 's3';
  put(key: string, body: Readable | Buffer, options?: { contentType?: string }): Promise<{ size: number }>;
  /** Returns null when the object does not exist. Throws storage.range_not_satisfiable for a range past the end. */
  get(key: string, options?: { range?: ByteRange }): Promise<StoredObjectBody | null>;
  head(key: string): Promise<StoredObjectInfo | null>;
  /**
   * For writing many new objects under a prefix (ending with "/") that holds none yet and that no reader uses until
   * the caller has written them all, such as a course version, which is recorded in the database only once its files
   * are stored. Cheaper per object than put: the local driver writes each file in place (no temp file and rename)
   * and keeps no content type for batch objects (head and get report undefined; whoever serves them derives the type
   * from the key), S3 stores the content type as put does. Afterwards they are ordinary objects. Throws
   * storage.prefix_not_empty when objects already exist under the prefix. After a failed put the caller deletes the
   * prefix (deletePrefix), as the other objects of the batch are of no use alone.
   */
  openBatch(prefix: string): Promise<StorageBatch>;
  /** Deletes every object whose key starts with prefix; returns how many were deleted. */
  deletePrefix(prefix: string): Promise<number>;
  /** Lists objects whose key starts with prefix, in key order. */
  list(prefix: string): AsyncIterable<StoredObjectInfo>;
  /** Cheap reachability check for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
