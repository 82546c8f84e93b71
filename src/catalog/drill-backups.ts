// Restore drills: for each selected host and asset, the newest complete backup is really restored into
// a throwaway target by its source (Source.drill) and checked against its manifest. One asset at a time,
// each in a scratch directory of its own that is removed afterwards, whatever happened.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackupStore } from '../destinations/backup-store.js';
import { toBackupError } from '../shared/backup-error.js';
import { sourceOf } from '../sources/registry.js';
import type { DecryptorPlan } from '../transforms/decrypt.js';
import { backupEntries, type BackupEntry } from './backup-entries.js';
import { loadCatalog } from './manifest-catalog.js';
import { readArtifact } from './read-artifact.js';

export interface DrillQuery {
  prefix: string;
  since: Date;
  host?: string;
  asset?: string;
  signal: AbortSignal;
  /** Called before each asset's drill (for a log line). */
  onStart?(host: string, asset: string, run: { type: string; started_at: string; keys: string[] }): void;
}

/** The drill of one host's asset, as reported (JSON, metrics, the report page). */
export interface AssetDrill {
  host: string;
  asset: string;
  type: string;
  ok: boolean;
  /** When the drill ran (ISO). */
  drilled_at: string;
  /** The drilled run's start (ISO), when a complete backup was found. */
  backup_started_at?: string;
  keys: string[];
  restore_seconds: number;
  checks: string[];
  problems: string[];
}

export interface DrillResult {
  drills: AssetDrill[];
  /** Manifests that could not be read or trusted. */
  unreadable: string[];
}

/** Drills every selected host/asset; never throws for a failed drill (it is in the result), only when aborted. */
export async function drillBackups(
  store: BackupStore,
  decryptor: DecryptorPlan | undefined,
  query: DrillQuery,
): Promise<DrillResult> {
  const { entries: catalog, problems } = await loadCatalog(
    store,
    { prefix: query.prefix, since: query.since, ...(query.host ? { host: query.host } : {}), signal: query.signal },
    decryptor,
  );
  const groups = new Map<string, Run>();
  for (const entry of backupEntries(catalog)) {
    if (query.asset !== undefined && entry.asset !== query.asset) continue;
    const id = `${entry.host}\0${entry.asset}`;
    const group = groups.get(id);
    if (group) group.push(entry);
    else groups.set(id, [entry]);
  }
  const drills: AssetDrill[] = [];
  for (const entries of [...groups.values()].sort((a, b) => groupName(a).localeCompare(groupName(b)))) {
    query.signal.throwIfAborted();
    drills.push(await drillAsset(store, decryptor, entries, query));
  }
  return { drills, unreadable: problems.map((p) => p.message) };
}

/** Entries of one host's asset, or one run's artifacts: never empty. */
type Run = [BackupEntry, ...BackupEntry[]];

const groupName = ([first]: Run) => `${first.host} ${first.asset}`;

/** The artifacts of the newest run whose every artifact of this asset was stored completely (newest first in `entries`). */
export function newestComplete(entries: BackupEntry[]): Run | undefined {
  const runs = [...new Set(entries.map((e) => e.manifest_key))];
  for (const run of runs) {
    const [first, ...rest] = entries.filter((e) => e.manifest_key === run);
    if (first && [first, ...rest].every((e) => e.status === 'ok')) return [first, ...rest];
  }
  return undefined;
}

async function drillAsset(
  store: BackupStore,
  decryptor: DecryptorPlan | undefined,
  entries: Run,
  query: DrillQuery,
): Promise<AssetDrill> {
  const { host, asset, type } = entries[0];
  const drill: AssetDrill = {
    host,
    asset,
    type,
    ok: false,
    drilled_at: new Date().toISOString(),
    keys: [],
    restore_seconds: 0,
    checks: [],
    problems: [],
  };
  const run = newestComplete(entries);
  const source = sourceOf(type);
  if (run === undefined) {
    drill.problems.push(`no complete backup of ${type} "${asset}" of ${host} since ${query.since.toISOString()}`);
    return drill;
  }
  drill.backup_started_at = run[0].started_at;
  drill.keys = run.map((e) => e.key);
  if (source?.drill === undefined) {
    drill.problems.push(`${store.locate(run[0].key)}: this version cannot drill backups of type ${type}`);
    return drill;
  }
  query.onStart?.(host, asset, { type, started_at: run[0].started_at, keys: drill.keys });
  const scratch = await mkdtemp(join(tmpdir(), 'backup-agent-drill-'));
  const read = { store, decryptor, signal: query.signal };
  try {
    const outcome = await source.drill({
      entries: run,
      scratch,
      read: {
        stream: (entry, ...sinks) => readArtifact(entry.record, read, ...sinks),
        locate: (key) => store.locate(key),
        signal: query.signal,
      },
    });
    Object.assign(drill, {
      ok: outcome.problems.length === 0,
      checks: outcome.checks,
      problems: outcome.problems,
      restore_seconds: Math.round(outcome.restoreSeconds * 1000) / 1000,
    });
  } catch (error) {
    if (query.signal.aborted) throw error;
    drill.problems.push(toBackupError(error).message);
  } finally {
    await rm(scratch, { recursive: true, force: true, maxRetries: 3 });
  }
  return drill;
}
