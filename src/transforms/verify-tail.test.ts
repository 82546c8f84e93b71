import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { findOnPath } from '../shared/find-on-path.js';
import { TailVerifier } from './verify-tail.js';

const zstd = (await findOnPath('zstd'))!;
const tailBinary = (await findOnPath('tail'))!;

async function compress(data: Buffer): Promise<Buffer> {
  const { stdout } = await execa(zstd, ['-q', '-c', '-3'], { input: data, encoding: 'buffer', stripFinalNewline: false });
  return Buffer.from(stdout);
}

/** Streams `compressed` (in 64 KiB chunks) through a verifier; resolves to what came out and the verifier. */
async function verify(compressed: Buffer, check: (last: Buffer) => Error | undefined, slowSink = false) {
  const verifier = new TailVerifier({
    decompress: { file: zstd, args: ['-d', '-c', '-v', '--no-progress'] }, tailBinary, bytes: 32, signal: new AbortController().signal,
    check, failure: (message) => new Error(message),
  });
  const chunks = Array.from({ length: Math.ceil(compressed.length / 65536) }, (_, i) => compressed.subarray(i * 65536, (i + 1) * 65536));
  const out: Buffer[] = [];
  const sink = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _encoding, callback) { out.push(chunk); if (slowSink) setTimeout(callback, 1); else callback(); },
  });
  await pipeline(Readable.from(chunks), verifier, sink);
  return { out: Buffer.concat(out), verifier };
}

describe('TailVerifier', () => {
  it('passes the compressed bytes through unchanged, checks the decompressed end and reports the uncompressed size', async () => {
    const data = Buffer.concat([randomBytes(3 * 1024 * 1024), Buffer.from('\n-- Dump completed on 2026-12-01\n')]);
    const compressed = await compress(data);
    let seen: Buffer | undefined;
    const { out, verifier } = await verify(compressed, (last) => { seen = last; return undefined; }, true);
    expect(out.equals(compressed)).toBe(true);
    expect(seen!.toString('latin1')).toBe(data.subarray(-32).toString('latin1'));
    expect(verifier.uncompressedBytes).toBe(data.length);
  });

  it('errors, and so never ends, when the check rejects the end', async () => {
    const compressed = await compress(Buffer.from('CREATE TABLE t (a int);\nINSERT INTO t VALUES (1'));
    await expect(verify(compressed, () => new Error('no footer'))).rejects.toThrow('no footer');
  });

  it('errors when what passed is not a complete compressed stream', async () => {
    const compressed = await compress(randomBytes(1024 * 1024));
    await expect(verify(compressed.subarray(0, compressed.length - 100), () => undefined)).rejects.toThrow(/^verifying the stored stream failed: zstd -d exited 1: /);
  });
});
