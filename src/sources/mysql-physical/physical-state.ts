// The local state a differential builds on, in state_dir/mysql-physical/<asset>/: `full/` holds the
// last full's --extra-lsndir (its LSNs) and full.json (its key and sha256, as its manifest recorded
// them). Each run writes into a fresh `pending-*` directory; only settle() (after the manifest landed)
// makes a full's pending directory the new `full/`, so a failed run never advances the state.
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ArtifactRecord, IncrementalRecord } from '../../layout/manifest.js';
import { readPositions } from './backup-positions.js';

/** The folder of one asset's state. */
export const assetStateDir = (stateDir: string, asset: string): string => join(stateDir, 'mysql-physical', asset);

const fullSchema = z.strictObject({
  key: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes_stored: z.number().int().nonnegative(),
  started_at: z.iso.datetime(),
});

/** The last full that landed: where its LSNs are, and what a differential records as its base. */
export interface LastFull {
  lsnDir: string;
  startedAt: Date;
  base: NonNullable<IncrementalRecord['base']>;
}

/** Written beside `full/` once a full landed: its absence later tells a first run from lost state. */
const LANDED_MARK = 'a-full-landed';

/** Why there is no full to build on; `lost` when a full landed before (its state is gone or suspect: worth a warning). */
export interface NoFull {
  missing: string;
  lost: boolean;
}

/** The last full, or why there is none to build on (missing or suspect state: the next run is then a full). */
export async function readLastFull(dir: string): Promise<LastFull | NoFull> {
  const lsnDir = join(dir, 'full');
  const text = await readFile(join(lsnDir, 'full.json'), 'utf8').catch(() => undefined);
  if (text === undefined) {
    const landed = await readFile(join(dir, LANDED_MARK), 'utf8').then(
      () => true,
      () => false,
    );
    return landed
      ? { missing: `the local state of the last full (${lsnDir}) is missing: making a full`, lost: true }
      : { missing: 'no earlier full to build on', lost: false };
  }
  let parsed: z.infer<typeof fullSchema>;
  try {
    parsed = fullSchema.parse(JSON.parse(text));
  } catch {
    return {
      missing: `the local state of the last full (${join(lsnDir, 'full.json')}) is unreadable: making a full`,
      lost: true,
    };
  }
  const positions = await readPositions(lsnDir);
  if (positions === undefined)
    return {
      missing: `the last full's LSNs (${join(lsnDir, 'xtrabackup_checkpoints')}) are missing or unreadable: making a full`,
      lost: true,
    };
  return { lsnDir, startedAt: new Date(parsed.started_at), base: parsed };
}

/** Creates this run's pending directory (the --extra-lsndir), after removing those a failed or killed run left (the run lock keeps runs apart). */
export async function createPending(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const name of await readdir(dir))
    if (name.startsWith('pending-')) await rm(join(dir, name), { recursive: true, force: true });
  return mkdtemp(join(dir, 'pending-'));
}

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
  };
  await writeFile(join(pending, 'full.json'), `${JSON.stringify(full, null, 2)}\n`, { mode: 0o600 });
  const old = join(dir, `old-${Date.now()}`);
  await rename(join(dir, 'full'), old).catch(() => undefined);
  await rename(pending, join(dir, 'full'));
  await rm(old, { recursive: true, force: true });
  await writeFile(join(dir, LANDED_MARK), `${record.key}\n`, { mode: 0o600 });
}
