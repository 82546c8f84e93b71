import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { ChecksumGate } from './checksum-gate.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function run(data: Buffer, expected: { sha256: string; bytes: number }): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(
    Readable.from([data.subarray(0, 10), data.subarray(10)]),
    new ChecksumGate({ ...expected, location: 's3://b/k' }),
    new Writable({
      write(chunk: Buffer, _e, cb) {
        out.push(chunk);
        cb();
      },
    }),
  );
  return Buffer.concat(out);
}

describe('ChecksumGate', () => {
  const data = Buffer.from('some stored bytes of a backup');
  it('passes matching bytes through unchanged', async () => {
    expect(await run(data, { sha256: sha(data), bytes: data.length })).toEqual(data);
  });
  it('fails at the end on a different size or hash, naming the location', async () => {
    await expect(run(data, { sha256: sha(data), bytes: data.length + 1 })).rejects.toMatchObject({
      code: 'INTEGRITY_FAILED',
      message: `s3://b/k: size mismatch: read ${data.length} bytes, the manifest says ${data.length + 1} (the object is truncated, corrupted or was replaced)`,
    });
    const flipped = Buffer.from(data);
    flipped[3] = flipped[3]! ^ 1;
    await expect(run(flipped, { sha256: sha(data), bytes: data.length })).rejects.toMatchObject({
      code: 'INTEGRITY_FAILED',
      message: expect.stringContaining('s3://b/k: sha256 mismatch: the stored bytes hash to') as string,
    });
  });
});
