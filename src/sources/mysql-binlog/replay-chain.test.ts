import { describe, expect, it } from 'vitest';
import { chainReaches, nextBinlogFile, replayChain, type SegmentRef } from './replay-chain.js';

const ref = (segment: number, file: string, from: number, to: number): SegmentRef => ({
  segment,
  file,
  from,
  to,
  manifestKey: `${segment}.json`,
  dataKey: `${segment}.binlog.zst`,
  dataSize: 10,
});
const series = [
  ref(1, 'binlog.000001', 0, 100),
  ref(2, 'binlog.000001', 100, 250),
  ref(3, 'binlog.000002', 0, 80),
  ref(4, 'binlog.000002', 80, 90),
];
const start = { file: 'binlog.000001', position: 120 };

describe('segment chain', () => {
  it('follows segments across a rotation from byte 0 of the start file', () => {
    const chain = replayChain([...series].reverse(), start);
    expect(chain.segments.map((s) => s.segment)).toEqual([1, 2, 3, 4]);
    expect(chain.gap).toBeUndefined();
    expect(chainReaches(chain, start)).toBe(true);
    expect(nextBinlogFile('binlog.000009')).toBe('binlog.000010');
  });
  it('names the first hole: a missing segment, a missing data object, bytes that do not follow', () => {
    expect(
      replayChain(
        series.filter((s) => s.segment !== 3),
        start,
      ).gap?.message,
    ).toBe('segment 00000003 missing: binlog.000001 bytes 250 to binlog.000002 byte 80');
    const { dataKey: _, ...noData } = ref(2, 'binlog.000001', 100, 250);
    const chain = replayChain([series[0]!, noData, ...series.slice(2)], start);
    expect(chain.segments).toHaveLength(1);
    expect(chain.gap?.message).toBe('segment 00000002 missing (no data object): binlog.000001 bytes 100-250');
    expect(chainReaches(chain, start)).toBe(false);
    const shifted = [series[0]!, ref(2, 'binlog.000001', 110, 250)];
    expect(replayChain(shifted, start).gap?.message).toBe('segment 00000002 missing: binlog.000001 bytes 100-110');
  });
  it('says when the start file is not there from byte 0', () => {
    expect(replayChain(series.slice(1), start).gap?.message).toMatch(/^binlog.000001 bytes 0-100 missing/);
    expect(replayChain(series, { file: 'binlog.000007', position: 4 }).gap?.message).toBe(
      'binlog.000007 is not in the series',
    );
  });
});
