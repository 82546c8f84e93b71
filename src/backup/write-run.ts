// writeRun, the second layer of a run (backupRun > writeRun > backupAsset > backupArtifact): the write
// path of one run: take the lock, plan keys, back up every asset, then write the manifest(s) last.
import { randomBytes } from 'node:crypto';
import { destinationsOf } from '../config/destinations.js';
import type { Config, LocalDestinationConfig } from '../config/schema.js';
import type { Destination } from '../destinations/destination.js';
import { tierFor, timeParts, type KeyContext } from '../layout/keys.js';
import type { RunReport } from '../notify/run-report.js';
import { BackupError, toBackupError } from '../shared/backup-error.js';
import { ExitCode } from '../shared/exit-codes.js';
import type { Logger } from '../shared/logger.js';
import { sources } from '../sources/registry.js';
import { planCompressor } from '../transforms/compress.js';
import { NO_ENCRYPTION } from '../transforms/encryptor-plan.js';
import { backupAsset } from './backup-asset.js';
import type { ProgressTracker } from './progress.js';
import { pruneLocal } from './prune-local.js';
import { startRunDeadline } from './run-deadline.js';
import { acquireRunLock } from './run-lock.js';
import { claimRunStamp } from './run-stamp.js';
import { allCopiesStored, openRunDestinations, writeManifests } from './write-copies.js';

export interface RunOptions {
  /** Only these assets (by name); default all. */
  assets?: string[];
  dryRun?: boolean;
  signal: AbortSignal;
  logger: Logger;
  /** The run's start time (tests). */
  now?: Date;
  /** Overrides the configured destination (tests); retention is applied only to the configured one. */
  destination?: Destination;
  /** A progress display (`run` on a TTY); never set by the daemon. */
  progress?: ProgressTracker;
}

/** Runs a backup of `config`. Throws only for usage errors and a held lock; everything else is in the report. */
export async function writeRun(config: Config, options: RunOptions): Promise<RunReport> {
  const runId = randomBytes(6).toString('hex');
  const logger = options.logger.child({ run_id: runId });
  const assets = selectAssets(config, options.assets);
  const lock = options.dryRun ? undefined : await acquireRunLock(config.state_dir, runId);
  if (lock?.tookOver) logger.warn(lock.tookOver);
  try {
    if (lock) {
      const leftovers = (await Promise.all(sources.map(async (source) => (await source.sweep?.()) ?? []))).flat();
      for (const leftover of leftovers)
        logger.info(`removed ${leftover.path}, left by a run that was killed (${leftover.reason})`);
    }
    // Under the lock: a run never reuses the previous run's second (keys carry the second).
    const claimed =
      options.now || !lock
        ? { started: options.now ?? new Date(), waitedMs: 0 }
        : await claimRunStamp(config.state_dir);
    if (claimed.waitedMs > 0)
      logger.info(
        `the previous run started in this second: waited ${claimed.waitedMs} ms for the next one, so that no key repeats`,
      );
    const started = claimed.started;
    return await runLocked(config, options, { runId, logger, assets, started });
  } finally {
    await lock?.release();
  }
}

