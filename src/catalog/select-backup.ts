// Picks what `restore` restores: one artifact by key (found in its run's manifest), or an asset's latest run.
import { isTier } from '../config/tiers.js';
import type { BackupStore } from '../destinations/backup-store.js';
import { BackupError, toBackupError } from '../shared/backup-error.js';
import type { DecryptorPlan } from '../transforms/decrypt.js';
import { backupEntries, isStored, type BackupEntry } from './backup-entries.js';
import { findManifests, loadCatalog, readManifest } from './manifest-catalog.js';

export interface Selection {
  /** An artifact key as `list` prints it. */
  key?: string;
  /** With `latest`: the asset whose newest stored run is restored. */
  asset?: string;
  latest?: boolean;
  /** The host whose backups are meant (default the config's host; keys name their own). */
  host: string;
  /** Only the artifact of this database (mysql assets dump one artifact per database). */
  database?: string;
}

export interface Selected {
  /** At least one: nothing selected is BACKUP_NOT_FOUND. */
  entries: [BackupEntry, ...BackupEntry[]];
  /** Manifests that could not be read on the way (shown as warnings). */
  warnings: string[];
}

/**
 * Resolves `selection` to stored artifacts, each with its manifest record (sha256, size).
 * Throws USAGE for a malformed selection and BACKUP_NOT_FOUND when nothing matches.
 */
export async function selectBackup(
  store: BackupStore,
  prefix: string,
  decryptor: DecryptorPlan | undefined,
  selection: Selection,
  signal: AbortSignal,
): Promise<Selected> {
  if ((selection.key === undefined) === (selection.asset === undefined))
    throw new BackupError('USAGE', 'restore: name a KEY (as `list` prints it) or --asset NAME --latest');
  if (selection.asset !== undefined && !selection.latest)
    throw new BackupError(
      'USAGE',
      'restore: --asset needs --latest (or name the KEY of the backup to restore, from `list`)',
    );
  if (selection.key !== undefined) return selectKey(store, prefix, decryptor, selection.key, signal);
  // Newest run first, reading manifests only until one has the asset: not the host's whole history.
  const refs = (await findManifests(store, { prefix, host: selection.host, signal })).sort(
    (a, b) => b.started.getTime() - a.started.getTime(),
  );
  const warnings: string[] = [];
  for (const ref of refs) {
    let manifest;
    try {
      manifest = await readManifest(store, ref, decryptor, signal);
    } catch (error) {
      if (signal.aborted || (error instanceof BackupError && error.code === 'USAGE')) throw error;
      warnings.push(toBackupError(error).message);
      continue;
    }
    const stored = backupEntries([{ ref, manifest }]).filter(
      (e) =>
        e.asset === selection.asset &&
        isStored(e) &&
        (selection.database === undefined || e.label === selection.database),
    );
    const [first, ...more] = stored;
    if (first !== undefined) return { entries: [first, ...more], warnings };
  }
  const which = `asset "${selection.asset}"${selection.database ? ` database "${selection.database}"` : ''} of host "${selection.host}"`;
  throw new BackupError(
    'BACKUP_NOT_FOUND',
    `no stored backup of ${which} under ${store.locate(prefix)} (\`list --host ${selection.host}\` shows what there is; --host picks another host)`,
    { details: warnings },
  );
}

async function selectKey(
  store: BackupStore,
  prefix: string,
  decryptor: DecryptorPlan | undefined,
  key: string,
  signal: AbortSignal,
): Promise<Selected> {
  const parts = key.startsWith(prefix) ? key.slice(prefix.length).split('/') : [];
  const [tier, day, host] = parts;
  if (
    parts.length !== 5 ||
    !isTier(tier) ||
    day === undefined ||
    host === undefined ||
    !/^\d{4}-\d{2}-\d{2}$/.test(day) ||
    parts.some((p) => p === '' || p === '.' || p === '..')
  ) {
    throw new BackupError(
      'USAGE',
      `restore: "${key}" is not a backup key under prefix "${prefix}" (expected ${prefix}TIER/YYYY-MM-DD/HOST/ASSET/NAME, as \`list\` prints it)`,
    );
  }
  const { entries, problems } = await loadCatalog(store, { prefix, host, run: { tier, day }, signal }, decryptor);
  const found = backupEntries(entries).find((e) => e.key === key);
  const warnings = problems.map((p) => p.message);
  if (found === undefined) {
    throw new BackupError(
      'BACKUP_NOT_FOUND',
      `${store.locate(key)}: no manifest of that run records it (an object without its manifest entry is not a backup: the run may have been interrupted)`,
      { details: warnings },
    );
  }
  if (!isStored(found))
    throw new BackupError(
      'BACKUP_NOT_FOUND',
      `${store.locate(key)}: the manifest records it as ${found.status}${found.error ? `: ${found.error}` : ''}`,
    );
  return { entries: [found], warnings };
}
