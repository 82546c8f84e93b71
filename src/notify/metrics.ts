// Prometheus textfile (node_exporter's textfile collector): per-asset success time, status, bytes, duration,
// per-destination success time and status (with several destinations), and the host's alert_after, so alert rules compare against the configured bound (examples/monitoring/).
import { writeAtomically } from '../shared/write-atomically.js';
import type { LastRunState } from './last-run.js';
import { escapeLabel as label, renderFamilies, type Family } from './prom-text.js';

const STATUS_CODE: Record<string, number> = { ok: 0, partial: 1, failed: 2 };

type AssetState = LastRunState['assets'][string];

/** The per-asset families: name, type, help, value (undefined: no sample for that asset). */
const ASSET_FAMILIES: Family<AssetState>[] = [
  [
    'backup_agent_last_success_timestamp_seconds',
    'gauge',
    'Start time of the last run that stored the asset.',
    (a) => (a.last_success_at ? Date.parse(a.last_success_at) / 1000 : undefined),
  ],
  [
    'backup_agent_last_run_timestamp_seconds',
    'gauge',
    'Start time of the last run of the asset.',
    (a) => Date.parse(a.last_run_at) / 1000,
  ],
  [
    'backup_agent_last_run_status',
    'gauge',
    'Status of the last run: 0 ok, 1 partial, 2 failed.',
    (a) => STATUS_CODE[a.last_status] ?? 2,
  ],
  ['backup_agent_last_run_read_bytes', 'gauge', 'Bytes read from the source in the last run.', (a) => a.bytes_read],
  [
    'backup_agent_last_run_stored_bytes',
    'gauge',
    'Bytes stored (compressed, encrypted) in the last run.',
    (a) => a.bytes_stored,
  ],
  [
    'backup_agent_last_run_duration_seconds',
    'gauge',
    'Duration of the last run of the asset.',
    (a) => a.duration_ms / 1000,
  ],
];

type DestinationState = NonNullable<LastRunState['destinations']>[string];

/** The per-destination families, written only with several destinations (label `destination`). */
const DESTINATION_FAMILIES: Family<DestinationState>[] = [
  [
    'backup_agent_destination_last_success_timestamp_seconds',
    'gauge',
    'Start time of the last run whose manifest the destination got, with everything the run stored.',
    (d) => (d.last_success_at ? Date.parse(d.last_success_at) / 1000 : undefined),
  ],
  [
    'backup_agent_destination_last_run_status',
    'gauge',
    'Status of the last run at the destination: 0 ok, 1 partial, 2 failed.',
    (d) => STATUS_CODE[d.last_status] ?? 2,
  ],
];

const ALERT_AFTER = 'backup_agent_alert_after_seconds';

/** Every metric name `run` writes (the monitoring examples' test checks the rules and dashboard against it). */
export const METRIC_NAMES: readonly string[] = [
  ...ASSET_FAMILIES.map(([name]) => name),
  ...DESTINATION_FAMILIES.map(([name]) => name),
  ALERT_AFTER,
];

/** The states of a record, sorted by name (the textfile's order). */
const byName = <S>(states: Record<string, S>): [string, S][] =>
  Object.entries(states).sort(([a], [b]) => a.localeCompare(b));

/** Renders the metrics for every asset in `state` in the Prometheus text format; `alertAfterMs` is config's alert_after. */
export function renderMetrics(state: LastRunState, alertAfterMs?: number): string {
  const host = label(state.host);
  const lines = [
    ...renderFamilies(ASSET_FAMILIES, byName(state.assets), (asset) => `host="${host}",asset="${label(asset)}"`),
    // Only with several destinations (a single one is what the asset families already say).
    ...(state.destinations
      ? renderFamilies(
          DESTINATION_FAMILIES,
          byName(state.destinations),
          (destination) => `host="${host}",destination="${label(destination)}"`,
        )
      : []),
  ];
  if (alertAfterMs !== undefined) {
    lines.push(
      `# HELP ${ALERT_AFTER} The configured alert_after: a success older than this is overdue.`,
      `# TYPE ${ALERT_AFTER} gauge`,
      `${ALERT_AFTER}{host="${host}"} ${alertAfterMs / 1000}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Writes the textfile atomically (node_exporter must never read half a file). */
export async function writeMetrics(path: string, state: LastRunState, alertAfterMs?: number): Promise<void> {
  await writeAtomically(path, renderMetrics(state, alertAfterMs));
}
