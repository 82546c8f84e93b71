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
    ...rest, ...(label ? { label } : {}), ...(encryption ? { encryption } : {}),
    status: 'failed', bytes_read: 0, bytes_stored: 0, duration_ms: 0, skipped: [], warnings: [], omitted: 0,
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
