// The read side of a destination (list, stat, open), used by list/restore/verify with operator credentials.
import type { Readable } from 'node:stream';

/** One stored object: its key and size in bytes. */
export interface StoredObject {
  key: string;
  size: number;
}

export interface ListOptions {
  /** Only keys sorting after this one (S3's StartAfter): skips whole days of older backups. */
  startAfter?: string;
  signal: AbortSignal;
}

/**
 * Where backups are read from. The contract, kept by every implementation (s3, local) and checked
 * by one shared test suite:
 * - `list` yields every object whose key starts with `prefix` (and sorts after `startAfter`), in
 *   ascending byte order of the key, page by page (memory does not grow with the bucket).
 *   Unfinished writes (the local destination's hidden temp files) are never listed.
 * - `stat` and `open` of a missing key reject with BackupError DESTINATION_NOT_FOUND naming the location.
 * - A permission failure rejects with DESTINATION_DENIED naming the location and the permission
 *   needed (s3:ListBucket, s3:GetObject).
 * - `open` resolves to the object's bytes as a stream; nothing is buffered whole.
 * - Nothing here writes or deletes.
 */
export interface BackupStore {
  readonly type: 's3' | 'local';
  /** Printable location of a key: `s3://bucket/key` or a file path. */
  locate(key: string): string;
  list(prefix: string, options: ListOptions): AsyncIterable<StoredObject>;
  stat(key: string, signal: AbortSignal): Promise<StoredObject>;
  open(key: string, signal: AbortSignal): Promise<Readable>;
}
