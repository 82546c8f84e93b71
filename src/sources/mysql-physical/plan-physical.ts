// Plans a mysql-physical asset: one xbstream artifact from `mariabackup --backup --stream=xbstream`
// (or xtrabackup), a full or a differential against the last full (layout/incremental-policy.ts).
import { basename } from 'node:path';
import { decideLevel, type LevelDecision } from '../../layout/incremental-policy.js';
import type { IncrementalRecord } from '../../layout/manifest.js';
import { BackupError } from '../../shared/backup-error.js';
import { childOutput } from '../../shared/child-output.js';
import { describeExit, startChild, stderrTail, tail, type ChildResult } from '../../shared/child-process.js';
import { describeServer } from '../mysql/mysql-client.js';
import { prepareOptionsFile } from '../mysql/mysql-options-file.js';
import type { PlanContext, SourcePlan, SourceReport, SourceStream } from '../source.js';
import { readPositions } from './backup-positions.js';
import type { PhysicalAssetConfig } from './physical-asset-schema.js';
import { asMysqlConnection } from '../mysql/as-mysql-connection.js';
import { findBackupTool, type BackupTool } from './physical-tools.js';
import { assetStateDir, createPending, readLastFull, settlePending, type LastFull } from './physical-state.js';

/** What opening the backup needs besides the signal. */
interface PhysicalJob {
  asset: PhysicalAssetConfig;
  tool: BackupTool;
  optionsFile: string | undefined;
  /** This run's --extra-lsndir. */
  pending: string;
  decision: LevelDecision;
  /** The full a differential builds on. */
  last: LastFull | undefined;
  /** Set when the state of an earlier full was lost or suspect: reported as a warning of the artifact. */
  lost: string | undefined;
}

/** The level of this run and the full it builds on: always a full without `incremental`. */
async function chooseLevel(asset: PhysicalAssetConfig, context: PlanContext) {
  if (asset.incremental === undefined)
    return { decision: { level: 0, reason: 'incremental is off' } as LevelDecision, last: undefined, lost: undefined };
  const found = await readLastFull(assetStateDir(context.stateDir, asset.name));
  const last = 'missing' in found ? undefined : found;
  // The same rule as files: a differential only when its full's tier keeps the full as long as this run's tier keeps it.
  const decision = decideLevel({
    now: context.now,
    fullEvery: asset.incremental.full_every,
    lastFull: last?.startedAt,
    ...(last?.tier !== undefined && context.retention
      ? { expiry: { fullTier: last.tier, tier: context.tier, retention: context.retention } }
      : {}),
  });
  if ('missing' in found) decision.reason = found.missing;
  const lost = 'missing' in found && found.lost ? found.missing : undefined;
  return { decision, last: decision.level === 1 ? last : undefined, lost };
}

/** Plans the asset (one artifact). Throws BackupError when the tool is missing or credentials are unreadable. */
export async function planPhysical(
  asset: PhysicalAssetConfig,
  signal: AbortSignal,
  context: PlanContext,
): Promise<SourcePlan> {
  const what = `mysql-physical "${asset.name}"`;
  const tool = await findBackupTool(asset.backup_binary, what);
  const { decision, last, lost } = await chooseLevel(asset, context);
  const level = decision.level === 0 ? 'full' : 'differential';
  const notes = [
    `${basename(tool.binary)} on ${describeServer(asMysqlConnection(asset))}: ${level} (${decision.reason})`,
  ];
  const dir = assetStateDir(context.stateDir, asset.name);
  if (context.dryRun) return { notes, skipped: [], items: [{ extension: 'xbstream', open: () => notOpened(what) }] };
  const options = await prepareOptionsFile(asMysqlConnection(asset));
  const pending = await createPending(dir).catch(async (error: unknown) => {
    await options.dispose();
    throw new BackupError('STATE_DIR_FAILED', `${what}: cannot create its state in ${dir}: ${String(error)}`, {
      asset: asset.name,
      cause: error,
    });
  });
  const job: PhysicalJob = { asset, tool, optionsFile: options.path, pending, decision, last, lost };
  if (signal.aborted) throw new BackupError('INTERRUPTED', `${what}: interrupted`, { asset: asset.name });
  return {
    notes,
    skipped: [],
    items: [{ extension: 'xbstream', open: (runSignal) => openBackup(job, runSignal) }],
    dispose: () => options.dispose(),
    settle: (records) => settlePending(dir, pending, decision.level, records[0], context.now, context.tier),
  };
}

