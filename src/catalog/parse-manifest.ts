// Validates a manifest read back from a store: the write side's format, checked before anything trusts it.
import { z } from 'zod';
import type { Manifest } from '../layout/manifest.js';
import { BackupError } from '../shared/backup-error.js';
import { must } from '../shared/must.js';

const count = z.number().int().nonnegative().optional();
/** Counts recorded at dump time (layout/manifest.ts ArtifactContents); older manifests have none. */
const contentsSchema = z.looseObject({
  tables: count,
  views: count,
  triggers: count,
  routines: count,
  events: count,
  rows: z.record(z.string(), z.number().int().nonnegative()).optional(),
  members: count,
});

const artifactSchema = z.looseObject({
  asset: z.string().min(1),
  type: z.string().min(1),
  label: z.string().optional(),
  key: z.string(), // '' for an asset that failed before it had a key; see checkArtifactKeys
  status: z.enum(['ok', 'partial', 'failed', 'planned']),
  bytes_read: z.number().nonnegative(),
  bytes_stored: z.number().int().nonnegative(),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  compression: z.string(),
  encryption: z.string().optional(),
  duration_ms: z.number(),
  skipped: z.array(z.unknown()),
  warnings: z.array(z.unknown()),
  omitted: z.number(),
  error: z.string().optional(),
  incremental: z
    .looseObject({
      level: z.union([z.literal(0), z.literal(1)]),
      reason: z.string(),
      base: z
        .looseObject({
          key: z.string().min(1),
          sha256: z.string().regex(/^[0-9a-f]{64}$/),
          bytes_stored: z.number().int().nonnegative(),
          started_at: z.string(),
        })
        .optional(),
    })
    .optional(),
  physical: z
    .looseObject({
      tool: z.string(),
      from_lsn: z.string().regex(/^\d+$/),
      to_lsn: z.string().regex(/^\d+$/),
      last_lsn: z.string().regex(/^\d+$/),
    })
    .optional(),
  contents: contentsSchema.optional(),
  binlog: z
    .looseObject({ file: z.string().min(1), position: z.number().int().nonnegative(), gtid: z.string().optional() })
    .optional(),
});

const manifestSchema = z.looseObject({
  format: z.literal('backup-agent-manifest'),
  version: z.literal(1),
  run_id: z.string(),
  host: z.string().min(1),
  tier: z.string().min(1),
  started_at: z.iso.datetime(),
  finished_at: z.iso.datetime(),
  status: z.enum(['ok', 'partial', 'failed', 'interrupted', 'timed_out']),
  artifacts: z.array(artifactSchema),
});

/** Parses manifest JSON read from `location`; throws MANIFEST_INVALID naming the first problem. */
export function parseManifest(text: string, location: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new BackupError('MANIFEST_INVALID', `manifest ${location}: not JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  const result = manifestSchema.safeParse(raw);
  if (!result.success) {
    const issue = must(result.error.issues[0], 'the first issue of a failed manifest check');
    throw new BackupError(
      'MANIFEST_INVALID',
      `manifest ${location}: not a backup-agent manifest: ${issue.message} at ${issue.path.join('.') || '(top level)'}`,
    );
  }
  return result.data as unknown as Manifest;
}

/** One key segment as the write side makes them (never `.` or `..`). */
const SEGMENT = /^[A-Za-z0-9._-]+$/;

/**
 * Throws MANIFEST_INVALID unless every artifact key of `manifest` (read from `manifestKey`) is a key of
 * that run as the write side makes them, `{run dir}{asset}/{stamp}[--label][--random].{ext}`: a key
 * with a `..` segment, or one pointing into another directory, is never read, listed or restored.
 * A failed artifact may have no key.
 */
export function checkArtifactKeys(manifest: Manifest, manifestKey: string, location: string): void {
  const runDir = manifestKey.slice(0, manifestKey.lastIndexOf('/') + 1);
  const stamp = must(manifestKey.slice(runDir.length).split(/[-.]/)[0], 'the stamp of a manifest key');
  const name = new RegExp(`^${stamp}(--[A-Za-z0-9._-]+)*\\.[A-Za-z0-9.]+$`);
  manifest.artifacts.forEach((artifact, index) => {
    if (artifact.key === '' && artifact.status === 'failed') return;
    const [asset, file, ...more] = artifact.key.startsWith(runDir) ? artifact.key.slice(runDir.length).split('/') : [];
    const dotted = artifact.key.split('/').some((segment) => segment === '.' || segment === '..');
    if (
      !dotted &&
      more.length === 0 &&
      asset === artifact.asset &&
      SEGMENT.test(asset) &&
      file !== undefined &&
      name.test(file)
    )
      return;
    throw new BackupError(
      'MANIFEST_INVALID',
      `manifest ${location}: artifacts.${index}.key "${artifact.key}" is not a key of this run (expected ${runDir}${artifact.asset}/${stamp}...): the manifest is not trusted`,
    );
  });
}
