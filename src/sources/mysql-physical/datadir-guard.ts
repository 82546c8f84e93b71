// Refuses a restore target that is a server's datadir: a physical restore writes whole InnoDB files, and
// into a running server's datadir that destroys it. Checked before anything is downloaded.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupError } from '../../shared/backup-error.js';

/** Files whose presence marks a datadir; the first two are locked by a running server. */
const DATADIR_MARKS = ['ibdata1', 'aria_log_control', 'ib_logfile0', 'mysql'];

/**
 * The inode numbers locked by some process (from /proc/locks: `... PID MAJOR:MINOR:INODE ...`), each with
 * the pid; empty where /proc is absent. Matched by inode alone: device numbers differ between stat and
 * /proc/locks on overlay filesystems, and a false match only changes the wording of a refusal.
 */
async function lockedInodes(): Promise<Map<number, string>> {
  const text = await readFile('/proc/locks', 'utf8').catch(() => '');
  const locked = new Map<number, string>();
  for (const line of text.split('\n')) {
    const match = /\s(\d+)\s+[0-9a-f]+:[0-9a-f]+:(\d+)\s/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) locked.set(Number(match[2]), match[1]);
  }
  return locked;
}

/**
 * Throws unless `target` is missing or an empty directory: RESTORE_TARGET_NOT_EMPTY naming a running
 * server (its ibdata1 or aria_log_control locked by pid N) or a stopped server's datadir, or plain
 * content. A physical restore never merges (no --force).
 */
export async function refuseDatadir(target: string): Promise<void> {
  const entries = await readdir(target).catch((error: unknown) => {
    const code = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    if (code === 'ENOENT') return [];
    throw new BackupError('USAGE', `--to ${target}: ${code}`, { cause: error });
  });
  const content = entries.filter((name) => !name.startsWith('.backup-agent-restore-'));
  if (content.length === 0) return;
  const locks = await lockedInodes();
  for (const name of ['ibdata1', 'aria_log_control']) {
    const inode = (await stat(join(target, name)).catch(() => undefined))?.ino;
    const pid = inode === undefined ? undefined : locks.get(inode);
    if (pid !== undefined)
      throw new BackupError(
        'RESTORE_TARGET_NOT_EMPTY',
        `--to ${target}: this is the datadir of a running server (${name} is locked by pid ${pid}): a physical restore never writes into it; restore into a new directory, stop the server, then copy it in (docs/physical.md)`,
      );
  }
  const marks = DATADIR_MARKS.filter((mark) => content.includes(mark));
  throw new BackupError(
    'RESTORE_TARGET_NOT_EMPTY',
    marks.length > 0
      ? `--to ${target}: this looks like a server's datadir (${marks.join(', ')}): a physical restore goes into a new or empty directory only`
      : `--to ${target}: the directory is not empty: a physical restore goes into a new or empty directory only`,
  );
}
