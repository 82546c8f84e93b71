// The BackupStore contract as one test suite, run against every implementation (local, S3 on moto).
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import type { BackupStore } from '../../../src/destinations/backup-store.js';
import type { BackupError } from '../../../src/shared/backup-error.js';

/** A store under test with a way to put objects into it (as an admin would). */
export interface StoreFixture {
  store: BackupStore;
  /** Writes an object directly (not through the store, which never writes). */
  put: (key: string, body: string) => Promise<void>;
  /** Prefix unique to this fixture, all keys go under it. */
  root: string;
}

const signal = new AbortController().signal;

async function collect(
  iterable: AsyncIterable<{ key: string; size: number }>,
): Promise<{ key: string; size: number }[]> {
  const out: { key: string; size: number }[] = [];
  for await (const o of iterable) out.push(o);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<BackupError> {
  try {
    await promise;
  } catch (error) {
    return error as BackupError;
  }
  throw new Error('expected a rejection');
}

/** Registers the contract tests for `name`; `fixture` is called once per test. */
export function describeStoreContract(name: string, fixture: () => StoreFixture | Promise<StoreFixture>): void {
  describe(`BackupStore contract: ${name}`, () => {
    it('lists every key under a prefix in byte order, with sizes, across pages; nothing outside the prefix', async () => {
      const { store, put, root } = await fixture();
      const keys = Array.from({ length: 7 }, (_, i) => `${root}daily/2026-11-0${i + 1}/web-1/x.manifest.json`);
      for (const key of [...keys].reverse()) await put(key, `body of ${key}`);
      await put(`${root}dailyx/other`, 'outside');
      await put(`${root}weekly/2026-11-01/web-1/y`, 'other tier');
      const listed = await collect(store.list(`${root}daily/`, { signal }));
      expect(listed.map((o) => o.key)).toEqual(keys);
      expect(listed[0]!.size).toBe(`body of ${keys[0]}`.length);
    });

    it('startAfter skips earlier days', async () => {
      const { store, put, root } = await fixture();
      for (const day of ['2026-11-01', '2026-11-02', '2026-11-03']) await put(`${root}daily/${day}/h/a`, day);
      const listed = await collect(store.list(`${root}daily/`, { startAfter: `${root}daily/2026-11-02`, signal }));
      expect(listed.map((o) => o.key)).toEqual([`${root}daily/2026-11-02/h/a`, `${root}daily/2026-11-03/h/a`]);
    });

    it('lists nothing under a prefix without objects', async () => {
      const { store, root } = await fixture();
      expect(await collect(store.list(`${root}nothing-here/`, { signal }))).toEqual([]);
    });

    it('stat gives the size; open streams the bytes', async () => {
      const { store, put, root } = await fixture();
      const key = `${root}daily/2026-11-01/h/asset/20261101T000000Z.tar.zst`;
      await put(key, 'x'.repeat(3000));
      expect(await store.stat(key, signal)).toEqual({ key, size: 3000 });
      expect(await text(await store.open(key, signal))).toBe('x'.repeat(3000));
    });

    it('a missing key: stat and open reject with DESTINATION_NOT_FOUND naming the location', async () => {
      const { store, root } = await fixture();
      const key = `${root}daily/2026-11-01/h/missing.tar`;
      for (const error of [await rejection(store.stat(key, signal)), await rejection(store.open(key, signal))]) {
        expect(error.code).toBe('DESTINATION_NOT_FOUND');
        expect(error.message).toContain(store.locate(key));
      }
    });
  });
}
