// One run at a time per state_dir: an exclusive lock file holding the owner's PID.
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupError } from '../shared/backup-error.js';

export interface RunLock {
  path: string;
  release(): Promise<void>;
}

/**
 * Takes `state_dir/lock`. The PID is written to a temp file first and linked into place, so the
 * lock never exists without its PID. A lock whose PID is no longer running is taken over.
 * Throws BackupError LOCKED naming the holder's PID, or STATE_DIR_FAILED when state_dir is unusable.
 */
export async function acquireRunLock(stateDir: string): Promise<RunLock> {
  const path = join(stateDir, 'lock');
  const temp = join(stateDir, `.lock.${process.pid}`);
  try {
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    await writeFile(temp, `${process.pid}\n`, { mode: 0o600 });
  } catch (error) {
    throw new BackupError('STATE_DIR_FAILED', `cannot create lock ${path}: ${(error as Error).message} (check state_dir)`, { cause: error });
  }
  try {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        await link(temp, path);
        return { path, release: () => releaseIfOurs(path) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new BackupError('STATE_DIR_FAILED', `cannot create lock ${path}: ${(error as Error).message} (check state_dir)`, { cause: error });
        }
        const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
        if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) {
          throw new BackupError('LOCKED', `another run (PID ${holder}) holds the lock ${path}`);
        }
        await unlink(path).catch(() => undefined); // stale: its owner is gone
      }
    }
    throw new BackupError('LOCKED', `cannot take the lock ${path}: another run keeps re-creating it`);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function releaseIfOurs(path: string): Promise<void> {
  const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
  if (holder === process.pid) await unlink(path).catch(() => undefined);
}
