// The local state a differential builds on, in state_dir/mysql-physical/<asset>/: `full/` holds the
// last full's --extra-lsndir (its LSNs) and full.json (its key and sha256, as its manifest recorded
// them). Each run writes into a fresh `pending-*` directory; only settle() (after the manifest landed)
// makes a full's pending directory the new `full/`, so a failed run never advances the state.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ArtifactRecord, IncrementalRecord } from '../../layout/manifest.js';
import { createPendingDir, fullRecordShape, promotePending, readFullRecord, type NoFull } from '../full-state.js';
import { readPositions } from './backup-positions.js';

/** The folder of one asset's state. */
export const assetStateDir = (stateDir: string, asset: string): string => join(stateDir, 'mysql-physical', asset);

// `tier` is absent in state written before the retention rule: such a full counts as kept by its tier
// only when the run can tell (undefined: the rule is skipped for it, as before).
const fullSchema = z.strictObject({ ...fullRecordShape, tier: z.string().min(1).optional() });

/** The last full that landed: where its LSNs are, and what a differential records as its base. */
export interface LastFull {
  lsnDir: string;
  startedAt: Date;
  /** The tier the full was written under (for the retention rule), when its state recorded it. */
  tier: string | undefined;
  base: NonNullable<IncrementalRecord['base']>;
}

export type { NoFull };

/** The last full, or why there is none to build on (missing or suspect state: the next run is then a full). */
export async function readLastFull(dir: string): Promise<LastFull | NoFull> {
  const found = await readFullRecord(dir, fullSchema);
  if ('missing' in found) return found;
  const { fullDir: lsnDir, record: parsed } = found;
  const positions = await readPositions(lsnDir);
  if (positions === undefined)
    return {
      missing: `the last full's LSNs (${join(lsnDir, 'xtrabackup_checkpoints')}) are missing or unreadable: making a full`,
      lost: true,
    };
  const { tier, ...base } = parsed;
  return { lsnDir, startedAt: new Date(parsed.started_at), tier, base };
}

/** Creates this run's pending directory (the --extra-lsndir), after removing those a failed or killed run left (the run lock keeps runs apart). */
export const createPending = createPendingDir;

/**
 * After the manifest landed: a full's pending directory becomes `full/` (with full.json from its
 * manifest record); a differential's is dropped. Never called for a run that did not land.
 */
export async function settlePending(
  dir: string,
  pending: string,
  level: 0 | 1,
  record: ArtifactRecord | undefined,
  startedAt: Date,
  tier: string,
): Promise<void> {
  if (level === 1 || record?.status !== 'ok' || record.sha256 === undefined) {
    await rm(pending, { recursive: true, force: true });
    return;
  }
  const full = {
    key: record.key,
    sha256: record.sha256,
    bytes_stored: record.bytes_stored,
    started_at: startedAt.toISOString(),
    tier,
  };
  await promotePending(dir, pending, full);
}
