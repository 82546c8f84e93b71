import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { Measure } from './measure.js';

/** Streams `chunks` through `measure` and returns what came out the other side. */
async function passThrough(measure: Measure, chunks: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      out.push(chunk);
      callback();
    },
  });
  await pipeline(Readable.from(chunks), measure, sink);
  return Buffer.concat(out);
}

describe('Measure', () => {
  it('passes bytes through unchanged and reports their count and sha256', async () => {
    const chunks = [randomBytes(3 * 1024 * 1024), Buffer.alloc(0), randomBytes(17), randomBytes(65536)];
    const all = Buffer.concat(chunks);
    const measure = new Measure({ hash: true });
    const out = await passThrough(measure, chunks);
    expect(out.length).toBe(all.length);
    expect(out.equals(all)).toBe(true); // toEqual on megabytes is very slow
    expect(measure.bytes).toBe(all.length);
    expect(measure.sha256()).toBe(createHash('sha256').update(all).digest('hex'));
    expect(measure.sha256()).toBe(createHash('sha256').update(all).digest('hex'));
  });

  it('reports the sha256 of nothing for an empty stream', async () => {
    const measure = new Measure({ hash: true });
    expect((await passThrough(measure, [])).length).toBe(0);
    expect(measure.bytes).toBe(0);
    expect(measure.sha256()).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('only counts when created without hashing', async () => {
    const measure = new Measure({ hash: false });
    await passThrough(measure, [Buffer.from('hello')]);
    expect(measure.bytes).toBe(5);
    expect(() => measure.sha256()).toThrow('Measure was created without hashing');
  });
});
