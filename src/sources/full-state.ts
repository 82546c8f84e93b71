// The local state a differential builds on, shared by the sources that make them (files, mysql-physical):
// in the asset's state folder, `full/` holds what the last full left (tar's snapshot file, mariabackup's
// LSN directory) and full.json (its key and sha256 as its manifest recorded them, plus the source's own
// fields). Each run works in a fresh `pending-*` directory; only promotePending() (after the manifest
// landed) makes a full's pending directory the new `full/`, so a failed run never advances the state.
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/** The fields every full.json has (the differential's base); a source extends the object with its own. */
export const fullRecordShape = {
  key: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes_stored: z.number().int().nonnegative(),
  started_at: z.iso.datetime(),
};

/** Why there is no full to build on; `lost` when a full landed before (its state is gone or suspect: worth a warning). */
export interface NoFull {
  missing: string;
  lost: boolean;
}

/** Written beside `full/` once a full landed: its absence later tells a first run from lost state. */
const LANDED_MARK = 'a-full-landed';

/** `full/` and its parsed full.json, or why there is none (missing or unreadable: the next run is a full). */
export async function readFullRecord<T>(
  dir: string,
  schema: z.ZodType<T>,
): Promise<{ fullDir: string; record: T } | NoFull> {
  const fullDir = join(dir, 'full');
  const text = await readFile(join(fullDir, 'full.json'), 'utf8').catch(() => undefined);
  if (text === undefined) {
    const landed = await readFile(join(dir, LANDED_MARK), 'utf8').then(
      () => true,
      () => false,
    );
    return landed
      ? { missing: `the local state of the last full (${fullDir}) is missing: making a full`, lost: true }
      : { missing: 'no earlier full to build on', lost: false };
  }
  try {
    return { fullDir, record: schema.parse(JSON.parse(text)) };
  } catch {
    return {
      missing: `the local state of the last full (${join(fullDir, 'full.json')}) is unreadable: making a full`,
      lost: true,
    };
  }
}

/** Creates this run's pending directory, after removing those a failed or killed run left (the run lock keeps runs apart). */
export async function createPendingDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const name of await readdir(dir))
    if (name.startsWith('pending-')) await rm(join(dir, name), { recursive: true, force: true });
  return mkdtemp(join(dir, 'pending-'));
}

/** After a full's manifest landed: writes `full` as full.json into `pending`, which becomes `full/`, and marks that a full landed. */
export async function promotePending(dir: string, pending: string, full: { key: string }): Promise<void> {
  await writeFile(join(pending, 'full.json'), `${JSON.stringify(full, null, 2)}\n`, { mode: 0o600 });
  const old = join(dir, `old-${Date.now()}`);
  await rename(join(dir, 'full'), old).catch(() => undefined);
  await rename(pending, join(dir, 'full'));
  await rm(old, { recursive: true, force: true });
  await writeFile(join(dir, LANDED_MARK), `${full.key}\n`, { mode: 0o600 });
}
