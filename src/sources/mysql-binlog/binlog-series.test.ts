import { describe, expect, it } from 'vitest';
import { parseSegmentName, segmentStem, seriesName, seriesPrefix } from './binlog-series.js';

describe('binlog series keys', () => {
  it('names a series by server_id and start stamp, and sorts segments by number', () => {
    const series = seriesName(7, new Date('2026-12-05T18:41:31.667Z'));
    expect(series).toBe('7-20261205T184131Z');
    const folder = seriesPrefix('backups/', 'db-1', 'shop-binlog', series);
    expect(folder).toBe('backups/binlog/db-1/shop-binlog/7-20261205T184131Z/');
    const stems = [segmentStem(folder, 10, 'binlog.000002', 0, 99), segmentStem(folder, 9, 'binlog.000001', 5, 6)];
    expect(stems.sort()[0]).toContain('00000009--binlog.000001--5-6');
  });
  it('reads a segment manifest name back, and nothing else', () => {
    expect(parseSegmentName('00000012--binlog.000003--595-826.json')).toEqual({
      segment: 12,
      file: 'binlog.000003',
      from: 595,
      to: 826,
    });
    expect(parseSegmentName('00000012--binlog.000003--595-826.binlog.zst')).toBeUndefined();
  });
});
