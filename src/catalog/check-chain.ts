// `verify` of a differential: its chain is complete only when the full it applies on has a manifest
// that records it as stored, with the key, size and sha256 the differential names, and its object is
// there with that size. A broken chain is a verify failure naming both keys.
import type { BackupStore } from '../destinations/backup-store.js';
import { tierNames } from '../config/tiers.js';
import { toBackupError } from '../shared/backup-error.js';
import type { DecryptorPlan } from '../transforms/decrypt.js';
import { backupEntries, isStored, type BackupEntry } from './backup-entries.js';
import { loadCatalog } from './manifest-catalog.js';

/** Where the check looks: the entries already loaded (the verify window), and how to load older runs. */
export interface ChainContext {
  store: BackupStore;
  decryptor: DecryptorPlan | undefined;
  prefix: string;
  known: BackupEntry[];
  signal: AbortSignal;
}

/** The full `base` names, from the entries loaded or from its own run's manifest; undefined when no manifest records it. */
async function findFull(key: string, context: ChainContext): Promise<BackupEntry | undefined> {
  const known = context.known.find((e) => e.key === key);
  if (known !== undefined) return known;
  const [tier = '', day = '', host = ''] = key.slice(context.prefix.length).split('/');
  if (!key.startsWith(context.prefix) || !(tierNames as readonly string[]).includes(tier) || !day || !host)
    return undefined;
  const { entries } = await loadCatalog(
    context.store,
    { prefix: context.prefix, host, run: { tier, day }, signal: context.signal },
    context.decryptor,
  );
  return backupEntries(entries).find((e) => e.key === key);
}

/** Why `entry`'s chain is broken, or undefined when it is complete (or `entry` is not a differential). Never throws but on abort. */
export async function chainProblem(entry: BackupEntry, context: ChainContext): Promise<string | undefined> {
  const incremental = entry.record.incremental;
  if (incremental?.level !== 1) return undefined;
  const broken = `broken chain: the differential ${context.store.locate(entry.key)}`;
  const base = incremental.base;
  if (base === undefined) return `${broken} names no full`;
  try {
    const full = await findFull(base.key, context);
    if (full === undefined) return `${broken} needs the full ${base.key}, which no manifest records`;
    if (!isStored(full)) return `${broken} needs the full ${base.key}, which its manifest records as ${full.status}`;
    if (full.sha256 !== base.sha256 || full.bytes_stored !== base.bytes_stored)
      return `${broken} names the full ${base.key} with sha256 ${base.sha256.slice(0, 12)}… and ${base.bytes_stored} bytes; its manifest records ${full.sha256?.slice(0, 12) ?? 'none'}… and ${full.bytes_stored} bytes`;
    const { size } = await context.store.stat(base.key, context.signal);
    if (size !== base.bytes_stored)
      return `${broken} needs the full ${base.key}, whose object has ${size} bytes, not ${base.bytes_stored}`;
    return undefined;
  } catch (error) {
    if (context.signal.aborted) throw error;
    return `${broken} needs the full ${base.key}: ${toBackupError(error).message}`;
  }
}
