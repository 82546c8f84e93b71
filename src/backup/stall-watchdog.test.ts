import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Measure } from '../transforms/measure.js';
import { describeStall, watchForStall, type StageName } from './stall-watchdog.js';

/** Resolves with the stage blamed, or 'none' if nothing was reported within `waitMs`. */
function watch(
  options: Omit<Parameters<typeof watchForStall>[0], 'onStall'>,
  waitMs: number,
): Promise<StageName | 'none'> {
  return new Promise((resolve) => {
    const stop = watchForStall({ ...options, onStall: resolve });
    setTimeout(() => {
      stop();
      resolve('none');
    }, waitMs);
  });
}

describe('watchForStall', () => {
  it('stays quiet while any counter moves, and trips once they all stop', async () => {
    let bytes = 0;
    const mover = setInterval(() => {
      bytes += 1;
    }, 20);
    const started = Date.now();
    const stopMoving = sleep(600).then(() => clearInterval(mover));
    const blamed = await watch({ meters: [() => bytes, () => undefined], stages: [], timeoutMs: 400 }, 3_000);
    await stopMoving;
    expect(blamed).toBe('source');
    expect(Date.now() - started).toBeGreaterThanOrEqual(600 + 400);
  });

  it('blames the upload when data waits for it, a stage with data waiting at its input, else the source', async () => {
    const stored = new Measure({ hash: false });
    stored.write(Buffer.alloc(1024)); // nobody reads it: it waits at the upload
    const encrypt = new PassThrough({ highWaterMark: 16 });
    encrypt.pause();
    encrypt.write(Buffer.alloc(64));
    encrypt.write(Buffer.alloc(64)); // beyond its buffers: waits at its input
    const idle = new PassThrough();
    const stages = (upload: Measure) => [
      { name: 'upload' as const, blocked: () => upload.writableEnded || upload.readableLength > 0 },
      { name: 'encryption' as const, blocked: () => encrypt.writableLength > 0 },
    ];
    expect(await watch({ meters: [() => 1], stages: stages(stored), timeoutMs: 100 }, 2_000)).toBe('upload');
    expect(
      await watch({ meters: [() => 1], stages: stages(new Measure({ hash: false })), timeoutMs: 100 }, 2_000),
    ).toBe('encryption');
    expect(
      await watch(
        { meters: [() => 1], stages: [{ name: 'compressor', blocked: () => idle.writableLength > 0 }], timeoutMs: 100 },
        2_000,
      ),
    ).toBe('source');
  });

  it('says what stopped and which bound tripped', () => {
    expect(describeStall('source', 600_000)).toBe(
      'stalled: nothing moved for 10m (stall_timeout): the source stopped producing data',
    );
    expect(describeStall('upload', 3_000)).toBe(
      'stalled: nothing moved for 3s (stall_timeout): the upload stopped taking data',
    );
  });
});