function notOpened(what: string): never {
  throw new BackupError('INTERNAL', `${what}: a dry run opens nothing`);
}

/** The tool's arguments: the options file first (it must be), a stream to stdout, the LSNs into `pending`. */
export function backupArgs(job: Pick<PhysicalJob, 'optionsFile' | 'pending' | 'last'>): string[] {
  return [
    ...(job.optionsFile ? [`--defaults-extra-file=${job.optionsFile}`] : []),
    '--backup',
    '--stream=xbstream',
    `--extra-lsndir=${job.pending}`,
    ...(job.last ? [`--incremental-basedir=${job.last.lsnDir}`] : []),
  ];
}

/** The tool's failure explained: privileges and datadir access are the usual causes. */
function judgeBackup({ asset, tool }: PhysicalJob, result: ChildResult, stderr: string, signal: AbortSignal) {
  const what = `mysql-physical "${asset.name}"`;
  if (result.isCanceled || signal.aborted)
    return new BackupError('INTERRUPTED', `${what}: interrupted`, { asset: asset.name });
  const name = basename(tool.binary);
  const cause = tail(stderr, 3) || 'no error output';
  if (result.exitCode !== 0) {
    const hint = /missing required privilege|Access denied|need \(at least one of\)/.test(stderr)
      ? ' (grant the backup user what `docs/physical.md` lists: RELOAD, PROCESS, BINLOG MONITOR on MariaDB)'
      : /Permission denied|Can't open|cannot open|Errcode: 13|error 13/i.test(stderr)
        ? ' (the agent must run on the database host as a user that can read the datadir)'
        : '';
    return new BackupError('SOURCE_FAILED', `${what}: ${name} ${describeExit(result)}: ${cause}${hint}`, {
      asset: asset.name,
    });
  }
  if (!stderr.includes('completed OK!'))
    return new BackupError('SOURCE_FAILED', `${what}: ${name} exited 0 without "completed OK!": ${cause}`, {
      asset: asset.name,
    });
  return undefined;
}

/**
 * Starts the backup: its xbstream is the stream, which ends only once the tool exited 0 saying
 * "completed OK!" and its LSNs were read from the pending directory into the report (for the manifest).
 */
function openBackup(job: PhysicalJob, signal: AbortSignal): SourceStream {
  const report: SourceReport = {
    skipped: [],
    warnings: job.lost ? [{ path: assetStateDir('', job.asset.name), reason: job.lost }] : [],
    omitted: 0,
  };
  const child = startChild(job.tool.binary, backupArgs(job), {
    env: 'client',
    signal,
    buffer: false,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const stderr = stderrTail(child, 16_384);
  const upstream = child.then(async (result) => {
    const error = judgeBackup(job, result, stderr(), signal);
    if (error) return error;
    const positions = await readPositions(job.pending);
    if (positions === undefined)
      return new BackupError(
        'SOURCE_FAILED',
        `mysql-physical "${job.asset.name}": ${basename(job.tool.binary)} wrote no readable xtrabackup_checkpoints into ${job.pending}`,
        { asset: job.asset.name },
      );
    report.physical = positions;
    report.incremental = incrementalRecord(job);
    return undefined;
  });
  return { stream: childOutput(child, () => undefined, { upstream }), report };
}

function incrementalRecord({ asset, decision, last }: PhysicalJob): IncrementalRecord | undefined {
  if (asset.incremental === undefined) return undefined;
  return { level: decision.level, reason: decision.reason, ...(last ? { base: last.base } : {}) };
}
