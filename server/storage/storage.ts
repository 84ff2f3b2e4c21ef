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
  /** Deletes every object whose key starts with prefix; returns how many were deleted. */
  deletePrefix(prefix: string): Promise<number>;
  /** Lists objects whose key starts with prefix, in key order. */
  list(prefix: string): AsyncIterable<StoredObjectInfo>;
  /** Cheap reachability check for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
