// state_dir/last-run.json: the last result and last success of every asset, for `status` and monitoring.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { must } from '../shared/must.js';
import { writeAtomically } from '../shared/write-atomically.js';
import type { RunReport } from './run-report.js';

export interface AssetState {
  last_run_at: string;
  last_status: string;
  last_error?: string;
  /** Start time of the last run in which this asset was stored completely or partially. */
  last_success_at?: string;
  last_keys: string[];
  bytes_read: number;
  bytes_stored: number;
  duration_ms: number;
}

/** The last run at one of several destinations (a second copy). */
export interface DestinationState {
  last_run_at: string;
  last_status: string;
  last_error?: string;
  /** Start time of the last run whose manifest this destination got, with everything the run stored. */
  last_success_at?: string;
  manifest_key?: string;
}

export interface LastRunState {
  format: 'backup-agent-last-run';
  version: 1;
  host: string;
  run_id: string;
  finished_at: string;
  status: string;
  exit_code: number;
  manifest_key?: string;
  assets: Record<string, AssetState>;
  /** With several destinations: each one's last run, by name. */
  destinations?: Record<string, DestinationState>;
}

/** Path of the state file in `stateDir`. */
export const lastRunPath = (stateDir: string) => join(stateDir, 'last-run.json');

/** Reads the state file; undefined when there is none yet. Throws on a corrupt file. */
export async function readLastRun(stateDir: string): Promise<LastRunState | undefined> {
  try {
    return JSON.parse(await readFile(lastRunPath(stateDir), 'utf8')) as LastRunState;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Merges `report` into the state (assets not in this run keep their last values; a success is
 * only a success when the manifest was written) and writes it atomically. Returns the new state.
 */
export async function recordLastRun(stateDir: string, report: RunReport): Promise<LastRunState> {
  const previous = await readLastRun(stateDir).catch(() => undefined);
  const assets: Record<string, AssetState> = { ...(previous?.assets ?? {}) };
  const names = [...new Set(report.artifacts.map((a) => a.asset))];
  for (const name of names) {
    const records = report.artifacts.filter((a) => a.asset === name);
    const stored =
      report.manifest_key !== undefined && records.every((a) => a.status === 'ok' || a.status === 'partial');
    const worst =
      records.find((a) => a.status === 'failed') ??
      records.find((a) => a.status === 'partial') ??
      must(records[0], `an artifact of asset ${name}`);
    const last = previous?.assets[name];
    assets[name] = {
      last_run_at: report.started_at,
      last_status: worst.status,
      ...(worst.error ? { last_error: worst.error } : {}),
      ...(stored
        ? { last_success_at: report.started_at }
        : last?.last_success_at
          ? { last_success_at: last.last_success_at }
          : {}),
      last_keys: records.filter((a) => a.status !== 'failed').map((a) => a.key),
      bytes_read: records.reduce((n, a) => n + a.bytes_read, 0),
      bytes_stored: records.reduce((n, a) => n + a.bytes_stored, 0),
      duration_ms: records.reduce((n, a) => Math.max(n, a.duration_ms), 0),
    };
  }
  const state: LastRunState = {
    format: 'backup-agent-last-run',
    version: 1,
    host: report.host,
    run_id: report.run_id,
    finished_at: report.finished_at,
    status: report.status,
    exit_code: report.exit_code,
    ...(report.manifest_key ? { manifest_key: report.manifest_key } : {}),
    assets,
    ...destinationStates(report, previous?.destinations),
  };
  await writeAtomically(lastRunPath(stateDir), `${JSON.stringify(state, null, 2)}\n`);
  return state;
}

/** Each destination's last run, merged into `previous` (destinations not in this run keep theirs). */
function destinationStates(
  report: RunReport,
  previous: Record<string, DestinationState> | undefined,
): { destinations?: Record<string, DestinationState> } {
  if (!report.destinations) return previous ? { destinations: previous } : {};
  const destinations = { ...previous };
  for (const d of report.destinations) {
    const succeeded = d.manifest_key !== undefined && d.missing === 0 && d.status !== 'failed';
    const lastSuccess = succeeded ? report.started_at : previous?.[d.name]?.last_success_at;
    destinations[d.name] = {
      last_run_at: report.started_at,
      last_status: d.status,
      ...(d.error ? { last_error: d.error } : {}),
      ...(lastSuccess ? { last_success_at: lastSuccess } : {}),
      ...(d.manifest_key ? { manifest_key: d.manifest_key } : {}),
    };
  }
  return { destinations };
}
