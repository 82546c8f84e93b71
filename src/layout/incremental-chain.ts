// The artifacts a restore of one member of a full/differential chain applies, full first: shared by every
// incremental source's restore and by `verify`, which checks each differential's full is there.
import { BackupError } from '../shared/backup-error.js';
import type { IncrementalRecord } from './manifest.js';

/** What the chain needs of an artifact: its asset, key and manifest record (size, sha256, incremental). */
export interface ChainMember {
  asset: string;
  key: string;
  record: {
    key: string;
    sha256?: string | undefined;
    bytes_stored: number;
    incremental?: IncrementalRecord | undefined;
  };
}

/**
 * The artifacts to apply, full first: the entry itself, or its full (as the differential's manifest
 * recorded it: key, size, sha256, so the read checks it) and then it. Throws MANIFEST_INVALID for a
 * differential whose record names no full.
 */
export function restoreChain<E extends ChainMember>(entry: E): [ChainMember] | [ChainMember, E] {
  const base = entry.record.incremental?.base;
  if (entry.record.incremental?.level !== 1) return [entry];
  if (base === undefined)
    throw new BackupError('MANIFEST_INVALID', `${entry.key}: a differential whose manifest names no full`);
  return [{ asset: entry.asset, key: base.key, record: base }, entry];
}
