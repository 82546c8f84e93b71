import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupError } from '../shared/backup-error.js';
import { findOnPath } from '../shared/find-on-path.js';
import { compressionExtension, planCompressor } from './compress.js';

// Compressible but not trivial: repeated text with random bytes mixed in.
const input = Buffer.concat(
  Array.from({ length: 200 }, (_, i) =>
    Buffer.concat([Buffer.from(`line ${i} of a dump\n`.repeat(50)), randomBytes(64)]),
  ),
);
const signal = new AbortController().signal;

/** Asserts equal bytes (vitest's toEqual compares buffers byte by byte, slowly). */
function expectBytes(actual: Uint8Array, expected: Buffer): void {
  expect(actual.length).toBe(expected.length);
  expect(Buffer.from(actual).equals(expected)).toBe(true);
}

async function run(stage: Duplex, bytes: Buffer): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      out.push(chunk);
      callback();
    },
  });
  await pipeline(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), stage, sink);
  return Buffer.concat(out);
}

describe('planCompressor', () => {
  let noZstdDir: string;
  beforeAll(async () => {
    noZstdDir = await mkdtemp(join(tmpdir(), 'no-zstd-'));
  });
  afterAll(async () => {
    await rm(noZstdDir, { recursive: true, force: true });
  });

  it('uses the zstd binary on PATH; its output decompresses with zstd -d', async () => {
    const binary = await findOnPath('zstd');
    if (!binary) throw new Error('these tests need the zstd binary on PATH (apt-get install zstd)');
    const plan = await planCompressor('zstd');
    expect(plan).toMatchObject({ algorithm: 'zstd', level: 3 });
    expect(plan.engine).toBe(`zstd binary ${binary} -3 -T0 --no-progress`);

    const compressed = await run(plan.create(signal)!, input);
    expect(compressed.length).toBeLessThan(input.length / 5);
    const restored = await execa(binary, ['-d', '-c'], { input: compressed, encoding: 'buffer' });
    expectBytes(restored.stdout, input);
  });

  it('passes the configured zstd level to the binary', async () => {
    const plan = await planCompressor('zstd', 19);
    expect(plan.level).toBe(19);
    expect(plan.engine).toMatch(/ -19 -T0/);
  });

  it('without a zstd binary on Node lacking zlib zstd, says how to fix it', async () => {
    const env = { PATH: noZstdDir };
    const createZstdCompress = (zlib as unknown as { createZstdCompress?: unknown }).createZstdCompress;
    if (createZstdCompress === undefined) {
      const error = await planCompressor('zstd', undefined, env).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BackupError);
      expect((error as BackupError).code).toBe('SOURCE_MISSING_TOOL');
      expect((error as BackupError).message).toContain('no zstd binary on PATH');
      expect((error as BackupError).message).toContain('install the zstd package');
      expect((error as BackupError).message).toContain('compression.algorithm: gzip');
    } else {
      const plan = await planCompressor('zstd', undefined, env);
      expect(plan.engine).toBe('node zlib zstd -3');
      const compressed = await run(plan.create(signal)!, input);
      const decompress = (zlib as unknown as { zstdDecompressSync: (b: Buffer) => Buffer }).zstdDecompressSync;
      expectBytes(decompress(compressed), input);
    }
  });

  it('gzip round-trips through gunzip at the default and a chosen level', async () => {
    const plan = await planCompressor('gzip', undefined, { PATH: noZstdDir });
    expect(plan).toMatchObject({ algorithm: 'gzip', level: 6, engine: 'node zlib gzip -6' });
    expectBytes(zlib.gunzipSync(await run(plan.create(signal)!, input)), input);

    const fast = await planCompressor('gzip', 1);
    expect(fast.engine).toBe('node zlib gzip -1');
    expectBytes(zlib.gunzipSync(await run(fast.create(signal)!, input)), input);
  });

  it('the zstd binary stage fails when the run is aborted mid-stream', async () => {
    const controller = new AbortController();
    const stage = (await planCompressor('zstd')).create(controller.signal)!;
    const endless = new Readable({
      read() {
        this.push(randomBytes(64 * 1024));
      },
    });
    const running = pipeline(
      endless,
      stage,
      new Writable({
        write(_chunk, _encoding, callback) {
          callback();
        },
      }),
    );
    setTimeout(() => controller.abort(), 100);
    await expect(running).rejects.toThrow();
    expect(endless.destroyed).toBe(true);
  });

  it('none creates no stage', async () => {
    const plan = await planCompressor('none', 5);
    expect(plan).toMatchObject({ algorithm: 'none', level: undefined, engine: 'none' });
    expect(plan.create(signal)).toBeUndefined();
  });

  it('compresses an empty stream to something that decompresses to nothing', async () => {
    const gzip = await planCompressor('gzip');
    expect(zlib.gunzipSync(await run(gzip.create(signal)!, Buffer.alloc(0)))).toEqual(Buffer.alloc(0));
    const zstd = await planCompressor('zstd');
    const restored = await execa('zstd', ['-d', '-c'], {
      input: await run(zstd.create(signal)!, Buffer.alloc(0)),
      encoding: 'buffer',
    });
    expect(Buffer.from(restored.stdout)).toEqual(Buffer.alloc(0));
  });
});

describe('compressionExtension', () => {
  it('names the extension appended for each algorithm', () => {
    expect(compressionExtension).toEqual({ zstd: 'zst', gzip: 'gz', none: '' });
  });
});
