import { describe, expect, it } from 'vitest';
import { nextBinlogFile, segmentChain, type ChainLink } from './segment-chain.js';

const link = (segment: number, file: string, from: number, to: number): ChainLink => ({ segment, file, from, to });
const series = [
  link(1, 'binlog.000001', 0, 400),
  link(2, 'binlog.000001', 400, 900),
  link(3, 'binlog.000002', 0, 256),
  link(4, 'binlog.000002', 256, 700),
  link(5, 'binlog.000003', 0, 100),
];

describe('segmentChain', () => {
  it('takes a whole series whose segments follow on, across rotations', () => {
    expect(segmentChain(series)).toEqual({ run: series });
    expect(segmentChain([])).toEqual({ run: [] });
  });

  it('stops at missing bytes inside a file and names them', () => {
    const chain = segmentChain(series.filter((s) => s.segment !== 4));
    // The end of binlog.000002 is gone: only the numbering shows it.
    expect(chain.run.map((s) => s.segment)).toEqual([1, 2, 3]);
    expect(chain.gap?.reason).toBe('segment-number');
    expect(chain.gap?.message).toMatch(
      /^segment 4 is missing between segment 3 \(binlog\.000002 0-256\) and segment 5/,
    );
    const inside = segmentChain([series[0], link(3, 'binlog.000001', 500, 900)] as ChainLink[]);
    expect(inside.gap).toMatchObject({ reason: 'missing-bytes', after: series[0] });
    expect(inside.gap?.message).toBe(
      'binlog.000001 bytes 400-500 are missing: segment 1 (binlog.000001 0-400) ends at 400, segment 3 (binlog.000001 500-900) begins at 500',
    );
  });

  it('names a whole missing file, a file that does not begin at 0, an overlap and a skipped number', () => {
    const skipFile = segmentChain([series[0], series[1], series[4]] as ChainLink[]);
    expect(skipFile.gap?.reason).toBe('missing-file');
    expect(skipFile.gap?.message).toMatch(/^binlog\.000002 is missing: segment 2 .* is followed by segment 5/);
    const late = segmentChain([series[1], link(3, 'binlog.000002', 256, 700)] as ChainLink[]);
    expect(late.gap).toMatchObject({ reason: 'missing-bytes' });
    expect(late.gap?.message).toMatch(/^binlog\.000002 bytes 0-256 are missing/);
    const overlap = segmentChain([series[0], link(2, 'binlog.000001', 300, 900)] as ChainLink[]);
    expect(overlap.gap).toMatchObject({ reason: 'overlap' });
    expect(overlap.gap?.message).toMatch(/bytes 300-400 are stored twice/);
    const renumbered = segmentChain([series[0], link(3, 'binlog.000001', 400, 900)] as ChainLink[]);
    expect(renumbered.gap?.reason).toBe('segment-number');
    expect(renumbered.gap?.message).toMatch(/^segment 2 is missing/);
  });

  it('starts at the segment holding a position, or says the position is not covered', () => {
    expect(segmentChain(series, { file: 'binlog.000001', position: 650 }).run.map((s) => s.segment)).toEqual([
      2, 3, 4, 5,
    ]);
    // The end of a file's last segment is its end: the replay goes on with the next file.
    expect(segmentChain(series, { file: 'binlog.000001', position: 900 }).run[0]?.segment).toBe(2);
    expect(segmentChain(series, { file: 'binlog.000001', position: 400 }).run[0]?.segment).toBe(2);
    const early = segmentChain(series.slice(1), { file: 'binlog.000001', position: 4 });
    expect(early).toMatchObject({ run: [], gap: { reason: 'start-not-covered' } });
    expect(early.gap?.message).toBe('binlog.000001 byte 4 is in no segment: the series holds binlog.000001 400-900');
    expect(segmentChain(series, { file: 'binlog.000009', position: 4 }).gap?.message).toMatch(
      /holds no segment of binlog\.000009/,
    );
  });

  it('a gap after the start ends the run there', () => {
    const chain = segmentChain(
      series.filter((s) => s.segment !== 3),
      { file: 'binlog.000001', position: 10 },
    );
    expect(chain.run.map((s) => s.segment)).toEqual([1, 2]);
    expect(chain.gap).toMatchObject({ reason: 'missing-bytes', after: series[1], next: series[3] });
  });
});

describe('nextBinlogFile', () => {
  it('counts up in the same width', () => {
    expect(nextBinlogFile('binlog.000009')).toBe('binlog.000010');
    expect(nextBinlogFile('mysql-bin.999999')).toBe('mysql-bin.1000000');
    expect(nextBinlogFile('binlog')).toBeUndefined();
  });
});
