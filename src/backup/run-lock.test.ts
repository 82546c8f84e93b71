import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackupError } from '../shared/backup-error.js';
import { bootId, processStart } from '../shared/process-identity.js';
import { acquireRunLock } from './run-lock.js';

// Above Linux's maximum pid_max (2^22), so no process can have it.
const DEAD_PID = 2147483646;
let base: string;
let stateDir: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'run-lock-'));
  stateDir = join(base, 'state', 'backup-agent');
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

async function lockError(dir: string): Promise<BackupError> {
  const error = await acquireRunLock(dir, 'second').then(
    (lock) => {
      void lock.release();
      throw new Error('expected the lock to be held');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BackupError);
  expect((error as BackupError).code).toBe('LOCKED');
  expect((error as BackupError).exitCode).toBe(11);
  return error as BackupError;
}

async function holder(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
}

/** Writes a lock file as another run would: JSON with the given identity. */
async function writeLock(identity: Record<string, unknown>): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  await writeFile(
    join(stateDir, 'lock'),
    `${JSON.stringify({ run_id: 'abcdef012345', since: '2026-11-22T03:15:00.000Z', ...identity })}\n`,
  );
}

/** A live process that is not a backup run. */
async function withSleeper(fn: (pid: number) => Promise<void>): Promise<void> {
  const other = execa('sleep', ['30'], { reject: false });
  try {
    await fn(other.pid!);
  } finally {
    other.kill('SIGKILL');
    await other;
  }
}

