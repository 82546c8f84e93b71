// Restores a files artifact: the checked plaintext archive into GNU tar, extracting into a staging
// directory that becomes the target's content only when every byte matched the manifest.
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { BackupError } from '../shared/backup-error.js';
import { describeExit, tail } from '../shared/child-output.js';
import { findOnPath } from '../shared/find-on-path.js';
import type { BackupEntry } from './backup-entries.js';
import { readArtifact, type ReadOptions } from './read-artifact.js';
import { stageTarget } from './restore-target.js';

/** tar's words for a member it refused or rewrote because it pointed outside the target. */
const ESCAPE = /Removing leading|Member name contains '\.\.'|Cannot open: Not a directory|Cannot hard link to|Cannot create symlink to/;
/**
 * Member types a backup may contain, as the first letter of tar's `-vv` listing: regular (`-`, `C`
 * contiguous), directory, symlink, hard link, FIFO. Devices (`c`, `b`), volume labels (`V`),
 * multi-volume parts (`M`) and unknown types (`?`) are refused.
 */
const SAFE_TYPES = new Set(['-', 'C', 'd', 'l', 'h', 'p']);
const TYPE_NAMES: Record<string, string> = { c: 'character device', b: 'block device', V: 'volume label', M: 'multi-volume part', L: 'long-name header' };
/** Unsafe members named in the message at most. */
const LISTED_UNSAFE = 10;

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
    // The listing (on stdout) gives each member's type: devices and other odd members are refused.
    '--verbose', '--verbose',
    ...(process.getuid?.() === 0 ? [] : ['--no-same-owner']),
  ];
  const [file, argv] = await withoutMknod(job.tarBinary ?? 'tar', args);
  const tar = execa(file, argv, {
    reject: false, stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', buffer: { stdout: false, stderr: true }, cancelSignal: read.signal, extendEnv: false,
    env: { LC_ALL: 'C', ...(process.env.PATH ? { PATH: process.env.PATH } : {}) },
  });
  const unsafe = unsafeMembers(tar.stdout!);
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
    const refused = await unsafe;
    // A failure of the data (checksum, decryption, download) wins; a broken pipe into a dead tar does not.
    if (readError instanceof BackupError) throw readError;
    if (refused.count > 0) {
      const more = refused.count > refused.listed.length ? `, and ${refused.count - refused.listed.length} more` : '';
      throw new BackupError('UNSAFE_ARCHIVE', `${label}: refused: the archive has members that are not regular files, directories, symlinks, hard links or FIFOs (${refused.listed.join(', ')}${more}); backup-agent never writes them; nothing was restored`, { asset: entry.asset });
    }
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

/** Reads tar's `-vv` listing and collects members of a type a backup never has (`character device srv/null`). */
async function unsafeMembers(listing: Readable): Promise<{ listed: string[]; count: number }> {
  const listed: string[] = [];
  let count = 0;
  for await (const line of createInterface({ input: listing, crlfDelay: Infinity })) {
    const type = line[0];
    if (type === undefined || SAFE_TYPES.has(type)) continue;
    count += 1;
    // `crw-rw-rw- root/root 1,3 2026-11-22 03:15 srv/null`: the name follows owner, size, date and time.
    const name = /^\S+ +\S+ +\S+ +\S+ +\S+ (.*)$/.exec(line)?.[1] ?? line;
    if (listed.length < LISTED_UNSAFE) listed.push(`${TYPE_NAMES[type] ?? `type "${type}"`} ${name}`);
  }
  return { listed, count };
}

let setprivWorks: Promise<string | undefined> | undefined;

/**
 * As root, runs tar with CAP_MKNOD dropped from its bounding set (util-linux `setpriv`), so a crafted
 * device node is never created, not even in the staging directory; tar reports it and the listing
 * refuses it. Without root (no CAP_MKNOD anyway) or without a working setpriv, tar runs as is.
 */
async function withoutMknod(tar: string, args: string[]): Promise<[string, string[]]> {
  if (process.getuid?.() !== 0) return [tar, args];
  setprivWorks ??= (async () => {
    const setpriv = await findOnPath('setpriv');
    if (setpriv === undefined) return undefined;
    const probe = await execa(setpriv, ['--bounding-set', '-mknod', '--', 'true'], { reject: false, stdin: 'ignore', timeout: 10_000 });
    return probe.exitCode === 0 ? setpriv : undefined;
  })();
  const setpriv = await setprivWorks;
  return setpriv ? [setpriv, ['--bounding-set', '-mknod', '--', tar, ...args]] : [tar, args];
}
