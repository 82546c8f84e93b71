// One run at a time per state_dir: an exclusive lock file holding the owner's PID.
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupError } from '../shared/backup-error.js';

export interface RunLock {
  path: string;
  release(): Promise<void>;
}

/**
 * Takes `state_dir/lock`. A lock whose PID is no longer running is taken over.
 * Throws BackupError LOCKED naming the holder's PID.
 */
export async function acquireRunLock(stateDir: string): Promise<RunLock> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const path = join(stateDir, 'lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return { path, release: () => releaseIfOurs(path) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new BackupError('LOCKED', `cannot create lock ${path}: ${(error as Error).message} (check state_dir)`, { cause: error });
      }
      const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) {
        throw new BackupError('LOCKED', `another run (PID ${holder}) holds the lock ${path}`);
      }
      await unlink(path).catch(() => undefined); // stale: its owner is gone
    }
  }
  throw new BackupError('LOCKED', `cannot take the lock ${path}: another run keeps re-creating it`);
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
