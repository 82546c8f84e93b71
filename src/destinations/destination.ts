// The Destination contract every backend (s3, local) keeps; the pipeline relies on nothing else.
import type { Readable } from 'node:stream';

export interface WriteOptions {
  signal: AbortSignal;
  contentType: string;
}

/**
 * Where artifacts go. The contract:
 * - `write` resolves only when all of `body` is stored durably at `key`.
 * - If `body` errors, `write` rejects with that same error (the source's cause wins) and
 *   nothing is visible at `key`.
 * - With write-once (the default) an existing `key` is never overwritten: DESTINATION_EXISTS.
 * - Other failures reject with a BackupError whose message names the location and the fix.
 * - `write` never reads, lists or deletes existing backups (put-only credentials suffice).
 */
export interface Destination {
  readonly type: string;
  /** Printable location of a key: `s3://bucket/key` or a file path. */
  locate(key: string): string;
  write(key: string, body: Readable, options: WriteOptions): Promise<void>;
}
