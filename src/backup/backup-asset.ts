// backupAsset, the third layer of a run (backupRun > writeRun > backupAsset > backupArtifact): one
// asset. Plans it, then streams each of its artifacts (several at once for `concurrency`).
import type { AssetConfig } from '../config/schema.js';
import type { Destination } from '../destinations/destination.js';
import { artifactKey, type KeyContext } from '../layout/keys.js';
import { artifactLabel, newRecord, type ArtifactRecord } from '../layout/manifest.js';
import { toBackupError } from '../shared/backup-error.js';
import type { Logger } from '../shared/logger.js';
import { sourceFor } from '../sources/registry.js';
import type { PlanContext, SourcePlan } from '../sources/source.js';
import { compressionExtension, type CompressorPlan } from '../transforms/compress.js';
import type { EncryptorPlan } from '../transforms/encryptor-plan.js';
import { backupArtifact } from './backup-artifact.js';
import type { ProgressTracker } from './progress.js';
import { stopReason } from './run-deadline.js';

export interface BackupAssetInput {
  asset: AssetConfig;
  ctx: KeyContext;
  compressor: CompressorPlan;
  encryptor: EncryptorPlan;
  destination: Destination;
  signal: AbortSignal;
  logger: Logger;
  dryRun: boolean;
  progress?: ProgressTracker | undefined;
  /** stall_timeout of each artifact, ms. */
  stallTimeoutMs: number;
  /** The run's facts a source may plan with (state_dir, start, tier). */
  planContext: PlanContext;
}

/** One asset's outcome: its records, its planning notes, and what to do once the manifest is written. */
export interface AssetOutcome {
  records: ArtifactRecord[];
  notes: string[];
  /** The plan's settle (see SourcePlan.settle), when it has one and the asset was backed up. */
  settle?: (() => Promise<void>) | undefined;
}

/** Runs (or with dryRun, plans) one asset; returns its artifact records and planning notes. Never throws. */
export async function backupAsset(input: BackupAssetInput): Promise<AssetOutcome> {
  const { asset, ctx, compressor, encryptor, destination, signal, logger } = input;
  const base = (key: string, label?: string): ArtifactRecord =>
    newRecord({
      asset: asset.name,
      type: asset.type,
      label,
      key,
      location: key && destination.locate(key),
      compression: compressor.engine,
      encryption: encryptor.extension ? encryptor.engine : undefined,
    });
  const source = sourceFor(asset);
  let plan: SourcePlan;
  try {
    plan = await source.plan(asset, signal, input.planContext);
  } catch (error) {
    const record = { ...base(''), error: toBackupError(error, asset.name).message };
    logger.error(record.error, { asset: asset.name });
    return { records: [record], notes: [] };
  }
  try {
    for (const skip of plan.skipped)
      logger.warn(`${asset.type} "${asset.name}": skipping ${skip.path}: ${skip.reason}`, { asset: asset.name });
    const planned = plan.items.map((item) => {
      const extension = [item.extension, compressionExtension[compressor.algorithm], encryptor.extension]
        .filter(Boolean)
        .join('.');
      return { item, key: artifactKey(ctx, asset.name, extension, item.label) };
    });
    if (input.dryRun) {
      return {
        records: planned.map(({ item, key }) => ({
          ...base(key, item.label),
          status: 'planned',
          skipped: plan.skipped,
        })),
        notes: plan.notes,
      };
    }
    const concurrency = source.concurrency(asset);
    const records = await mapConcurrently(planned, concurrency, async ({ item, key }) => {
      const label = artifactLabel(asset.type, asset.name, item.label);
      if (signal.aborted) return { ...base(key, item.label), error: `${label}: not started: ${stopReason(signal)}` };
      logger.info(`${label}: uploading to ${destination.locate(key)}`, { asset: asset.name, key });
      const record = await backupArtifact({
        asset: asset.name,
        type: asset.type,
        item,
        key,
        compressor,
        encryptor,
        destination,
        signal,
        logger,
        progress: input.progress,
        stallTimeoutMs: input.stallTimeoutMs,
      });
      for (const skip of record.skipped.slice(plan.skipped.length))
        logger.warn(`${asset.type} "${asset.name}": skipped ${skip.path}: ${skip.reason}`, { asset: asset.name });
      for (const warning of record.warnings)
        logger.warn(`${asset.type} "${asset.name}": ${warning.path}: ${warning.reason}`, { asset: asset.name });
      return record;
    });
    const settlePlan = plan.settle?.bind(plan);
    const settle = settlePlan && (() => settlePlan(records));
    return { records, notes: plan.notes, settle };
  } finally {
    await plan.dispose?.();
  }
}

/** Maps `items` through `fn` with at most `limit` running at once; results keep the input order. */
export async function mapConcurrently<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  // One iterator shared by the workers: each takes the next item when it is free.
  const queue = items.entries();
  const worker = async () => {
    for (const [index, item] of queue) results[index] = await fn(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
