// The fleet at a glance, as data: per host and asset the last success and its age against alert_after,
// stored bytes per day, gaps in the daily series and the last drill. What `report --html` draws.
import type { DrillRecord } from '../notify/drill-results.js';
import { isStored, type BackupEntry } from './backup-entries.js';
import { findGaps } from './find-gaps.js';

/** green: fresh and the last run stored everything; amber: fresh, but the last run, a drill or a day failed; red: older than alert_after or never. */
export type Health = 'green' | 'amber' | 'red';

/** One host's asset on the report. */
export interface FleetRow {
  host: string;
  asset: string;
  type: string;
  health: Health;
  /** Start of the newest run that stored the asset (ISO). */
  last_success_at?: string;
  age_seconds?: number;
  /** Status of the newest run of the asset (`ok`, `partial`, `failed`). */
  last_status: string;
  /** Bytes stored per UTC day over the window, oldest first (0 where nothing was stored). */
  daily_bytes: { day: string; bytes: number }[];
  gaps: string[];
  drill?: DrillRecord;
  /** Why the row is not green, for the page. */
  reasons: string[];
}

export interface FleetInput {
  entries: BackupEntry[];
  drills: DrillRecord[];
  now: Date;
  since: Date;
  /** alert_after, ms. */
  alertAfter: number;
}

const DAY_MS = 86_400_000;

/** Builds one row per host and asset in `entries`, sorted by host then asset (pure). */
export function fleetStatus({ entries, drills, now, since, alertAfter }: FleetInput): FleetRow[] {
  const groups = new Map<string, [BackupEntry, ...BackupEntry[]]>();
  for (const e of entries) {
    const id = `${e.host}\0${e.asset}`;
    const group = groups.get(id);
    if (group) group.push(e);
    else groups.set(id, [e]);
  }
  const gaps = findGaps(entries, since, now);
  const days = dayRange(since, now);
  return [...groups.values()]
    .map((group) => {
      const { host, asset, type } = group[0];
      const newest = [...group].sort((a, b) => b.started_at.localeCompare(a.started_at));
      const success = newest.find(isStored);
      const lastRun = newest.filter((e) => e.manifest_key === newest[0]?.manifest_key);
      const lastStatus = lastRun.every((e) => e.status === 'ok')
        ? 'ok'
        : lastRun.some((e) => isStored(e))
          ? 'partial'
          : 'failed';
      const age = success ? Math.max(0, (now.getTime() - Date.parse(success.started_at)) / 1000) : undefined;
      const rowGaps = [...new Set(gaps.filter((g) => g.host === host && g.asset === asset).map((g) => g.day))];
      const drill = drills.find((d) => d.host === host && d.asset === asset);
      const reasons: string[] = [];
      if (age === undefined) reasons.push('no stored backup in the window');
      else if (age * 1000 > alertAfter) reasons.push('last success older than alert_after');
      if (lastStatus !== 'ok') reasons.push(`last run ${lastStatus}`);
      if (rowGaps.length > 0) reasons.push(`${rowGaps.length} day${rowGaps.length === 1 ? '' : 's'} without a backup`);
      if (drill && !drill.ok) reasons.push('last drill failed');
      const health: Health =
        age === undefined || age * 1000 > alertAfter ? 'red' : reasons.length > 0 ? 'amber' : 'green';
      return {
        host,
        asset,
        type,
        health,
        ...(success ? { last_success_at: success.started_at } : {}),
        ...(age !== undefined ? { age_seconds: Math.round(age) } : {}),
        last_status: lastStatus,
        daily_bytes: dailyBytes(group, days),
        gaps: rowGaps,
        ...(drill ? { drill } : {}),
        reasons,
      };
    })
    .sort((a, b) => a.host.localeCompare(b.host) || a.asset.localeCompare(b.asset));
}

/** Every UTC day from `since` to `now`, as `YYYY-MM-DD`. */
function dayRange(since: Date, now: Date): string[] {
  const out: string[] = [];
  for (let t = Date.parse(since.toISOString().slice(0, 10)); t <= now.getTime(); t += DAY_MS)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** Per day, the bytes of that day's newest stored run of the asset (all its artifacts). */
function dailyBytes(group: BackupEntry[], days: string[]): { day: string; bytes: number }[] {
  const newestRun = new Map<string, string>();
  for (const e of group)
    if (isStored(e)) {
      const day = e.started_at.slice(0, 10);
      const seen = newestRun.get(day);
      if (seen === undefined || e.started_at > seen) newestRun.set(day, e.started_at);
    }
  return days.map((day) => ({
    day,
    bytes: group
      .filter((e) => isStored(e) && e.started_at === newestRun.get(day))
      .reduce((sum, e) => sum + e.bytes_stored, 0),
  }));
}
