// The run manifest: the record that turns uploaded objects into backups. Written last.

/**
 * A path a source skipped or warned about, and why, as the manifest records it. The stored format
 * declares its own fields; a source's report (sources/source.ts SkippedPath) has the same shape.
 */
export interface SkippedPath {
  path: string;
  reason: string;
}

export type ArtifactStatus = 'ok' | 'partial' | 'failed' | 'planned';

/** One artifact as recorded in the manifest and printed in the summary. */
export interface ArtifactRecord {
  asset: string;
  type: string;
  /** Distinguishes artifacts of one asset (database name). */
  label?: string;
  key: string;
  location: string;
  status: ArtifactStatus;
  bytes_read: number;
  bytes_stored: number;
  /** sha256 of the stored bytes (as in the object), hex. */
  sha256?: string;
  compression: string;
  /** The encryption engine, when artifacts are encrypted (age). */
  encryption?: string;
  duration_ms: number;
  skipped: SkippedPath[];
  warnings: SkippedPath[];
  /** Skipped/warning entries not listed (lists are capped). */
  omitted: number;
  error?: string;
  /** Of a member of an incremental chain: its level, and for a differential the full it applies on. */
  incremental?: IncrementalRecord;
  /** Of a physical database backup: the positions the backup tool reported. */
  physical?: PhysicalRecord;
  /** What the artifact holds, counted by its source from the bytes stored (absent in older manifests). */
  contents?: ArtifactContents;
  /** Of a logical dump: where its consistent snapshot stands in the server's binary log (absent without binary logging). */
  binlog?: BinlogRecord;
}

/** A position in a server's binary log, as a dump recorded it (point-in-time recovery replays from here). */
export interface BinlogRecord {
  /** The binlog file name, e.g. `binlog.000042`. */
  file: string;
  /** The byte offset in `file` of the first event after the snapshot. */
  position: number;
  /** The GTID position at the snapshot (MariaDB: domain-server-sequence, comma-separated per domain). */
  gtid?: string;
}

/** An artifact's place in a full/differential chain (see layout/incremental-policy.ts). */
export interface IncrementalRecord {
  /** 0: a full; 1: a differential against `base`. */
  level: 0 | 1;
  /** Why this level was chosen (`no earlier full to build on`). */
  reason: string;
  /** The full a differential needs, as its manifest recorded it (read and checked by key, size and sha256). */
  base?: { key: string; sha256: string; bytes_stored: number; started_at: string };
  /** Of a files chain: sha256 of GNU tar's snapshot file (`--listed-incremental`) a full wrote, or a differential was made against. */
  snapshot?: string;
}

/** What mariabackup/xtrabackup reported about a physical backup (LSNs as decimal strings: they pass 2^53). */
export interface PhysicalRecord {
  tool: string;
  tool_version: string;
  server_version: string;
  /** `full-backuped` or `incremental`. */
  backup_type: string;
  from_lsn: string;
  to_lsn: string;
  last_lsn: string;
  /** The binary log position the backup is consistent with, when binary logging is on. */
  binlog_file?: string;
  binlog_position?: number;
  /** The GTID of the last change in the backup (MariaDB: domain-server-sequence). */
  gtid?: string;
}

/** Counts a source recorded at dump time: a dump's objects and rows per table; an archive's members. */
export interface ArtifactContents {
  tables?: number;
  views?: number;
  triggers?: number;
  routines?: number;
  events?: number;
  /** Rows per table. */
  rows?: Record<string, number>;
  /** Archive members (files, directories, links). */
  members?: number;
}

/** What identifies an artifact before anything is known of how it went. */
export interface ArtifactIdentity {
  asset: string;
  type: string;
  label?: string;
  key: string;
  location: string;
  compression: string;
  /** The encryption engine; omitted when artifacts are not encrypted. */
  encryption?: string;
}

/** A record for `identity` with nothing stored yet (status failed); callers fill in what happened. */
export function newRecord(identity: ArtifactIdentity): ArtifactRecord {
  const { label, encryption, ...rest } = identity;
  return {
    ...rest,
    ...(label ? { label } : {}),
    ...(encryption ? { encryption } : {}),
    status: 'failed',
    bytes_read: 0,
    bytes_stored: 0,
    duration_ms: 0,
    skipped: [],
    warnings: [],
    omitted: 0,
  };
}

/** How messages name an artifact: `files "www"`, `mysql "shop-db" (billing)`. */
export function artifactLabel(type: string, asset: string, label?: string): string {
  return `${type} "${asset}"${label ? ` (${label})` : ''}`;
}

export interface Manifest {
  format: 'backup-agent-manifest';
  version: 1;
  run_id: string;
  host: string;
  tier: string;
  started_at: string;
  finished_at: string;
  /** `timed_out`: stopped by max_run_time; `interrupted`: by a signal. */
  status: 'ok' | 'partial' | 'failed' | 'interrupted' | 'timed_out';
  artifacts: ArtifactRecord[];
}

/** Builds the manifest document (artifacts as given; `location` is local detail and left out). */
export function buildManifest(fields: Omit<Manifest, 'format' | 'version'>): Manifest {
  return {
    format: 'backup-agent-manifest',
    version: 1,
    ...fields,
    artifacts: fields.artifacts.map(({ location: _location, ...rest }) => ({ ...rest }) as ArtifactRecord),
  };
}
