// The files asset: walk -> GNU tar (fed a NUL-separated list) -> a tar stream that ends only when valid.
import { lstat, realpath } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { BackupError } from '../../shared/backup-error.js';
import { childOutput, releaseWhenSpawned } from '../../shared/child-output.js';
import {
  describeExit,
  runChild,
  startChild,
  tail,
  type ChildCommand,
  type ChildResult as Result,
} from '../../shared/child-process.js';
import { findOnPath } from '../../shared/find-on-path.js';
import { must } from '../../shared/must.js';
import type { ArtifactRecord } from '../../layout/manifest.js';
import type { FilesAssetConfig } from './files-asset-schema.js';
import { startCompressor } from '../../transforms/compressor-child.js';
import { decodeFileName, displayFileName } from './file-names.js';
import { feedFileList } from './feed-file-list.js';
import { createMemberIndex } from './member-index.js';
import { CHECKPOINT_ARGS, classifyTarMessage } from './tar-messages.js';
import { TarSizeEstimate } from './tar-size.js';
import { createExcluder, describeFsError } from './walk-files.js';
import { finishRecord, planIncremental, type IncrementalTar } from './plan-incremental.js';
import type {
  OpenOptions,
  PlanContext,
  SkippedPath,
  SourcePlan,
  SourceProgress,
  SourceReport,
  SourceStream,
} from '../source.js';

/** The most skipped/warning entries a manifest keeps per artifact (counts stay exact). */
export const MAX_REPORTED = 1000;

/**
 * tar's arguments for an asset. Sparse files are stored as their data (holes are not read and come
 * back as holes). With `metadata`, extended attributes of every namespace this user can read (tar
 * stores them all on create; the include only says so) except the raw ACL ones, which `--acls`
 * stores as text instead, so that `acls: false` really leaves ACLs out.
 */
export function tarCreateArgs(metadata: FilesAssetConfig['metadata'], incremental?: string[]): string[] {
  const args = [
    '--create',
    '--file=-',
    '--directory=/',
    // POSIX pax: long names, large files, sub-second mtimes; no atime/ctime noise.
    '--format=posix',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
    '--sparse',
    ...(metadata.xattrs ? ['--xattrs', '--xattrs-include=*', '--xattrs-exclude=system.posix_acl_*'] : []),
    ...(metadata.acls ? ['--acls'] : []),
    // --no-recursion is positional: it must come before --files-from. The walker decides what goes in.
    // Names in messages escaped (\n, \351, \:): one line per message whatever the name's bytes.
    '--no-recursion',
    '--null',
    '--verbatim-files-from',
    '--quoting-style=escape',
    '--files-from=-',
    // "Total bytes written: N" on stderr: the archive's size when Node does not see the archive itself.
    '--totals',
  ];
  // With --listed-incremental tar lists each directory itself (its entries are the archive's record of
  // what exists, deletions included): it is given the roots, recursing, with the excluded paths as exclusions.
  return incremental === undefined
    ? args
    : args.flatMap((arg) => (arg === '--no-recursion' ? [] : arg === '--null' ? [...incremental, arg] : [arg]));
}

