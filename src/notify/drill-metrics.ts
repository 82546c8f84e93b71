// Prometheus textfile of restore drills: per host and asset whether the last drill passed, when it ran
// and how long its restore took. Written next to the run's textfile, never into it (the run owns that).
import { writeAtomically } from '../shared/write-atomically.js';
import type { DrillRecord } from './drill-results.js';
import { escapeLabel as label, renderFamilies, siblingTextfile, type Family } from './prom-text.js';

/** The metric names `drill` writes (for alert rules and dashboards). */
export const DRILL_METRICS = {
  success: 'backup_agent_drill_success',
  lastTimestamp: 'backup_agent_drill_last_timestamp_seconds',
  restoreSeconds: 'backup_agent_drill_restore_seconds',
} as const;

/** The drill textfile for the run's `textfile`: `backup_agent.prom` -> `backup_agent-drill.prom`, same directory. */
export function drillMetricsPath(textfile: string): string {
  return siblingTextfile(textfile, 'drill');
}

/** Renders the three drill families for every record. */
export function renderDrillMetrics(drills: DrillRecord[]): string {
  const families: Family<DrillRecord>[] = [
    [DRILL_METRICS.success, 'gauge', 'Whether the last restore drill passed (1) or failed (0).', (d) => (d.ok ? 1 : 0)],
    [DRILL_METRICS.lastTimestamp, 'gauge', 'When the last restore drill ran.', (d) => Date.parse(d.drilled_at) / 1000],
    [
      DRILL_METRICS.restoreSeconds,
      'gauge',
      'Seconds the last drill took to restore the backup.',
      (d) => d.restore_seconds,
    ],
  ];
  // In the records' order; the key is not used for labels (host and asset come from the record).
  const entries = drills.map((d) => [`${d.host}/${d.asset}`, d] as const);
  const lines = renderFamilies(families, entries, (_key, d) => `host="${label(d.host)}",asset="${label(d.asset)}"`);
  return `${lines.join('\n')}\n`;
}

/** Writes the textfile atomically (node_exporter never reads half a file). */
export async function writeDrillMetrics(path: string, drills: DrillRecord[]): Promise<void> {
  await writeAtomically(path, renderDrillMetrics(drills));
}
