import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { dumpFooterWatch } from './dump-footer.js';

async function watchOf(chunks: string[]) {
  const watch = dumpFooterWatch();
  await pipeline(
    Readable.from(chunks.map((c) => Buffer.from(c))),
    watch,
    new Writable({ write: (_c, _e, cb) => cb() }),
  );
  return watch;
}

describe('dumpFooterWatch', () => {
  it('counts the bytes and sees the footer even when it is split across chunks', async () => {
    const watch = await watchOf([
      'CREATE TABLE t (a int);\n',
      'x'.repeat(2000),
      '\n-- Dump comp',
      'leted on 2026-11-22  3:15:00\n',
    ]);
    expect(watch.bytes).toBe(24 + 2000 + 13 + 29);
    expect(watch.complete()).toBe(true);
  });
  it('a dump cut short has no footer', async () => {
    expect((await watchOf(['-- Dump completed on 2026-11-21\n', 'INSERT INTO t VALUES (1'])).complete()).toBe(false);
  });
});
