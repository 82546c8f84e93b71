// The fan-out against memory destinations: same bytes everywhere, a failing or stalled destination is
// detached while the others complete, and the body's own error wins.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BackupError } from '../shared/backup-error.js';
import { silentLogger } from '../shared/logger.js';
import type { Destination } from './destination.js';
import { createFanOutDestination } from './fan-out-destination.js';
import { createMemoryDestination } from './memory-destination.js';

const options = () => ({ signal: new AbortController().signal, contentType: 'application/zstd' });
const data = randomBytes(3 * 1024 * 1024);
const body = () => Readable.from(Array.from({ length: 48 }, (_, i) => data.subarray(i * 65536, (i + 1) * 65536)));

/** A destination that reads `after` bytes and then fails (or, with `stall`, stops reading). */
function breaking(after: number, stall = false): Destination {
  return {
    type: 'memory',
    locate: (key) => `broken://${key}`,
    write: (key, stream) =>
      new Promise((_resolve, reject) => {
        let seen = 0;
        stream.on('data', (chunk: Buffer) => {
          seen += chunk.length;
          if (seen < after) return;
          if (stall) stream.pause();
          else {
            stream.destroy();
            reject(new BackupError('DESTINATION_UNREACHABLE', `broken://${key}: connection refused`));
          }
        });
        stream.on('error', reject);
      }),
  };
}

describe('createFanOutDestination', () => {
  it('writes the same bytes to every destination, each under its own prefix', async () => {
    const [a, b] = [createMemoryDestination(), createMemoryDestination()];
    const fan = createFanOutDestination(
      [
        { name: 'a', destination: a, prefix: 'web/' },
        { name: 'b', destination: b, prefix: 'copy/web/' },
      ],
      { lagTimeoutMs: 5_000, logger: silentLogger },
    );
    await fan.write('web/x.zst', body(), options());
    expect(a.objects.get('web/x.zst')?.body.equals(data)).toBe(true);
    expect(b.objects.get('copy/web/x.zst')?.body.equals(data)).toBe(true);
    expect(fan.failures('web/x.zst')).toEqual([]);
  });

  it('detaches a failing destination and completes the others', async () => {
    const good = createMemoryDestination();
    const fan = createFanOutDestination(
      [
        { name: 'near', destination: good, prefix: '' },
        { name: 'far', destination: breaking(1024 * 1024), prefix: '' },
      ],
      { lagTimeoutMs: 5_000, logger: silentLogger },
    );
    await fan.write('x.zst', body(), options());
    expect(good.objects.get('x.zst')?.body.equals(data)).toBe(true);
    expect(fan.failures('x.zst').map((f) => [f.name, (f.error as Error).message])).toEqual([
      ['far', 'broken://x.zst: connection refused'],
    ]);
  });

  it('detaches a destination that stops taking data while the others go on', async () => {
    const good = createMemoryDestination();
    const fan = createFanOutDestination(
      [
        { name: 'stuck', destination: breaking(512 * 1024, true), prefix: '' },
        { name: 'ok', destination: good, prefix: '' },
      ],
      { lagTimeoutMs: 300, logger: silentLogger },
    );
    await fan.write('x.zst', body(), options());
    expect(good.objects.get('x.zst')?.body.equals(data)).toBe(true);
    expect((fan.failures('x.zst')[0]?.error as Error).message).toMatch(/"stuck" took no data for 0s while the others/);
  });

  it("rejects with the first destination's error when all fail, and with the body's own error", async () => {
    const fan = createFanOutDestination(
      [
        { name: 'a', destination: breaking(100), prefix: '' },
        { name: 'b', destination: breaking(200), prefix: '' },
      ],
      { lagTimeoutMs: 5_000, logger: silentLogger },
    );
    const source = body();
    await expect(fan.write('x', source, options())).rejects.toThrow('broken://x: connection refused');
    expect(source.destroyed).toBe(true);
    const failing = new Readable({ read: () => undefined });
    failing.push(Buffer.alloc(1000));
    setTimeout(() => failing.destroy(new Error('tar exited 2')), 20);
    const fan2 = createFanOutDestination(
      [
        { name: 'a', destination: createMemoryDestination(), prefix: '' },
        { name: 'b', destination: createMemoryDestination(), prefix: '' },
      ],
      { lagTimeoutMs: 5_000, logger: silentLogger },
    );
    await expect(fan2.write('x', failing, options())).rejects.toThrow('tar exited 2');
  });
});
