import { describe, expect, it } from 'vitest';
import { BINLOG_METRICS, binlogMetricsPath, renderBinlogMetrics } from './binlog-metrics.js';

describe('renderBinlogMetrics', () => {
  it('writes caught-up time, lag at `now` and last shipment per asset, sorted, labels escaped', () => {
    const streams = new Map([
      ['shop', { caughtUpAt: 1_000_000, shippedAt: 990_000 }],
      ['a"b', { caughtUpAt: 1_030_000 }],
    ]);
    const text = renderBinlogMetrics('web-01', streams, 1_060_000);
    expect(text).toContain(`${BINLOG_METRICS.caughtUp}{host="web-01",asset="a\\"b"} 1030\n`);
    expect(text).toContain(`${BINLOG_METRICS.caughtUp}{host="web-01",asset="shop"} 1000\n`);
    expect(text).toContain(`${BINLOG_METRICS.lag}{host="web-01",asset="shop"} 60\n`);
    expect(text).toContain(`${BINLOG_METRICS.lag}{host="web-01",asset="a\\"b"} 30\n`);
    expect(text).toContain(`${BINLOG_METRICS.lastShipped}{host="web-01",asset="shop"} 990\n`);
    // No sample for a stream that has shipped nothing since the command started.
    expect(text).not.toMatch(/last_shipped_timestamp_seconds\{host="web-01",asset="a/);
    expect(text.indexOf('asset="a\\"b"')).toBeLessThan(text.indexOf('asset="shop"'));
  });

  it('never reports a negative lag (a caught-up time in the future after a clock step)', () => {
    const text = renderBinlogMetrics('h', new Map([['x', { caughtUpAt: 5_000 }]]), 1_000);
    expect(text).toContain(`${BINLOG_METRICS.lag}{host="h",asset="x"} 0\n`);
  });

  it('lives beside the run textfile', () => {
    expect(binlogMetricsPath('/var/lib/node_exporter/backup_agent.prom')).toBe(
      '/var/lib/node_exporter/backup_agent-binlog.prom',
    );
  });
});
