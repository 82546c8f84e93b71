// The Destination contract every backend (s3, local, memory) keeps; the write path relies on nothing else.
// One test suite checks it against all three: test/integration/support/destination-contract.ts.
import type { Readable } from 'node:stream';

export interface WriteOptions {
  signal: AbortSignal;
  contentType: string;
}

/**
 * Where artifacts go. The contract:
 * - `write` resolves only when all of `body` is stored durably at `key`; the object becomes visible
 *   whole, at once (S3: PutObject or CompleteMultipartUpload; local: link(2) of a hidden temp file).
 *   A zero-byte body stores an empty object.
 * - `body` is read once, to its end. If it errors, `write` rejects with that same error object (the
 *   source's cause wins, never wrapped or replaced by a cleanup's failure) and nothing is visible at
 *   `key`. S3 tries AbortMultipartUpload once; put-only credentials are denied that, so the parts
 *   stay until the bucket's AbortIncompleteMultipartUpload lifecycle rule removes them (logged).
 * - When `options.signal` aborts, `write` destroys `body` and rejects promptly with an AbortError
 *   (`isAbortError`), storing nothing. One exception: on S3, a body already read to its end is being
 *   committed, and that request may still finish within COMMIT_GRACE_MS; then `write` resolves.
 * - Write-once: an existing `key` is never overwritten. The check is made when the body has ended
 *   (If-None-Match on the committing request; link(2)) and rejects with BackupError
 *   DESTINATION_EXISTS naming the location. Local and memory always refuse; S3 unless
 *   `write_once: false`.
 * - Retried: only what the destination can re-send from its own buffer. S3 retries each request
 *   (a part from its pool buffer) on failures that may pass (network, timeouts, 5xx, 429,
 *   throttling, a clock offset the SDK corrected) within `destination.retry.budget`
 *   (s3-retry.ts). The body is never re-read, so callers never retry a `write`: a failed write is
 *   final for this key.
 * - Permanent: everything else, as a BackupError naming the location and the fix:
 *   DESTINATION_EXISTS, DESTINATION_DENIED (the credentials or the directory's permissions),
 *   DESTINATION_CREDENTIALS, DESTINATION_UNREACHABLE / DESTINATION_FAILED (also when the retry
 *   budget ran out; the message says how long it was retried).
 * - Not found: a missing key is the normal case for a write. DESTINATION_NOT_FOUND means the
 *   container is missing (S3: no such bucket); a local destination creates missing directories.
 * - `write` never reads, lists or deletes existing backups (put-only credentials suffice).
 */
export interface Destination {
  /** `s3`, `local` or `memory` (tests). */
  readonly type: string;
  /** Printable location of a key: `s3://bucket/key`, a file path, or `memory://key`. */
  locate(key: string): string;
  write(key: string, body: Readable, options: WriteOptions): Promise<void>;
}