async function runLocked(
  config: Config,
  options: RunOptions,
  run: { runId: string; logger: Logger; assets: Config['assets']; started: Date },
): Promise<RunReport> {
  const { runId, logger, assets, started } = run;
  const host = config.host;
  const { day, stamp } = timeParts(started);
  const ctx: KeyContext = {
    prefix: config.destination.prefix,
    tier: tierFor(started, config.retention),
    day,
    stamp,
    host,
    randomize: config.keys.randomize,
  };
  const report: RunReport = {
    run_id: runId,
    host,
    tier: ctx.tier,
    started_at: started.toISOString(),
    finished_at: '',
    dry_run: options.dryRun ?? false,
    status: 'failed',
    exit_code: ExitCode.FAILED,
    artifacts: [],
    notes: [],
  };
  const compressor = await planCompressor(config.compression.algorithm, config.compression.level);
  // The age library is loaded only when encryption is configured.
  const encryptor = config.encryption
    ? await (await import('../transforms/encrypt.js')).planEncryptor(config.encryption)
    : NO_ENCRYPTION;
  report.notes.push(`compression: ${compressor.engine}`, `encryption: ${encryptor.engine}`);
  const targets = openRunDestinations(config, logger, options.destination);
  const { destination } = targets;
  const deadline = startRunDeadline(options.signal, config.max_run_time, logger);
  const { signal } = deadline;
  try {
    logger.info(`${options.dryRun ? 'dry run' : 'backup run'} started`, {
      host,
      tier: ctx.tier,
      assets: assets.map((a) => a.name),
    });
    const settles: (() => Promise<void>)[] = [];
    for (const asset of assets) {
      if (signal.aborted) break;
      const { records, notes, settle } = await backupAsset({
        asset,
        ctx,
        compressor,
        encryptor,
        destination,
        signal,
        logger,
        dryRun: report.dry_run,
        progress: options.progress,
        stallTimeoutMs: config.stall_timeout,
        planContext: {
          stateDir: config.state_dir,
          now: started,
          tier: ctx.tier,
          dryRun: report.dry_run,
          retention: config.retention,
        },
      });
      if (settle && records.every((r) => r.status === 'ok')) settles.push(settle);
      report.artifacts.push(...records);
      report.notes.push(...notes.map((note) => `${asset.name}: ${note}`));
    }
    if (options.dryRun) {
      report.status = 'planned';
      report.exit_code = ExitCode.OK;
    } else {
      await writeManifests(report, ctx, targets, encryptor, signal, logger);
      // With several destinations, the assets settle only when every destination has all of them.
      if (report.manifest_key && allCopiesStored(report)) await settleAssets(settles, logger);
    }
    // A local directory has no lifecycle rules: the host applies retention (a test's destination override is never pruned).
    if (options.destination === undefined) {
      for (const d of destinationsOf(config))
        if (d.type === 'local') await applyRetention(d, config.retention, report, ctx, started, { ...options, logger });
    }
  } finally {
    deadline.clear();
    report.finished_at = new Date().toISOString();
  }
  logger.info(`run finished: ${report.status}`, { exit_code: report.exit_code });
  return report;
}

/** Prunes expired runs after a complete run (a dry run lists them); any failure is a warning in the report. */
async function applyRetention(
  destination: LocalDestinationConfig,
  retention: Config['retention'],
  report: RunReport,
  ctx: KeyContext,
  started: Date,
  options: RunOptions,
): Promise<void> {
  if (!report.dry_run && report.status !== 'ok') {
    report.retention = {
      removed: [],
      kept: [],
      warnings: [],
      skipped: `the run was ${report.status}: only a complete run prunes`,
    };
    return;
  }
  const current = {
    id: `${ctx.tier}/${ctx.day}/${ctx.stamp}`,
    tier: ctx.tier,
    started,
    assets: [...new Set(report.artifacts.map((a) => a.asset))],
  };
  try {
    const before = report.retention;
    const outcome = await pruneLocal(destination, {
      host: ctx.host,
      retention,
      now: started,
      current,
      dryRun: report.dry_run,
      signal: options.signal,
      logger: options.logger,
    });
    // Several local destinations: one outcome listing each one's pruning.
    report.retention = before
      ? {
          removed: [...before.removed, ...outcome.removed],
          kept: [...before.kept, ...outcome.kept],
          warnings: [...before.warnings, ...outcome.warnings],
        }
      : outcome;
  } catch (error) {
    report.retention = { removed: [], kept: [], warnings: [`nothing pruned: ${toBackupError(error).message}`] };
    options.logger.warn(`retention: nothing pruned: ${toBackupError(error).message}`);
  }
}

function selectAssets(config: Config, names: string[] | undefined): Config['assets'] {
  if (!names || names.length === 0) return config.assets;
  const unknown = names.filter((name) => !config.assets.some((a) => a.name === name));
  if (unknown.length > 0) {
    throw new BackupError(
      'USAGE',
      `unknown asset ${unknown.map((n) => `"${n}"`).join(', ')} (configured: ${config.assets.map((a) => a.name).join(', ')})`,
    );
  }
  return config.assets.filter((asset) => names.includes(asset.name));
}

/** Runs each settled asset's settle (the manifest is written); a failure is logged, never fails the run. */
async function settleAssets(settles: (() => Promise<void>)[], logger: Logger): Promise<void> {
  for (const settle of settles) {
    try {
      await settle();
    } catch (error) {
      logger.warn(`after the manifest: ${toBackupError(error).message}`);
    }
  }
}
