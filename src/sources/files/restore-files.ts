// Restores a files artifact: the checked plaintext archive into GNU tar, extracting into a staging
// directory that becomes the target's content only when every byte matched the manifest.
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { restoreChain } from '../../layout/incremental-chain.js';
import { BackupError, toBackupError } from '../../shared/backup-error.js';
import { describeExit, runChild, startChild, tail } from '../../shared/child-process.js';
import { findOnPath } from '../../shared/find-on-path.js';
import type { ArtifactReader, RestoreEntry } from '../source.js';
import { stageTarget } from './restore-target.js';
import { TarExtractReport } from './tar-extract-report.js';

export interface FilesRestoreJob {
  entry: RestoreEntry;
  target: string;
  force: boolean;
  read: ArtifactReader;
  /** GNU tar (default `tar` on PATH). */
  tarBinary?: string;
}

/** What a restore that succeeded still has to say. */
export interface FilesRestoreResult {
  /** Metadata that could not be set, e.g. trusted.* and security.capability when not restoring as root. */
  warnings: string[];
  /** Members tar extracted. */
  members: number;
}

/**
 * tar's arguments to extract into `directory`: modes, times, owners (as root), extended attributes of
 * every namespace (tar sets only user.* without the include) and ACLs; `-vv` lists members with `+`
 * for those with ACLs, names escaped so that every listed member is one line.
 */
export function tarExtractArgs(directory: string): string[] {
  return [
    '--extract',
    '--file=-',
    `--directory=${directory}`,
    '--preserve-permissions',
    '--delay-directory-restore',
    '--xattrs',
    '--xattrs-include=*',
    '--acls',
    '-vv',
    '--quoting-style=escape',
    ...(process.getuid?.() === 0 ? [] : ['--no-same-owner']),
  ];
}

/**
 * Extracts `entry` into `target` (member paths as archived, e.g. `srv/www/...`), keeping modes, times,
 * symlinks, sparse files, xattrs, ACLs and, as root, owners. GNU tar never writes outside its directory
 * (absolute names are made relative, `..` members are refused, symlinks are not followed by later
 * members); any such member, and any member that is not a regular file, directory, symlink, hard link
 * or FIFO (device nodes), makes the restore fail with UNSAFE_ARCHIVE, since backup-agent never writes
 * them. Files with ACLs where ACLs cannot be set (a filesystem without them) fail it with RESTORE_FAILED:
 * they would come back more accessible. A differential is applied on its full (read by the key, size
 * and sha256 its manifest recorded), both extracted into the same staging directory. On any failure
 * (read errors, tar's exit) the staged output is removed and the error is thrown.
 */
export async function restoreFiles(job: FilesRestoreJob): Promise<FilesRestoreResult> {
  const chain = restoreChain(job.entry);
  const staged = await stageTarget(job.target, job.force);
  try {
    const warnings: string[] = [];
    let members = 0;
    for (const member of chain) {
      const said = await extractInto(member, staged.staging, job).catch((error: unknown) => {
        if (member !== job.entry && error instanceof BackupError && error.code === 'DESTINATION_NOT_FOUND')
          error.details.push(
            `that is the full the differential ${job.entry.key} applies on, and it is gone (expired by retention?): restore an older run whose full is there`,
          );
        throw error;
      });
      warnings.push(...said.warnings());
      members = said.members;
    }
    await staged.commit();
    return { warnings: [...new Set(warnings)], members };
  } catch (error) {
    await staged.discard();
    throw error;
  }
}

/**
 * Extracts one archive into `staging`; a member of an incremental chain with `--listed-incremental=/dev/null`,
 * so that tar applies the deletions and renames its directory records carry. Throws as {@link restoreFiles}.
 */
async function extractInto(entry: RestoreEntry, staging: string, job: FilesRestoreJob): Promise<TarExtractReport> {
  const { read } = job;
  const incremental = entry.record.incremental !== undefined ? ['--listed-incremental=/dev/null'] : [];
  const [file, args] = await withoutMknod(job.tarBinary ?? 'tar', [...tarExtractArgs(staging), ...incremental]);
  const tar = startChild(file, args, {
    env: 'c-locale',
    signal: read.signal,
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
  });
  const { stdin, stdout, stderr } = tar;
  if (!stdin || !stdout || !stderr) throw new BackupError('INTERNAL', `${basename(file)}: started without its pipes`);
  const said = new TarExtractReport();
  createInterface({ input: stdout }).on('line', (line) => said.listing(line));
  createInterface({ input: stderr }).on('line', (line) => said.stderr(line));
  // A write into a tar that died fails with EPIPE; tar's exit status reports the real cause.
  stdin.on('error', () => undefined);
  const label = `files "${entry.asset}" from ${read.locate(entry.key)}`;
  let readError: unknown;
  await read.stream(entry, { stdin }).catch((error: unknown) => {
    readError = error;
    tar.kill('SIGKILL');
  });
  const result = await tar;
  // A failure of the data (checksum, decryption, download) wins; a broken pipe into a dead tar does not.
  if (readError instanceof BackupError) throw readError;
  const odd = said.oddMembers();
  if (odd !== undefined) {
    throw new BackupError(
      'UNSAFE_ARCHIVE',
      `${label}: refused: the archive has members that are not regular files, directories, symlinks, hard links or FIFOs (${odd}); backup-agent never writes them; nothing was restored`,
      { asset: entry.asset },
    );
  }
  if (said.unsafe.length > 0) {
    throw new BackupError(
      'UNSAFE_ARCHIVE',
      `${label}: refused: the archive has members outside the target (${tail(said.unsafe.join('\n'))}); nothing was restored`,
      { asset: entry.asset },
    );
  }
  // The exit status, not execa's `failed`: Node's end of tar's stdin is closed on purpose when zstd writes into it.
  if (result.exitCode !== 0 || result.signal !== undefined) {
    throw new BackupError(
      'RESTORE_FAILED',
      `${label}: tar ${describeExit(result)}: ${tail(said.tail.join('\n')) || (result.shortMessage ?? '')}; nothing was restored`,
      { asset: entry.asset },
    );
  }
  if (readError !== undefined) throw toBackupError(readError, entry.asset);
  const aclLoss = said.aclLoss();
  if (aclLoss !== undefined) {
    throw new BackupError(
      'RESTORE_FAILED',
      `${label}: ${aclLoss}; nothing was restored: restore onto a filesystem with POSIX ACLs (ext4, xfs, btrfs, tmpfs)`,
      { asset: entry.asset },
    );
  }
  return said;
}

let setprivWorks: Promise<string | undefined> | undefined;

/**
 * As root, runs tar with CAP_MKNOD dropped from its bounding set (util-linux `setpriv`), so a crafted
 * device node is never created, not even in the staging directory; tar's listing still names it and
 * the restore is refused. Without root (no CAP_MKNOD anyway) or a working setpriv, tar runs as is.
 */
async function withoutMknod(tar: string, args: string[]): Promise<[string, string[]]> {
  if (process.getuid?.() !== 0) return [tar, args];
  setprivWorks ??= (async () => {
    const setpriv = await findOnPath('setpriv');
    if (setpriv === undefined) return undefined;
    const probe = await runChild(setpriv, ['--bounding-set', '-mknod', '--', 'true'], {
      env: 'c-locale',
      stdin: 'ignore',
      timeout: 10_000,
    });
    return probe.exitCode === 0 ? setpriv : undefined;
  })();
  const setpriv = await setprivWorks;
  return setpriv ? [setpriv, ['--bounding-set', '-mknod', '--', tar, ...args]] : [tar, args];
}
