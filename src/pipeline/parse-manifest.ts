// Validates a manifest read back from a store: the write side's format, checked before anything trusts it.
import { z } from 'zod';
import { BackupError } from '../shared/backup-error.js';
import type { Manifest } from './manifest.js';

const artifactSchema = z.looseObject({
  asset: z.string().min(1),
  type: z.string().min(1),
  label: z.string().optional(),
  key: z.string().min(1),
  status: z.enum(['ok', 'partial', 'failed', 'planned']),
  bytes_read: z.number().nonnegative(),
  bytes_stored: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  compression: z.string(),
  encryption: z.string().optional(),
  duration_ms: z.number(),
  skipped: z.array(z.unknown()),
  warnings: z.array(z.unknown()),
  omitted: z.number(),
  error: z.string().optional(),
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
    throw new BackupError('MANIFEST_INVALID', `manifest ${location}: not JSON (${(error as Error).message})`, { cause: error });
  }
  const result = manifestSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new BackupError('MANIFEST_INVALID', `manifest ${location}: not a backup-agent manifest: ${issue.message} at ${issue.path.join('.') || '(top level)'}`);
  }
  return result.data as unknown as Manifest;
}
