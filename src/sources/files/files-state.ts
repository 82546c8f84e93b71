// The local state a files differential builds on, in state_dir/files/<asset>/: `full/` holds the last
// full's GNU tar snapshot file (`snapshot`) and full.json (its key, sha256, start, tier and the
// snapshot's sha256, as its manifest recorded them). Each run works in a fresh `pending-*` directory on
// a copy; only settle() (after the manifest landed) makes a full's pending directory the new `full/`,
// so a failed run never advances the state, and a differential is only made against a full whose
// manifest was written.
import { createHash } from 'node:crypto';
import { copyFile, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ArtifactRecord, IncrementalRecord } from '../../layout/manifest.js';
import { createPendingDir, fullRecordShape, promotePending, readFullRecord, type NoFull } from '../full-state.js';

/** The folder of one files asset's state. */
export const filesStateDir = (stateDir: string, asset: string): string => join(stateDir, 'files', asset);

/** The snapshot file's name inside `full/` and each pending directory. */
export const SNAPSHOT = 'snapshot';

const fullSchema = z.strictObject({ ...fullRecordShape, tier: z.string().min(1), snapshot: fullRecordShape.sha256 });

/** The last full that landed: its snapshot, its tier, and what a differential records as its base. */
export interface LastFull {
  snapshotPath: string;
  snapshotSha256: string;
  startedAt: Date;
  tier: string;
  base: NonNullable<IncrementalRecord['base']>;
}

export type { NoFull };

/** sha256 of a file's bytes, hex; undefined when it cannot be read. */
export async function fileSha256(path: string): Promise<string | undefined> {
  const bytes = await readFile(path).catch(() => undefined);
  return bytes && createHash('sha256').update(bytes).digest('hex');
}

/** The last full, or why there is none to build on (missing, unreadable or inconsistent state: the next run is then a full). */
export async function readLastFull(dir: string): Promise<LastFull | NoFull> {
  const found = await readFullRecord(dir, fullSchema);
  if ('missing' in found) return found;
  const { fullDir, record: parsed } = found;
  const snapshotPath = join(fullDir, SNAPSHOT);
  const actual = await fileSha256(snapshotPath);
  if (actual === undefined)
    return { missing: `the last full's snapshot file (${snapshotPath}) is missing: making a full`, lost: true };
  if (actual !== parsed.snapshot)
    return {
      missing: `the last full's snapshot file (${snapshotPath}) does not match its record (sha256 ${actual.slice(0, 12)}…, recorded ${parsed.snapshot.slice(0, 12)}…): making a full`,
      lost: true,
    };
  const { tier, snapshot, ...base } = parsed;
  return { snapshotPath, snapshotSha256: snapshot, startedAt: new Date(parsed.started_at), tier, base };
}

/**
 * Creates this run's pending directory, after removing those a failed or killed run left (the run lock
 * keeps runs apart); for a differential, copies the full's snapshot into it (tar updates the copy).
 * Returns the directory and the snapshot path tar is given.
 */
export async function createPending(
  dir: string,
  last: LastFull | undefined,
): Promise<{ pending: string; snapshot: string }> {
  const pending = await createPendingDir(dir);
  const snapshot = join(pending, SNAPSHOT);
  if (last !== undefined) await copyFile(last.snapshotPath, snapshot);
  return { pending, snapshot };
}

/** What settle needs of the run. */
export interface SettleFacts {
  level: 0 | 1;
  startedAt: Date;
  tier: string;
}

/**
 * After the manifest landed: a full's pending directory becomes `full/` (with full.json from its
 * manifest record); a differential's is dropped. Never called for a run that did not land.
 */
export async function settlePending(
  dir: string,
  pending: string,
  record: ArtifactRecord | undefined,
  { level, startedAt, tier }: SettleFacts,
): Promise<void> {
  const snapshot = record?.incremental?.snapshot;
  if (level === 1 || record?.status !== 'ok' || record.sha256 === undefined || snapshot === undefined) {
    await rm(pending, { recursive: true, force: true });
    return;
  }
  const full = {
    key: record.key,
    sha256: record.sha256,
    bytes_stored: record.bytes_stored,
    started_at: startedAt.toISOString(),
    tier,
    snapshot,
  };
  await promotePending(dir, pending, full);
}
