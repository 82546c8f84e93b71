import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackupError } from '../shared/backup-error.js';
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
  const error = await acquireRunLock(dir).then(
    (lock) => { void lock.release(); throw new Error('expected the lock to be held'); },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BackupError);
  expect((error as BackupError).code).toBe('LOCKED');
  expect((error as BackupError).exitCode).toBe(11);
  return error as BackupError;
}

describe('acquireRunLock', () => {
  it('creates state_dir and a private lock file holding our PID', async () => {
    const lock = await acquireRunLock(stateDir);
    expect(lock.path).toBe(join(stateDir, 'lock'));
    expect(await readFile(lock.path, 'utf8')).toBe(`${process.pid}\n`);
    expect((await stat(lock.path)).mode & 0o777).toBe(0o600);
    expect((await stat(stateDir)).mode & 0o777).toBe(0o700);
    await lock.release();
  });

  it('refuses a second run while the first holds the lock, naming its PID', async () => {
    const lock = await acquireRunLock(stateDir);
    const error = await lockError(stateDir);
    expect(error.message).toBe(`another run (PID ${process.pid}) holds the lock ${lock.path}`);
    expect(await readFile(lock.path, 'utf8')).toBe(`${process.pid}\n`);
    await lock.release();
  });

  it('refuses while another live process holds the lock, and takes over once it is gone', async () => {
    const other = execa('sleep', ['30'], { reject: false });
    try {
      await acquireRunLock(stateDir).then((lock) => lock.release());
      await writeFile(join(stateDir, 'lock'), `${other.pid}\n`);
      expect((await lockError(stateDir)).message).toContain(`another run (PID ${other.pid}) holds the lock`);
    } finally {
      other.kill('SIGKILL');
      await other;
    }
    const lock = await acquireRunLock(stateDir);
    expect(await readFile(lock.path, 'utf8')).toBe(`${process.pid}\n`);
    await lock.release();
  });

  it('takes over a stale lock whose PID is not running', async () => {
    await acquireRunLock(stateDir).then((lock) => lock.release());
    await writeFile(join(stateDir, 'lock'), `${DEAD_PID}\n`);
    const lock = await acquireRunLock(stateDir);
    expect(await readFile(lock.path, 'utf8')).toBe(`${process.pid}\n`);
    await lock.release();
  });

  it('is usable again after release', async () => {
    const first = await acquireRunLock(stateDir);
    await first.release();
    await expect(stat(first.path)).rejects.toMatchObject({ code: 'ENOENT' });
    const second = await acquireRunLock(stateDir);
    expect(await readFile(second.path, 'utf8')).toBe(`${process.pid}\n`);
    await second.release();
  });

  it('release leaves a lock that another run has taken over', async () => {
    const lock = await acquireRunLock(stateDir);
    await writeFile(lock.path, '1\n'); // e.g. our lock was judged stale and PID 1's run took it
    await lock.release();
    expect(await readFile(lock.path, 'utf8')).toBe('1\n');
  });

  it('release does not fail when the lock is already gone', async () => {
    const lock = await acquireRunLock(stateDir);
    await rm(lock.path);
    await expect(lock.release()).resolves.toBeUndefined();
  });

  it('explains a state_dir that cannot be created (exit 1, not the lock code)', async () => {
    await writeFile(join(base, 'file'), '');
    const error = await acquireRunLock(join(base, 'file', 'state')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackupError);
    expect((error as BackupError).code).toBe('STATE_DIR_FAILED');
    expect((error as BackupError).exitCode).toBe(1);
    expect((error as BackupError).message).toContain('(check state_dir)');
  });
});