/** Plans a `type: files` asset: one tar artifact of its readable paths. Throws BackupError when none can be read or tar is not GNU tar. */
export async function planFiles(
  asset: FilesAssetConfig,
  signal: AbortSignal,
  context?: PlanContext,
  tarBinary = 'tar',
): Promise<SourcePlan> {
  const tar = await checkGnuTar(tarBinary, asset.name, signal);
  const { roots, skipped, notes } = await resolveRoots(asset.paths);
  if (roots.length === 0) {
    throw new BackupError(
      'SOURCE_FAILED',
      `files "${asset.name}": none of the paths can be read: ${skipped.map((s) => `${s.path} (${s.reason})`).join(', ')}`,
      { asset: asset.name },
    );
  }
  const isExcluded = createExcluder(asset.exclude);
  const incrementalNotes: string[] = [];
  const incremental =
    asset.incremental && context
      ? await planIncremental(
          { ...asset, incremental: asset.incremental },
          roots,
          isExcluded,
          context,
          signal,
          incrementalNotes,
        )
      : undefined;
  const job: TarJob = {
    asset: asset.name,
    roots,
    isExcluded,
    planSkipped: skipped,
    tarBinary: tar,
    args: tarCreateArgs(asset.metadata, incremental?.args),
    incremental,
  };
  const kept =
    [asset.metadata.xattrs && 'xattrs', asset.metadata.acls && 'ACLs'].filter(Boolean).join(' and ') ||
    'no xattrs or ACLs';
  const plan: SourcePlan = {
    notes: [
      ...notes,
      `${tar} (${kept}, sparse): ${roots.map(displayFileName).join(', ')}${asset.exclude.length ? ` excluding ${asset.exclude.join(', ')}` : ''}`,
      ...incrementalNotes,
    ],
    skipped,
    items: [
      {
        extension: 'tar',
        open: (runSignal, options) => openTar(job, runSignal, undefined, options),
        openCompressed: (runSignal, command, options) => openTar(job, runSignal, command, options),
      },
    ],
    ...(incremental ? { settle: (records: readonly ArtifactRecord[]) => incremental.settle(records) } : {}),
  };
  return plan;
}

/**
 * Resolves `tarBinary` on PATH and checks it is GNU tar; returns its absolute path.
 * Throws BackupError SOURCE_MISSING_TOOL naming the asset otherwise.
 */
export async function checkGnuTar(tarBinary: string, asset: string, signal: AbortSignal): Promise<string> {
  const found = await findOnPath(tarBinary);
  const result = found ? await runChild(found, ['--version'], { env: 'c-locale', signal }) : undefined;
  if (!found || !result || result.failed || !String(result.stdout).includes('GNU tar')) {
    const why = !found ? 'not found on PATH' : result?.failed ? result.shortMessage : 'it is not GNU tar';
    throw new BackupError(
      'SOURCE_MISSING_TOOL',
      `files "${asset}": cannot use ${tarBinary}: ${why} (install GNU tar)`,
      { asset },
    );
  }
  return found;
}

/** Resolves configured paths: drops missing ones (reported, as shown), follows a root symlink, removes nested roots. */
export async function resolveRoots(
  paths: string[],
): Promise<{ roots: string[]; skipped: SkippedPath[]; notes: string[] }> {
  const skipped: SkippedPath[] = [];
  const notes: string[] = [];
  const found: string[] = [];
  for (const path of paths) {
    try {
      const stats = await lstat(path);
      if (stats.isSymbolicLink()) {
        const target = decodeFileName(await realpath(path, { encoding: 'buffer' }));
        notes.push(`${path} is a symlink; backing up its target ${displayFileName(target)}`);
        found.push(target);
      } else {
        found.push(path);
      }
    } catch (error) {
      skipped.push({ path: displayFileName(path), reason: describeFsError(error) });
    }
  }
  const unique = [...new Set(found)].sort();
  const roots = unique.filter(
    (root) => !unique.some((other) => other !== root && (root.startsWith(`${other}/`) || other === '/')),
  );
  return { roots, skipped, notes };
}

/** What openTar needs besides the signal. */
interface TarJob {
  asset: string;
  roots: string[];
  isExcluded: (path: string) => boolean;
  planSkipped: SkippedPath[];
  tarBinary: string;
  args: string[];
  /** Set for a run with `incremental:` (not in a dry run). */
  incremental: IncrementalTar | undefined;
}

/**
 * Runs tar over the walked paths. Without `compressor`, the archive is the returned stream; with it,
 * tar's stdout is the compressor's stdin (one kernel pipe, Node never sees the archive) and the
 * compressor's output is the stream, ending only if both exited well (tar's failure wins).
 * tar reports checkpoints (about one line per MiB: the stall watchdog counts them); with
 * `options.progress` the walker also sums sizes for an estimated total.
 */
