// One row per stored artifact, flattened from manifests: what list prints and restore/verify select from.
import type { ArtifactRecord } from '../layout/manifest.js';
import type { CatalogEntry } from './manifest-catalog.js';

/** An artifact as recorded by its run's manifest, with the run's host, tier and time. */
export interface BackupEntry {
  host: string;
  asset: string;
  type: string;
  label?: string;
  /** The run's start (ISO). */
  started_at: string;
  tier: string;
  status: ArtifactRecord['status'];
  bytes_stored: number;
  key: string;
  sha256?: string;
  manifest_key: string;
  error?: string;
  /** Of a dump: where it stands in the binary log (point-in-time recovery starts there). */
  binlog?: ArtifactRecord['binlog'];
  /** The artifact record itself (for the read pipeline). */
  record: ArtifactRecord;
}

/** Flattens manifests into entries, newest run first, then by asset and label. */
export function backupEntries(catalog: CatalogEntry[]): BackupEntry[] {
  const rows = catalog.flatMap(({ ref, manifest }) =>
    manifest.artifacts.map((a): BackupEntry => ({
      host: manifest.host,
      asset: a.asset,
      type: a.type,
      ...(a.label ? { label: a.label } : {}),
      started_at: manifest.started_at,
      tier: manifest.tier,
      status: a.status,
      bytes_stored: a.bytes_stored,
      key: a.key,
      ...(a.sha256 ? { sha256: a.sha256 } : {}),
      manifest_key: ref.key,
      ...(a.error ? { error: a.error } : {}),
      ...(a.binlog ? { binlog: a.binlog } : {}),
      record: a,
    })),
  );
  return rows.sort(
    (a, b) =>
      b.started_at.localeCompare(a.started_at) ||
      a.asset.localeCompare(b.asset) ||
      (a.label ?? '').localeCompare(b.label ?? ''),
  );
}

/** Whether the entry's object was stored and can be restored (`partial`: some files were skipped). */
export function isStored(entry: Pick<BackupEntry, 'status'>): boolean {
  return entry.status === 'ok' || entry.status === 'partial';
}
