// Restores a files artifact: the checked plaintext archive into GNU tar, extracting into a staging
// directory that becomes the target's content only when every byte matched the manifest.
import { execa } from 'execa';
import { BackupError } from '../shared/backup-error.js';
import { describeExit, tail } from '../shared/child-output.js';
import type { BackupEntry } from './backup-entries.js';
import { readArtifact, type ReadOptions } from './read-artifact.js';
import { stageTarget } from './restore-target.js';

/** tar's words for a member it refused or rewrote because it pointed outside the target. */
const ESCAPE = /Removing leading|Member name contains '\.\.'|Cannot open: Not a directory|Cannot hard link to|Cannot create symlink to/;

export interface FilesRestoreJob {
  entry: BackupEntry;
  target: string;
  force: boolean;
  read: ReadOptions;
  /** GNU tar (default `tar` on PATH). */
  tarBinary?: string;
}

/**
 * Extracts `entry` into `target` (member paths as archived, e.g. `srv/www/...`), keeping modes, times,
 * symlinks and, as root, owners. GNU tar never writes outside its directory (absolute names are made
 * relative, `..` members are refused, symlinks are not followed by later members); any such member
 * makes the restore fail with UNSAFE_ARCHIVE, since backup-agent never writes them. On any failure
 * (read errors of readArtifact, tar's exit) the staged output is removed and the error is thrown.
 */
export async function restoreFiles(job: FilesRestoreJob): Promise<void> {
  const { entry, read } = job;
  const staged = await stageTarget(job.target, job.force);
  const args = [
    '--extract', '--file=-', `--directory=${staged.staging}`, '--preserve-permissions', '--delay-directory-restore',
    ...(process.getuid?.() === 0 ? [] : ['--no-same-owner']),
  ];
  const tar = execa(job.tarBinary ?? 'tar', args, {
    reject: false, stdin: 'pipe', stdout: 'ignore', stderr: 'pipe', cancelSignal: read.signal, extendEnv: false,
    env: { LC_ALL: 'C', ...(process.env.PATH ? { PATH: process.env.PATH } : {}) },
  });
  // A write into a tar that died fails with EPIPE; tar's exit status reports the real cause.
  tar.stdin!.on('error', () => undefined);
  const label = `files "${entry.asset}" from ${read.store.locate(entry.key)}`;
  try {
    let readError: unknown;
    await readArtifact(entry.record, read, { stdin: tar.stdin! }).catch((error: unknown) => {
      readError = error;
      tar.kill('SIGKILL');
    });
    const result = await tar;
    const stderr = String(result.stderr ?? '');
    // A failure of the data (checksum, decryption, download) wins; a broken pipe into a dead tar does not.
    if (readError instanceof BackupError) throw readError;
    if (ESCAPE.test(stderr)) {
      throw new BackupError('UNSAFE_ARCHIVE', `${label}: refused: the archive has members outside the target (${tail(stderr, 3)}); nothing was restored`, { asset: entry.asset });
    }
    // The exit status, not execa's `failed`: Node's end of tar's stdin is closed on purpose when zstd writes into it.
    if (result.exitCode !== 0 || result.signal !== undefined) {
      throw new BackupError('RESTORE_FAILED', `${label}: tar ${describeExit(result)}: ${tail(stderr, 3) || (result.shortMessage ?? '')}; nothing was restored`, { asset: entry.asset });
    }
    if (readError !== undefined) throw readError;
    await staged.commit();
  } catch (error) {
    await staged.discard();
    throw error;
  }
}
