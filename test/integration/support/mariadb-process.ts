// Owns throwaway mariadbd processes: a cached install-db template, a free port, readiness, and no leftovers.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { exited, freePort } from './ports.js';

export { exited, freePort };

export const MARIADBD = '/usr/sbin/mariadbd';
const SETPRIV = '/usr/bin/setpriv';
/** Passed to both install-db and mariadbd so the redo log is created small once and never resized. */
const INNODB_FLAGS = ['--innodb-buffer-pool-size=64M', '--innodb-log-file-size=8M'];
const INSTALL_FLAGS = [
  '--auth-root-authentication-method=normal',
  '--skip-test-db',
  '--user=root',
  '--skip-name-resolve',
];

const live = new Map<ChildProcess, string>();
let exitHookInstalled = false;

/** SIGKILLs the server and removes `dir` when the test process exits, even if stop() was never called. */
function killOnExit(child: ChildProcess, dir: string): void {
  live.set(child, dir);
  child.once('exit', () => live.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [c, d] of live) {
      c.kill('SIGKILL');
      try {
        rmSync(d, { recursive: true, force: true });
      } catch {
        /* the dying server may still be writing; /tmp is the backstop */
      }
    }
  });
}

/** Sends `signal` and resolves once the child has exited (SIGKILL after 5 s). */
export async function terminate(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (exited(child)) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}

const DIR_PREFIX = 'backup-agent-mariadb-';
let swept = false;

/** Removes dirs (over an hour old, server gone) left by SIGKILLed test processes; PDEATHSIG already killed their servers. */
async function sweepStale(parent: string): Promise<void> {
  if (swept) return;
  swept = true;
  const cutoff = Date.now() - 3_600_000;
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    if (!name.startsWith(DIR_PREFIX) || name.startsWith(`${DIR_PREFIX}template-`)) continue;
    const dir = join(parent, name);
    try {
      if ((await stat(dir)).mtimeMs > cutoff) continue;
      const pid = Number(await readFile(join(dir, 'mysqld.pid'), 'utf8').catch(() => '0'));
      if (pid && existsSync(`/proc/${pid}`)) continue;
      await rm(dir, { recursive: true, force: true });
    } catch {
      /* raced with its owner or another sweeper */
    }
  }
}

/** A fresh private dir for one server (socket, logs, option files, datadir); short enough for a unix socket path. */
export async function makeServerDir(): Promise<string> {
  const parent = tmpdir().length > 60 ? '/tmp' : tmpdir(); // sun_path holds only 108 bytes
  await sweepStale(parent);
  return mkdtemp(join(parent, DIR_PREFIX));
}

let templatePromise: Promise<{ dir: string; cached: boolean }> | undefined;

/**
 * A pristine datadir from mariadb-install-db, built once per mariadbd version and flag set and shared across
 * processes under os.tmpdir() (built in a private dir, then renamed into place atomically).
 */
export function datadirTemplate(): Promise<{ dir: string; cached: boolean }> {
  templatePromise ??= (async () => {
    const { stdout: version } = await execa(MARIADBD, ['--version']);
    const key = createHash('sha256')
      .update([version, ...INSTALL_FLAGS, ...INNODB_FLAGS].join('\n'))
      .digest('hex');
    const final = join(tmpdir(), `${DIR_PREFIX}template-${key.slice(0, 16)}`);
    if (existsSync(join(final, 'complete'))) return { dir: join(final, 'data'), cached: true };
    const build = await mkdtemp(join(tmpdir(), `${DIR_PREFIX}build-`));
    try {
      await execa(
        'mariadb-install-db',
        ['--no-defaults', `--datadir=${join(build, 'data')}`, ...INSTALL_FLAGS, ...INNODB_FLAGS],
        {
          all: true,
        },
      ).catch((e: unknown) => {
        throw new Error(`mariadb-install-db failed:\n${(e as { all?: string }).all ?? String(e)}`);
      });
      await writeFile(join(build, 'complete'), version);
      await rename(build, final).catch((e: unknown) => {
        // Another process won the race: theirs is complete, ours is redundant.
        if (!existsSync(join(final, 'complete'))) throw e;
      });
    } finally {
      await rm(build, { recursive: true, force: true });
    }
    return { dir: join(final, 'data'), cached: false };
  })();
  templatePromise.catch(() => (templatePromise = undefined));
  return templatePromise;
}

export interface Launched {
  child: ChildProcess;
  port: number;
  socket: string;
  datadir: string;
  errorLog: string;
}

function serverArgs(dir: string, port: number): string[] {
  return [
    '--no-defaults',
    `--datadir=${join(dir, 'data')}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${join(dir, 'mysqld.sock')}`,
    `--pid-file=${join(dir, 'mysqld.pid')}`,
    `--log-error=${join(dir, 'error.log')}`,
    '--user=root',
    '--skip-log-bin',
    '--skip-name-resolve',
    '--event-scheduler=OFF',
    ...INNODB_FLAGS,
    // Throwaway server: durability buys nothing, speed does.
    '--innodb-flush-log-at-trx-commit=0',
    '--innodb-doublewrite=0',
  ];
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitUntilReady(child: ChildProcess, errorLog: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !exited(child)) {
    if (existsSync(errorLog) && readFileSync(errorLog, 'utf8').includes('ready for connections')) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

/**
 * Copies the template into `dir/data` and starts mariadbd on a free port (retrying when the port was taken
 * between probing and binding). The child gets PDEATHSIG=KILL via setpriv, so a SIGKILLed test worker
 * cannot orphan it either.
 */
export async function launchMariadbd(dir: string, timeoutMs = 30_000, extraArgs: string[] = []): Promise<Launched> {
  const { dir: template } = await datadirTemplate();
  for (let attempt = 1; ; attempt++) {
    const datadir = join(dir, 'data');
    await rm(datadir, { recursive: true, force: true });
    await execa('cp', ['-a', template, datadir]);
    const port = await freePort();
    const errorLog = join(dir, 'error.log');
    await rm(errorLog, { force: true });
    const args = [...serverArgs(dir, port), ...extraArgs];
    const [cmd, argv] = existsSync(SETPRIV)
      ? [SETPRIV, ['--pdeathsig', 'KILL', '--', MARIADBD, ...args]]
      : [MARIADBD, args];
    const fd = openSync(join(dir, 'mariadbd.out'), 'a');
    const child = spawn(cmd, argv, { stdio: ['ignore', fd, fd], detached: false });
    closeSync(fd);
    child.unref(); // never keeps the vitest worker alive
    killOnExit(child, dir);
    if (await waitUntilReady(child, errorLog, timeoutMs)) {
      return { child, port, socket: join(dir, 'mysqld.sock'), datadir, errorLog };
    }
    const log = tail(errorLog);
    const portTaken = /Address already in use|Bind on TCP\/IP port/.test(log);
    await terminate(child);
    if (!portTaken || attempt >= 3)
      throw new Error(`mariadbd did not start on port ${port} (attempt ${attempt}); log tail:\n${log}`);
  }
}
