import { describe, expect, it } from 'vitest';
import type { ListedSegment, ListedSeries } from './list-series.js';
import { replayChain, seriesHolding } from './replay-chain.js';

const seg = (segment: number, file: string, from: number, to: number, data = true): ListedSegment => ({
  segment,
  file,
  from,
  to,
  manifestKey: `s/${segment}.json`,
  ...(data ? { data: { key: `s/${segment}.binlog.zst`, size: 10 } } : {}),
});

const series = (name: string, segments: ListedSegment[]): ListedSeries => ({
  host: 'h',
  asset: 'a',
  series: name,
  folder: `p/binlog/h/a/${name}/`,
  segments,
});

describe('replayChain', () => {
  const rotation = [
    seg(1, 'binlog.000001', 0, 500),
    seg(2, 'binlog.000001', 500, 900),
    seg(3, 'binlog.000002', 0, 300),
  ];

  it('runs from byte 0 of the dump file across a rotation and reaches the dump position', () => {
    const chain = replayChain(rotation, { file: 'binlog.000001', position: 700 });
    expect(chain.segments.map((s) => s.segment)).toEqual([1, 2, 3]);
    expect(chain.reaches).toBe(true);
    expect(chain.gap).toBeUndefined();
  });

  it('a segment without its data object ends the chain there, named as missing', () => {
    const chain = replayChain(
      [rotation[0], seg(2, 'binlog.000001', 500, 900, false), rotation[2]].filter((s) => s !== undefined),
      {
        file: 'binlog.000001',
        position: 100,
      },
    );
    expect(chain.segments.map((s) => s.segment)).toEqual([1]);
    expect(chain.reaches).toBe(true);
    expect(chain.gap?.message).toBe('segment 00000002 missing (no data object): binlog.000001 bytes 500-900');
  });

  it('a missing segment between two is the gap; a position past the hole is not reached', () => {
    const chain = replayChain([seg(1, 'binlog.000001', 0, 500), seg(3, 'binlog.000001', 900, 1000)], {
      file: 'binlog.000001',
      position: 950,
    });
    expect(chain.segments.map((s) => s.segment)).toEqual([1]);
    expect(chain.reaches).toBe(false);
    expect(chain.gap?.message).toMatch(/binlog\.000001 bytes 500-900 are missing/);
  });

  it('a file whose first bytes are not stored cannot start a replay', () => {
    const chain = replayChain([seg(4, 'binlog.000003', 200, 400)], { file: 'binlog.000003', position: 300 });
    expect(chain.segments).toEqual([]);
    expect(chain.reaches).toBe(false);
    expect(chain.gap?.message).toMatch(/binlog\.000003 byte 0 is in no segment/);
  });
});

describe('seriesHolding', () => {
  it('takes the newest series (by its stamp) that has segments of the file', () => {
    const old = series('7-20261201T000000Z', [seg(1, 'binlog.000001', 0, 10)]);
    const newer = series('9-20261202T000000Z', [seg(1, 'binlog.000001', 0, 10)]);
    const other = series('8-20261203T000000Z', [seg(1, 'binlog.000009', 0, 10)]);
    expect(seriesHolding([newer, other, old], { file: 'binlog.000001', position: 4 }, 'w').series).toBe(
      '9-20261202T000000Z',
    );
    expect(() => seriesHolding([other], { file: 'binlog.000001', position: 4 }, 'where')).toThrow(
      /no binlog series under where holds binlog\.000001 byte 4 \(series there: 8-20261203T000000Z\)/,
    );
  });
});