function openTar(job: TarJob, signal: AbortSignal, compressor?: ChildCommand, options: OpenOptions = {}): SourceStream {
  const { asset, roots, isExcluded, planSkipped, tarBinary, args, incremental } = job;
  // Keyed by the path as shown (escaped; one entry per file however it was found).
  const skipped = new Map<string, string>(planSkipped.map((s) => [s.path, s.reason]));
  const warnings = new Map<string, string>();
  const unknown: string[] = [];
  const report: SourceReport = { skipped: [], warnings: [], omitted: 0 };
  /** Records a decoded path under its escaped form. */
  const record = (map: Map<string, string>, entry: SkippedPath) => {
    const path = displayFileName(entry.path);
    if (map.has(path)) return;
    if (map.size < MAX_REPORTED) map.set(path, entry.reason);
    else report.omitted += 1;
  };

  const compress = compressor && startCompressor(compressor, signal, { label: `files "${asset}"`, asset });
  const estimate = options.progress && !incremental ? new TarSizeEstimate() : undefined;
  let written: number | undefined;
  const progress: SourceProgress = { read: () => written, total: () => estimate?.total() };
  const index = createMemberIndex();
  const child = startChild(tarBinary, [...args, ...CHECKPOINT_ARGS, ...index.args], {
    env: 'c-locale',
    signal,
    buffer: false,
    stdin: 'pipe',
    stdout: compress ? compress.stdin : 'pipe',
    stderr: 'pipe',
  });
  if (compress) releaseWhenSpawned(child, compress.stdin);
  const stdin = must(child.stdin, "tar's stdin pipe");
  // A write to a tar that died fails with EPIPE; tar's exit status reports the real cause.
  stdin.on('error', () => undefined);
  createInterface({ input: must(child.stderr, "tar's stderr pipe") }).on('line', (line) => {
    const message = classifyTarMessage(line);
    if (message.kind === 'skipped') record(skipped, message.entry);
    else if (message.kind === 'warning') record(warnings, message.entry);
    else if (message.kind === 'totals') report.bytesRead = message.bytes;
    else if (message.kind === 'checkpoint') written = message.bytes;
    else if (message.kind === 'unknown' && unknown.length < 20) unknown.push(message.line);
  });
  const rootsOnly = incremental !== undefined;
  feedFileList(stdin, roots, isExcluded, (entry) => record(skipped, entry), signal, estimate, rootsOnly).catch(
    (error: unknown) => {
      child.kill();
      unknown.push(`walking files failed: ${describeFsError(error)}`);
    },
  );

  if (incremental?.lost) record(warnings, incremental.lost);
  const finish = () => {
    report.skipped = [...skipped].map(([path, reason]) => ({ path, reason }));
    report.warnings = [...warnings].map(([path, reason]) => ({ path, reason }));
  };
  const judge = (result: Result): Error | undefined => {
    finish();
    const members = result.exitCode === 0 || result.exitCode === 1 || result.exitCode === 2 ? index.count() : undefined;
    if (members === undefined) index.remove();
    else report.contents = { members };
    if (result.isCanceled || signal.aborted)
      return new BackupError('INTERRUPTED', `files "${asset}": interrupted`, { asset });
    // tar: 0 ok, 1 some files changed while read, 2 some files could not be read (archive still valid).
    if (result.exitCode === 0 || result.exitCode === 1 || (result.exitCode === 2 && unknown.length === 0)) {
      if (incremental) report.incremental = finishRecord(incremental);
      return undefined;
    }
    const cause = unknown.length ? tail(unknown.join('\n')) : result.shortMessage;
    return new BackupError('SOURCE_FAILED', `files "${asset}": tar ${describeExit(result)}: ${cause}`, { asset });
  };
  if (!compress) return { stream: childOutput(child, judge), report, progress };
  // tar's failure wins, unless it failed only because the compressor died first (a broken pipe).
  const upstream = Promise.all([child, compress.child]).then(([tarResult, compressResult]) => {
    const tarError = judge(tarResult);
    // The pipe is a socketpair (libuv): tar reports "-: Cannot write: Connection reset by peer" or "Broken pipe".
    const brokenPipe =
      tarResult.signal === 'SIGPIPE' || unknown.some((line) => line.includes('tar: -: Cannot write: '));
    return tarError && brokenPipe ? (compress.judge(compressResult) ?? tarError) : tarError;
  });
  return { stream: compress.output(upstream), report, progress };
}
