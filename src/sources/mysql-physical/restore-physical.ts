// Restores a physical backup into a new directory: download and check each artifact of the chain (the
// full, then the differential), `mbstream -x` each, `--prepare` the full and apply the differential,
// then move the prepared datadir into --to. With --start, proves it by checksumming every table.
import { rm } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { restoreChain } from '../../layout/incremental-chain.js';
import { BackupError, toBackupError } from '../../shared/backup-error.js';
import { describeExit, runChild, startChild, tail } from '../../shared/child-process.js';
import { createOwnedTempDir } from '../../shared/owned-temp-dir.js';
import { stageTarget } from '../files/restore-target.js';
import type { ArtifactReader, RestoreEntry, RestoreRequest } from '../source.js';
import { refuseDatadir } from './datadir-guard.js';
import { findClient } from './physical-connection.js';
import { findBackupTool, findExtractor, type BackupTool } from './physical-tools.js';
import { checksumDatadir } from './checksum-datadir.js';

/** Streams `entry`'s plaintext into `extractor -x -C dir`; rejects with the read's or the extractor's failure. */
async function extract(entry: RestoreEntry, read: ArtifactReader, extractor: string, dir: string): Promise<void> {
  const child = startChild(extractor, ['-x', '-C', dir], {
    env: 'c-locale',
    signal: read.signal,
    stdin: 'pipe',
    stdout: 'ignore',
    stderr: 'pipe',
  });
  if (child.stdin === null) throw new BackupError('INTERNAL', `${basename(extractor)}: started without stdin`);
  let failure: unknown;
  await read.stream(entry, { stdin: child.stdin }).catch((error: unknown) => {
    failure = error;
    child.kill('SIGKILL');
  });
  const result = await child;
  if (failure !== undefined) throw toBackupError(failure, entry.asset);
  if (result.exitCode !== 0)
    throw new BackupError(
      'RESTORE_FAILED',
      `${read.locate(entry.key)}: ${basename(extractor)} -x ${describeExit(result)}: ${tail(String(result.stderr)) || 'no error output'}`,
      { asset: entry.asset },
    );
}

/** Runs `tool --prepare` on `dir` (with `incremental` applied when given). */
async function prepare(
  tool: BackupTool,
  dir: string,
  incremental: string | undefined,
  more: string[],
  signal: AbortSignal,
) {
  const args = [
    '--prepare',
    `--target-dir=${dir}`,
    ...(incremental ? [`--incremental-dir=${incremental}`] : []),
    ...more,
  ];
  const result = await runChild(tool.binary, args, {
    env: 'c-locale',
    signal,
    stdin: 'ignore',
    buffer: { stdout: false, stderr: true },
  });
  if (result.isCanceled) throw new BackupError('INTERRUPTED', 'restore: interrupted');
  const stderr = String(result.stderr);
  if (result.exitCode !== 0 || !stderr.includes('completed OK!'))
    throw new BackupError(
      'RESTORE_FAILED',
      `${basename(tool.binary)} --prepare${incremental ? ' --incremental-dir' : ''} ${describeExit(result)}: ${tail(stderr) || 'no error output'}`,
    );
}

/** Restores one mysql-physical run into `--to DIR` (new or empty); `--start` then checksums it. */
export async function restorePhysicalCommand(request: RestoreRequest): Promise<void> {
  const { entries, read, options } = request;
  const [entry] = entries;
  if (entry === undefined || options.to === undefined || options.intoDatabase !== undefined)
    throw new BackupError('USAGE', 'restore: a physical backup restores into a new directory: give --to DIR');
  const target = resolve(options.to); // the throwaway server gets absolute paths
  await refuseDatadir(target);
  const [full, last] = restoreChain(entry);
  const recorded = entry.record.physical?.tool ?? 'mariabackup';
  const tool = await findBackupTool(recorded.includes('xtrabackup') ? 'xtrabackup' : 'mariabackup', 'restore');
  const extractor = await findExtractor(tool.flavor, tool.binary, 'restore');
  if (options.start === true) await findClient('restore --start'); // fail before the download, not after
  const staged = await stageTarget(target, false);
  let incremental: string | undefined;
  try {
    await extract(full, read, extractor, staged.staging).catch((error: unknown) => {
      if (last !== undefined && error instanceof BackupError && error.code === 'DESTINATION_NOT_FOUND')
        error.details.push(
          `that is the full the differential ${entry.key} applies on, and it is gone (pruned by retention?): restore an older run whose full is there`,
        );
      throw error;
    });
    if (last !== undefined) {
      incremental = await createOwnedTempDir(target, '.backup-agent-restore-');
      await extract(last, read, extractor, incremental);
    }
    // xtrabackup must leave a full unrolled-back while a differential is still to be applied.
    const onlyRedo = tool.flavor === 'xtrabackup' && last !== undefined ? ['--apply-log-only'] : [];
    await prepare(tool, staged.staging, undefined, onlyRedo, read.signal);
    if (incremental !== undefined) await prepare(tool, staged.staging, incremental, [], read.signal);
    if (incremental !== undefined) await rm(incremental, { recursive: true, force: true });
    await staged.commit();
  } catch (error) {
    if (incremental !== undefined) await rm(incremental, { recursive: true, force: true });
    await staged.discard();
    throw error;
  }
  request.report(entry, target);
  if (last !== undefined) process.stdout.write(`  a differential: applied on its full ${full.key}, prepared\n`);
  if (options.start !== true) return;
  const sums = await checksumDatadir(target, read.signal);
  for (const { table, checksum } of sums) process.stdout.write(`checksum ${table} ${checksum}\n`);
  process.stdout.write(`checked ${sums.length} tables on a throwaway server started on ${target}; it was stopped\n`);
}
