// In-memory destination for tests: keeps the Destination contract (write-once, nothing stored from a
// failed body, abort) without disk or network, so the write path can be tested end to end in a unit test.
// Nothing in the CLI imports it, so the bundle leaves it out.
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BackupError } from '../shared/backup-error.js';
import type { Destination, WriteOptions } from './destination.js';

/** One object as the memory destination stores it. */
export interface MemoryObject {
  body: Buffer;
  contentType: string;
}

/** A Destination that keeps its objects in a Map; the Map's order is the order writes completed. */
export interface MemoryDestination extends Destination {
  readonly type: 'memory';
  /** The stored objects, in the order their writes completed (a failed write adds nothing). */
  readonly objects: ReadonlyMap<string, MemoryObject>;
}

/**
 * Creates an empty memory destination; `initial` objects are there before any write (e.g. to make a
 * key exist already). `locate` gives `memory://key`.
 */
export function createMemoryDestination(initial: Record<string, string | Buffer> = {}): MemoryDestination {
  const objects = new Map<string, MemoryObject>(
    Object.entries(initial).map(([key, body]) => [
      key,
      { body: Buffer.from(body), contentType: 'application/octet-stream' },
    ]),
  );
  const locate = (key: string) => `memory://${key}`;
  return {
    type: 'memory',
    objects,
    locate,
    async write(key: string, body: Readable, options: WriteOptions): Promise<void> {
      const chunks: Buffer[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          chunks.push(Buffer.from(chunk));
          callback();
        },
      });
      try {
        await pipeline(body, sink, { signal: options.signal });
      } catch (error) {
        if (!body.destroyed) body.destroy();
        // The body's own error (the source's cause) passes through unchanged, as with s3 and local.
        throw body.errored ?? error;
      }
      // Checked when the body has ended, as S3 (If-None-Match on the committing request) and local (link) do.
      if (objects.has(key)) {
        throw new BackupError(
          'DESTINATION_EXISTS',
          `refusing to overwrite existing backup ${locate(key)}: an object already exists at this key`,
        );
      }
      objects.set(key, { body: Buffer.concat(chunks), contentType: options.contentType });
    },
  };
}
