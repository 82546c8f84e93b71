// The Destination (write side) contract as one test suite, run against every implementation
// (memory, local, S3 on moto with the put-only user); the contract is written in src/destinations/destination.ts.
import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Destination } from '../../../src/destinations/destination.js';
import { artifactKey, manifestKey, type KeyContext } from '../../../src/layout/keys.js';
import { BackupError, isAbortError } from '../../../src/shared/backup-error.js';

/** A destination under test, with a way to look at what it stored (as an admin would). */
export interface DestinationFixture {
  destination: Destination;
  /** Prefix unique to this fixture (one per test); every key goes under it. */
  root: string;
  /** The bytes stored at `key`, read around the destination; undefined when there is no object. */
  read: (key: string) => Promise<Buffer | undefined>;
  /** Every entry under `root`, unfinished ones included (local: hidden temp files), sorted. */
  entries: () => Promise<string[]>;
  /**
   * S3 only: multipart uploads still open at `key`, and how many the design says a failed body
   * leaves (put-only credentials may not abort: 1; the warning is logged, see s3-destination.ts).
   */
  openUploads?: { count: (key: string) => Promise<number>; afterBodyError: number; warnings: () => string[] };
}

const MiB = 1024 * 1024;
/** Large enough for several S3 parts of 5 MiB (the smallest part_size). */
const LARGE = 12 * MiB + 4321;
/** How long an aborted write may take to reject (requests in flight are aborted, not awaited out). */
const PROMPT_MS = 5_000;

const options = (signal = new AbortController().signal) => ({ signal, contentType: 'application/zstd' });

/** Yields `data` in uneven chunks, throwing `fail.error` once `fail.at` bytes were yielded. */
function chunked(data: Buffer, fail?: { at: number; error: Error }): Readable {
  return Readable.from(
    (function* () {
      let offset = 0;
      while (offset < data.length) {
        if (fail && offset >= fail.at) throw fail.error;
        const size = 65_536 + (offset % 7919);
        yield data.subarray(offset, offset + size);
        offset += size;
      }
    })(),
  );
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Registers the contract tests for `name`; `fixture` is called once per test. */
export function describeDestinationContract(
  name: string,
  fixture: () => DestinationFixture | Promise<DestinationFixture>,
): void {
  describe(`Destination contract: ${name}`, () => {
    it('stores exactly the bytes of a body, small, large (several S3 parts) or empty', async () => {
      const { destination, root, read, entries } = await fixture();
      const bodies = { small: Buffer.from('hello world\n'), large: randomBytes(LARGE), empty: Buffer.alloc(0) };
      for (const [label, data] of Object.entries(bodies))
        await destination.write(`${root}${label}.bin`, chunked(data), options());
      for (const [label, data] of Object.entries(bodies)) {
        const stored = await read(`${root}${label}.bin`);
        expect(stored?.length, label).toBe(data.length);
        expect(stored?.equals(data), label).toBe(true);
      }
      expect(await entries()).toEqual(['empty.bin', 'large.bin', 'small.bin'].map((k) => `${root}${k}`));
    });

    it('keys with every character of the layout (tier/date/host/asset, stamp--label--random suffix) are stored as given', async () => {
      const { destination, root, read, entries } = await fixture();
      const ctx: KeyContext = {
        prefix: root,
        tier: 'weekly',
        day: '2026-11-22',
        stamp: '20261122T031500Z',
        host: 'web-1.example_org',
        randomize: true,
      };
      const keys = [artifactKey(ctx, 'shop_db-2', 'sql.zst.age', 'billing 2024/ü'), manifestKey(ctx)];
      expect(keys[0]).toMatch(/--billing_2024__--[A-Za-z0-9_-]{64}\.sql\.zst\.age$/);
      for (const key of keys) await destination.write(key, Readable.from([Buffer.from(key)]), options());
      for (const key of keys) expect((await read(key))?.toString()).toBe(key);
      expect(await entries()).toEqual([...keys].sort());
      expect(destination.locate(keys[0]!)).toContain(keys[0]);
    });

    it('never overwrites an existing key: DESTINATION_EXISTS naming the location, the first bytes stay', async () => {
      const { destination, root, read } = await fixture();
      const key = `${root}daily/2026-11-22/h/www/20261122T031500Z.tar.zst`;
      await destination.write(key, chunked(Buffer.from('the older backup')), options());
      for (const size of [10, LARGE]) {
        const error = await rejection(destination.write(key, chunked(randomBytes(size)), options()));
        expect(error).toBeInstanceOf(BackupError);
        expect((error as BackupError).code).toBe('DESTINATION_EXISTS');
        expect((error as BackupError).message).toContain(
          `refusing to overwrite existing backup ${destination.locate(key)}`,
        );
      }
      expect((await read(key))?.toString()).toBe('the older backup');
    });

    it("a body that fails midway: rejects with the body's own error, nothing stored", async () => {
      const { destination, root, read, entries, openUploads } = await fixture();
      const key = `${root}broken.tar.zst`;
      const failure = new Error('tar exited 2: Input/output error at 7 MiB');
      const error = await rejection(
        destination.write(key, chunked(randomBytes(LARGE), { at: 7 * MiB, error: failure }), options()),
      );
      expect(error).toBe(failure);
      expect(await read(key)).toBeUndefined();
      expect(await entries()).toEqual([]);
      if (openUploads) {
        expect(await openUploads.count(key)).toBe(openUploads.afterBodyError);
        expect(openUploads.warnings().join('\n')).toContain(
          'an unfinished multipart upload may remain (abort denied, as expected for put-only credentials)',
        );
      }
    });

    it('a body that fails before its first byte: rejects with that error, nothing stored', async () => {
      const { destination, root, entries } = await fixture();
      const failure = new Error('mysqldump exited 2');
      const body = new Readable({
        read() {
          this.destroy(failure);
        },
      });
      expect(await rejection(destination.write(`${root}early.sql.zst`, body, options()))).toBe(failure);
      expect(await entries()).toEqual([]);
    });

    it('an abort mid-body rejects promptly with an AbortError, destroys the body, stores nothing', async () => {
      const { destination, root, read, entries } = await fixture();
      const key = `${root}aborted.tar.zst`;
      const controller = new AbortController();
      const body = new PassThrough();
      const written = rejection(destination.write(key, body, options(controller.signal)));
      body.write(randomBytes(7 * MiB)); // more than one S3 part: a request is in flight
      await new Promise((resolve) => setTimeout(resolve, 300));
      const aborted = performance.now();
      controller.abort();
      const error = await written;
      expect(performance.now() - aborted).toBeLessThan(PROMPT_MS);
      expect(isAbortError(error), String(error)).toBe(true);
      expect(body.destroyed).toBe(true);
      expect(await read(key)).toBeUndefined();
      expect(await entries()).toEqual([]);
    });

    it('a signal aborted before the write: rejects with an AbortError, stores nothing', async () => {
      const { destination, root, entries } = await fixture();
      const error = await rejection(
        destination.write(`${root}late.tar.zst`, chunked(Buffer.from('bytes')), options(AbortSignal.abort())),
      );
      expect(isAbortError(error), String(error)).toBe(true);
      expect(await entries()).toEqual([]);
    });
  });
}