describe('acquireRunLock', () => {
  it('creates state_dir and a private lock file naming this process (PID, start time, boot id) and the run', async () => {
    const lock = await acquireRunLock(stateDir, 'run1');
    expect(lock.path).toBe(join(stateDir, 'lock'));
    expect(await holder(lock.path)).toMatchObject({
      pid: process.pid,
      start: processStart(process.pid),
      boot: bootId(),
      run_id: 'run1',
    });
    expect(lock.tookOver).toBeUndefined();
    expect((await stat(lock.path)).mode & 0o777).toBe(0o600);
    expect((await stat(stateDir)).mode & 0o777).toBe(0o700);
    await lock.release();
  });

  it('refuses a second run while a run of this process holds the lock, naming it', async () => {
    const lock = await acquireRunLock(stateDir, 'run1');
    const error = await lockError(stateDir);
    expect(error.message).toMatch(
      new RegExp(`^another run \\(PID ${process.pid}, run run1, since \\S+\\) holds the lock ${lock.path}$`),
    );
    expect(await holder(lock.path)).toMatchObject({ run_id: 'run1' });
    await lock.release();
  });

  it('refuses while another live run holds the lock (same PID, start time and boot)', async () => {
    await withSleeper(async (pid) => {
      await writeLock({ pid, start: processStart(pid), boot: bootId() });
      expect((await lockError(stateDir)).message).toContain(
        `another run (PID ${pid}, run abcdef012345, since 2026-11-22T03:15:00.000Z) holds the lock`,
      );
    });
  });

  it('takes over a lock whose PID now belongs to an unrelated process (other start time), saying why', async () => {
    await withSleeper(async (pid) => {
      await writeLock({ pid, start: '12', boot: bootId() });
      const lock = await acquireRunLock(stateDir, 'run2');
      expect(lock.tookOver).toBe(
        `took over a stale lock ${lock.path} (PID ${pid}, run abcdef012345, since 2026-11-22T03:15:00.000Z): PID ${pid} now belongs to another process, which started later`,
      );
      expect(await holder(lock.path)).toMatchObject({ pid: process.pid, run_id: 'run2' });
      await lock.release();
    });
  });

  it('takes over a lock under our own PID from an earlier process (a restarted container)', async () => {
    await writeLock({ pid: process.pid, start: '12', boot: bootId() });
    const lock = await acquireRunLock(stateDir, 'run3');
    expect(lock.tookOver).toContain(
      `PID ${process.pid} is this process, which started later (an earlier process had the same PID, e.g. before a container restart)`,
    );
    await lock.release();
  });

  it('takes over a lock of this very process that no run of it holds any more', async () => {
    await writeLock({ pid: process.pid, start: processStart(process.pid), boot: bootId() });
    const lock = await acquireRunLock(stateDir, 'run4');
    expect(lock.tookOver).toContain('it was left by an earlier run of this process');
    await lock.release();
  });

  it('takes over a lock from before a reboot even when its PID and start time match a live process', async () => {
    await withSleeper(async (pid) => {
      await writeLock({ pid, start: processStart(pid), boot: '00000000-1111-2222-3333-444444444444' });
      const lock = await acquireRunLock(stateDir, 'run5');
      expect(lock.tookOver).toMatch(
        /: it dates from before the last reboot \(boot id 00000000\.\.\., now \w{8}\.\.\.\)$/,
      );
      await lock.release();
    });
  });

  it('takes over a lock whose PID is not running', async () => {
    await writeLock({ pid: DEAD_PID, start: '12', boot: bootId() });
    const lock = await acquireRunLock(stateDir, 'run6');
    expect(lock.tookOver).toContain(`PID ${DEAD_PID} is not running`);
    await lock.release();
  });

  describe('old-format lock files (a bare PID, written by earlier versions)', () => {
    async function writeOld(pid: number, mtime?: Date): Promise<void> {
      await mkdir(stateDir, { recursive: true });
      await writeFile(join(stateDir, 'lock'), `${pid}\n`);
      if (mtime) await utimes(join(stateDir, 'lock'), mtime, mtime);
    }

    it('refuses while the PID runs and started before the lock was written', async () => {
      await withSleeper(async (pid) => {
        await new Promise((r) => setTimeout(r, 50));
        await writeOld(pid);
        expect((await lockError(stateDir)).message).toBe(
          `another run (PID ${pid}) holds the lock ${join(stateDir, 'lock')}`,
        );
      });
    });

    it('takes over when the PID started after the lock was written (reused), is ours, or is gone', async () => {
      await withSleeper(async (pid) => {
        await writeOld(pid, new Date(Date.now() - 3_600_000));
        const lock = await acquireRunLock(stateDir, 'old1');
        expect(lock.tookOver).toContain(
          `PID ${pid} now belongs to another process, which started after the lock was written`,
        );
        await lock.release();
      });
      await writeOld(process.pid);
      const own = await acquireRunLock(stateDir, 'old2');
      expect(own.tookOver).toContain(
        `PID ${process.pid} is this process (an earlier process had the same PID, e.g. before a container restart)`,
      );
      await own.release();
      await writeOld(DEAD_PID);
      const dead = await acquireRunLock(stateDir, 'old3');
      expect(dead.tookOver).toContain(`PID ${DEAD_PID} is not running`);
      await dead.release();
    });

    it('takes over a lock file that names no process', async () => {
      await mkdir(stateDir, { recursive: true });
      await writeFile(join(stateDir, 'lock'), 'garbage\n');
      const lock = await acquireRunLock(stateDir, 'junk');
      expect(lock.tookOver).toContain('(unknown holder): the lock file does not name a process');
      await lock.release();
    });
  });

  it('is usable again after release', async () => {
    const first = await acquireRunLock(stateDir, 'a');
    await first.release();
    await expect(stat(first.path)).rejects.toMatchObject({ code: 'ENOENT' });
    const second = await acquireRunLock(stateDir, 'b');
    expect(second.tookOver).toBeUndefined();
    await second.release();
  });

  it('release leaves a lock that another run has taken over', async () => {
    const lock = await acquireRunLock(stateDir, 'mine');
    await writeFile(lock.path, '1\n'); // e.g. our lock was judged stale and PID 1's run took it
    await lock.release();
    expect(await readFile(lock.path, 'utf8')).toBe('1\n');
  });

  it('release does not fail when the lock is already gone', async () => {
    const lock = await acquireRunLock(stateDir, 'gone');
    await rm(lock.path);
    await expect(lock.release()).resolves.toBeUndefined();
  });

  it('explains a state_dir that cannot be created (exit 1, not the lock code)', async () => {
    await writeFile(join(base, 'file'), '');
    const error = await acquireRunLock(join(base, 'file', 'state'), 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackupError);
    expect((error as BackupError).code).toBe('STATE_DIR_FAILED');
    expect((error as BackupError).exitCode).toBe(1);
    expect((error as BackupError).message).toContain('(check state_dir)');
  });
});
