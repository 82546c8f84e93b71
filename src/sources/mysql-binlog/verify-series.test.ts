import { mkdtemp, rm, unlink, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readArtifact } from '../../catalog/read-artifact.js';
import { localDestinationSchema } from '../../config/destination-schema.js';
import { createLocalDestination } from '../../destinations/local-destination.js';
import { createLocalStore } from '../../destinations/local-store.js';
import { planCompressor } from '../../transforms/compress.js';
import { NO_ENCRYPTION } from '../../transforms/encryptor-plan.js';
import type { PositionedDump, StreamVerifyRequest } from '../source.js';
import { seriesPrefix } from './binlog-series.js';
import { shipSegment } from './ship-segment.js';
import { verifyBinlogSeries } from './verify-series.js';

const T0 = 1_765_000_000;
const signal = new AbortController().signal;
let dir: string;

/** A binlog file: the magic, then one event per timestamp (19-byte header and a body). */
function binlogFile(stamps: number[]): Buffer {
  const events = stamps.map((stamp) => {
    const bytes = Buffer.alloc(19 + 30, 0x61);
    bytes.writeUInt32LE(stamp, 0);
    bytes.writeUInt32LE(49, 9);
    return bytes;
  });
  return Buffer.concat([Buffer.from([0xfe, 0x62, 0x69, 0x6e]), ...events]);
}

/** Ships `files` cut at `cuts` (byte offsets per file) as one series; resolves to the stored keys in order. */
async function ship(files: [string, Buffer, number[]][]): Promise<string[]> {
  const destination = createLocalDestination(localDestinationSchema.parse({ type: 'local', path: dir }));
  const store = { destination, compressor: await planCompressor('none'), encryptor: NO_ENCRYPTION };
  const folder = seriesPrefix('p/', 'db-1', 'shop-binlog', '7-20261206T010000Z');
  const keys: string[] = [];
  let segment = 1;
  for (const [file, bytes, cuts] of files) {
    const edges = [0, ...cuts, bytes.length];
    for (let i = 0; i + 1 < edges.length; i += 1) {
      const job = { host: 'db-1', asset: 'shop-binlog', series: '7-20261206T010000Z', serverId: 7, folder, file };
      const slice = bytes.subarray(edges[i], edges[i + 1]);
      const manifest = await shipSegment(store, { ...job, segment, from: edges[i] ?? 0, bytes: slice }, signal, () => {
        throw new Error('exists');
      });
      keys.push(manifest.key);
      segment += 1;
    }
  }
  return keys;
}

const dump = (host: string, position: number, started_at: string): PositionedDump => ({
  host,
  asset: 'shop-db',
  label: 'shop',
  started_at,
  key: `p/daily/2026-12-06/${host}/shop-db/x--shop.sql.zst`,
  binlog: { file: 'binlog.000001', position },
});

function request(dumps: PositionedDump[]): StreamVerifyRequest {
  const store = createLocalStore(dir);
  return {
    store,
    prefix: 'p/',
    dumps,
    read: (object, ...sinks) => readArtifact(object, { store, decryptor: undefined, signal }, ...sinks),
    signal,
  };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ba-verify-series-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('verifyBinlogSeries', () => {
  const first = binlogFile([T0, T0 + 1, T0 + 2, T0 + 3]);
  const second = binlogFile([T0 + 10, T0 + 11]);

  it('passes a whole series and gives the window from the oldest dump of its host whose position it holds', async () => {
    await ship([
      ['binlog.000001', first, [60, 130]],
      ['binlog.000002', second, []],
    ]);
    const dumps = [
      dump('db-2', 53, '2026-12-06T00:00:00.000Z'),
      dump('db-1', 102, '2026-12-06T00:10:00.000Z'),
      dump('db-1', 151, '2026-12-06T00:20:00.000Z'),
    ];
    const [verdict, ...rest] = await verifyBinlogSeries(request(dumps));
    expect(rest).toEqual([]);
    expect(verdict).toMatchObject({
      host: 'db-1',
      asset: 'shop-binlog',
      stream: '7-20261206T010000Z',
      ok: true,
      window: { from: '2026-12-06T00:10:00.000Z', to: new Date((T0 + 11) * 1000).toISOString() },
    });
    expect(verdict?.message).toMatch(
      /^4 segments contiguous, binlog\.000001 0 \.\. binlog\.000002 102; sizes and sha256/,
    );
  });

  it('names a segment whose bytes changed, and one whose object is gone', async () => {
    const keys = await ship([['binlog.000001', first, [60, 130]]]);
    const changed = join(dir, keys[1] ?? '');
    const bytes = await readFile(changed);
    bytes[5] = (bytes[5] ?? 0) ^ 1;
    await writeFile(changed, bytes);
    await unlink(join(dir, keys[2] ?? ''));
    const [verdict] = await verifyBinlogSeries(request([]));
    expect(verdict?.ok).toBe(false);
    expect(verdict?.message).toMatch(
      /3 segments: segment 2 \(binlog\.000001 60-130\): .*sha256 mismatch: the plaintext hash to [0-9a-f]+, the manifest says/,
    );
    expect(verdict?.message).toMatch(/segment 3 \(binlog\.000001 130-200\): its object \S+ is missing$/);
  });

  it('names a series that lost its first segment', async () => {
    const keys = await ship([['binlog.000001', first, [60]]]);
    for (const key of [keys[0] ?? '', (keys[0] ?? '').replace(/\.binlog$/, '.json')]) await unlink(join(dir, key));
    const [verdict] = await verifyBinlogSeries(request([]));
    expect(verdict?.message).toMatch(
      /the series begins with segment 2 \(binlog\.000001 60-200\): segment 1 is missing/,
    );
  });
});
