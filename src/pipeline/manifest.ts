// The run manifest: the record that turns uploaded objects into backups. Written last.
import type { SkippedPath } from '../sources/source.js';

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

export interface Manifest {
  format: 'backup-agent-manifest';
  version: 1;
  run_id: string;
  host: string;
  tier: string;
  started_at: string;
  finished_at: string;
  status: 'ok' | 'partial' | 'failed' | 'interrupted';
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
