// Prometheus textfile of the binlog streams (`backup-agent binlog`): per asset when the stream was last
// caught up (everything the server had sent was stored), how far behind it is, and when a segment last
// landed. Written next to the run's textfile (`backup_agent-binlog.prom`), never into it.
import { writeAtomically } from '../shared/write-atomically.js';
import { escapeLabel as label, renderFamilies, siblingTextfile, type Family } from './prom-text.js';

/** The metric names `binlog` writes (for alert rules and dashboards). */
export const BINLOG_METRICS = {
  caughtUp: 'backup_agent_binlog_caught_up_timestamp_seconds',
  lag: 'backup_agent_binlog_lag_seconds',
  lastShipped: 'backup_agent_binlog_last_shipped_timestamp_seconds',
} as const;

/** What one stream reported last (epoch milliseconds). */
export interface BinlogProgress {
  /** The last moment everything the server had sent was stored (or when following began, if never). */
  caughtUpAt: number;
  /** When the last segment landed, if one did since the command started. */
  shippedAt?: number;
}

/** The binlog textfile for the run's `textfile`. */
export const binlogMetricsPath = (textfile: string): string => siblingTextfile(textfile, 'binlog');

/** Renders the binlog families for every asset; `now` makes the lag (an alert should use caught_up: it goes stale with a dead streamer). */
export function renderBinlogMetrics(host: string, streams: Map<string, BinlogProgress>, now: number): string {
  const families: Family<BinlogProgress>[] = [
    [
      BINLOG_METRICS.caughtUp,
      'gauge',
      'When everything the server had sent was last stored.',
      (p) => p.caughtUpAt / 1000,
    ],
    [
      BINLOG_METRICS.lag,
      'gauge',
      'Seconds since the stream was last caught up, when this file was written.',
      (p) => Math.max(0, now - p.caughtUpAt) / 1000,
    ],
    [
      BINLOG_METRICS.lastShipped,
      'gauge',
      'When the last binlog segment landed.',
      (p) => p.shippedAt && p.shippedAt / 1000,
    ],
  ];
  const entries = [...streams].sort(([a], [b]) => a.localeCompare(b));
  const lines = renderFamilies(families, entries, (asset) => `host="${label(host)}",asset="${label(asset)}"`);
  return `${lines.join('\n')}\n`;
}

/** Writes the textfile atomically (node_exporter never reads half a file). */
export async function writeBinlogMetrics(
  path: string,
  host: string,
  streams: Map<string, BinlogProgress>,
): Promise<void> {
  await writeAtomically(path, renderBinlogMetrics(host, streams, Date.now()));
}
