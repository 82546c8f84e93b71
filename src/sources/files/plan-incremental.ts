// The incremental half of planning a files asset: the level of this run (layout/incremental-policy.ts),
// the snapshot file tar works on (a copy in a pending directory: files-state.ts), and the excluded
// paths as tar exclusions, since with --listed-incremental tar lists every directory itself.
import { createHash } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { join, relative } from 'node:path';
import { decideLevel, type LevelDecision } from '../../layout/incremental-policy.js';
import type { ArtifactRecord, IncrementalRecord } from '../../layout/manifest.js';
import { BackupError } from '../../shared/backup-error.js';
import type { PlanContext, SkippedPath } from '../source.js';
import { fsPath } from './file-names.js';
import type { FilesAssetConfig } from './files-asset-schema.js';
import { createPending, filesStateDir, readLastFull, settlePending, type LastFull } from './files-state.js';
import { walkFiles } from './walk-files.js';

/** What the tar job of an incremental run needs, and what settles it. */
export interface IncrementalTar {
  /** tar's extra arguments: the snapshot copy and the exclusions. */
  args: string[];
  /** The manifest's record; a full's `snapshot` is filled in once tar wrote it ({@link finishRecord}). */
  record: IncrementalRecord;
  /** The snapshot file tar reads and updates. */
  snapshot: string;
  /** When the state of an earlier full was lost or suspect: reported as a warning of the artifact. */
  lost: SkippedPath | undefined;
  settle(records: readonly ArtifactRecord[]): Promise<void>;
}

/** The level of this run and the full it builds on. */
async function chooseLevel(asset: FilesAssetConfig, fullEvery: number, context: PlanContext) {
  const dir = filesStateDir(context.stateDir, asset.name);
  const found = await readLastFull(dir);
  const last = 'missing' in found ? undefined : found;
  const decision: LevelDecision = decideLevel({
    now: context.now,
    fullEvery,
    lastFull: last?.startedAt,
    ...(last && context.retention
      ? { expiry: { fullTier: last.tier, tier: context.tier, retention: context.retention } }
      : {}),
  });
  if ('missing' in found) decision.reason = found.missing;
  const lost = 'missing' in found && found.lost ? { path: dir, reason: found.missing } : undefined;
  return { dir, decision, last: decision.level === 1 ? last : undefined, lost };
}

/**
 * Plans the incremental side of an asset with `incremental:`; undefined in a dry run (only `notes` are
 * filled). Throws BackupError STATE_DIR_FAILED when the state directory cannot be written.
 */
export async function planIncremental(
  asset: FilesAssetConfig & { incremental: { full_every: number } },
  roots: string[],
  isExcluded: (path: string) => boolean,
  context: PlanContext,
  signal: AbortSignal,
  notes: string[],
): Promise<IncrementalTar | undefined> {
  const { dir, decision, last, lost } = await chooseLevel(asset, asset.incremental.full_every, context);
  notes.push(`${decision.level === 0 ? 'full' : 'differential'} (${decision.reason})`);
  if (context.dryRun) return undefined;
  const what = `files "${asset.name}"`;
  try {
    const { pending, snapshot } = await createPending(dir, last);
    // Without exclude patterns nothing is excluded: no walk of the whole tree just to list nothing.
    const excludes =
      asset.exclude.length === 0 ? [] : await writeExclusions(join(pending, 'excludes'), roots, isExcluded, signal);
    const record = incrementalRecord(decision, last);
    return {
      args: [`--listed-incremental=${snapshot}`, '--anchored', '--no-wildcards', ...excludes],
      record,
      snapshot,
      lost,
      settle: (records) =>
        settlePending(dir, pending, records[0], { level: decision.level, startedAt: context.now, tier: context.tier }),
    };
  } catch (error) {
    if (signal.aborted) throw new BackupError('INTERRUPTED', `${what}: interrupted`, { asset: asset.name });
    throw new BackupError(
      'STATE_DIR_FAILED',
      `${what}: cannot prepare its incremental state in ${dir}: ${String(error)}`,
      {
        asset: asset.name,
        cause: error,
      },
    );
  }
}

function incrementalRecord(decision: LevelDecision, last: LastFull | undefined): IncrementalRecord {
  return {
    level: decision.level,
    reason: decision.reason,
    ...(last ? { base: last.base, snapshot: last.snapshotSha256 } : {}),
  };
}

/** After tar exited well: a full records the sha256 of the snapshot it wrote (what its differentials start from). */
export function finishRecord(job: IncrementalTar): IncrementalRecord {
  if (job.record.level === 1) return job.record;
  // Synchronous: called from tar's exit judgement; a snapshot file is small (tens of bytes a file).
  return { ...job.record, snapshot: createHash('sha256').update(readFileSync(job.snapshot)).digest('hex') };
}

/**
 * Walks the roots as a backup would and writes every excluded path (relative to /, as tar names it)
 * into `file`, one a line, for `--exclude-from`; a name with a newline cannot be a line and becomes an
 * `--exclude=` argument. Returns tar's exclusion arguments.
 */
async function writeExclusions(
  file: string,
  roots: string[],
  isExcluded: (path: string) => boolean,
  signal: AbortSignal,
): Promise<string[]> {
  const out = createWriteStream(file, { mode: 0o600 });
  const inArgs: string[] = [];
  const record = (path: string) => {
    const name = relative('/', path) || '.';
    if (name.includes('\n')) inArgs.push(`--exclude=${name}`);
    else if (!out.write(fsPath(name)) || !out.write('\n')) return true;
    return false;
  };
  const pending: Promise<unknown>[] = [];
  const recording = (path: string) => {
    if (!isExcluded(path)) return false;
    if (record(path)) pending.push(once(out, 'drain'));
    return true;
  };
  for await (const _path of walkFiles(roots, recording, () => undefined, signal)) {
    if (pending.length > 0) await Promise.all(pending.splice(0));
  }
  out.end();
  await once(out, 'finish');
  return [`--exclude-from=${file}`, ...inArgs];
}
