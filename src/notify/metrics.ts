// Prometheus textfile (node_exporter's textfile collector): per-asset success time, status, bytes, duration.
import { writeAtomically } from '../shared/write-atomically.js';
import type { LastRunState } from './last-run.js';

const STATUS_CODE: Record<string, number> = { ok: 0, partial: 1, failed: 2 };

/** Escapes a label value per the text exposition format. */
const label = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/** Renders the metrics for every asset in `state` in the Prometheus text format. */
export function renderMetrics(state: LastRunState): string {
  const families: [string, string, string, (s: LastRunState['assets'][string]) => number | undefined][] = [
    ['backup_agent_last_success_timestamp_seconds', 'gauge', 'Start time of the last run that stored the asset.', (a) => (a.last_success_at ? Date.parse(a.last_success_at) / 1000 : undefined)],
    ['backup_agent_last_run_timestamp_seconds', 'gauge', 'Start time of the last run of the asset.', (a) => Date.parse(a.last_run_at) / 1000],
    ['backup_agent_last_run_status', 'gauge', 'Status of the last run: 0 ok, 1 partial, 2 failed.', (a) => STATUS_CODE[a.last_status] ?? 2],
    ['backup_agent_last_run_bytes_read', 'gauge', 'Bytes read from the source in the last run.', (a) => a.bytes_read],
    ['backup_agent_last_run_bytes_stored', 'gauge', 'Bytes stored (compressed, encrypted) in the last run.', (a) => a.bytes_stored],
    ['backup_agent_last_run_duration_seconds', 'gauge', 'Duration of the last run of the asset.', (a) => a.duration_ms / 1000],
  ];
  const lines: string[] = [];
  for (const [name, type, help, value] of families) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [asset, state_] of Object.entries(state.assets).sort(([a], [b]) => a.localeCompare(b))) {
      const v = value(state_);
      if (v !== undefined) lines.push(`${name}{host="${label(state.host)}",asset="${label(asset)}"} ${v}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Writes the textfile atomically (node_exporter must never read half a file). */
export async function writeMetrics(path: string, state: LastRunState): Promise<void> {
  await writeAtomically(path, renderMetrics(state));
}
