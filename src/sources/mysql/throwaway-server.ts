// A mariadbd that lives for one operation only: a restore drill (a fresh datadir from
// mariadb-install-db, thrown away afterwards) or `restore --start` (an operator's prepared datadir,
// shut down cleanly afterwards). Its own socket in a scratch directory, no network, killed with the
// agent (setpriv --pdeathsig) and by the run's signal. The one place such a server is started.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BackupError } from '../../shared/backup-error.js';
import { describeExit, runChild, startChild, tail, type Child } from '../../shared/child-process.js';
import { findOnPath } from '../../shared/find-on-path.js';
import type { MysqlAssetConfig } from './mysql-asset-schema.js';

const SBIN = ['/usr/sbin/', '/usr/libexec/', '/usr/local/sbin/'];

/** What to start, and how to end it. */
export interface ThrowawayServerOptions {
  /** Scratch directory for the socket, pid file and error log (kept short: a socket path holds 108 bytes). */
  scratch: string;
  /** An existing datadir to open; absent: a fresh one is created under `scratch` with mariadb-install-db. */
  datadir?: string;
  /** Names the operation in every message ("drill", "restore --start"). */
  label: string;
  /** Further server options (e.g. --skip-grant-tables for a datadir whose users are unknown). */
  extraArgs?: string[];
  /** How long the server may take to accept connections (crash recovery of a big datadir included). */
  startTimeoutMs: number;
  /** stop(): SHUTDOWN and wait (the datadir is kept), instead of SIGKILL (the datadir is thrown away). */
  graceful: boolean;
  signal: AbortSignal;
}

/** A running throwaway server: how to reach it as root, and how to end it. */
export interface ThrowawayServer {
  socket: string;
  /** Connection settings for the mysql source's restore (root over the socket, no password). */
  connection: MysqlAssetConfig;
  /** Runs SQL as root; returns stdout (batch mode, no column names). Throws RESTORE_FAILED naming `what`. */
  query(sql: string, what: string): Promise<string>;
  /** Ends the server as `graceful` says; the server is gone when this returns. */
  stop(): Promise<void>;
}

/** Finds `name` on PATH, then in the sbin directories a non-root PATH lacks. */
async function findServerTool(name: string): Promise<string | undefined> {
  return (await findOnPath(name)) ?? (await findOnPath(name, { PATH: SBIN.join(':') }));
}

/** The server, the client and (for a fresh datadir) mariadb-install-db; SOURCE_MISSING_TOOL naming what is missing. */
async function findTools(label: string, install: boolean) {
  const [server, installDb, client, setpriv] = await Promise.all([
    (await findServerTool('mariadbd')) ?? findServerTool('mysqld'),
    install ? findServerTool('mariadb-install-db') : undefined,
    (await findOnPath('mariadb')) ?? findOnPath('mysql'),
    findOnPath('setpriv'),
  ]);
  const missing = [server === undefined && 'mariadbd', install && installDb === undefined && 'mariadb-install-db'];
  const named = missing.filter((name) => typeof name === 'string');
  if (server === undefined || named.length > 0)
    throw new BackupError('SOURCE_MISSING_TOOL', `${label}: ${named.join(' and ')} not found (install mariadb-server)`);
  if (client === undefined)
    throw new BackupError('SOURCE_MISSING_TOOL', `${label}: no mariadb client on PATH (install mariadb-client)`);
  return { server, installDb, client, setpriv };
}

/** Creates a datadir under `scratch` with mariadb-install-db; returns its path. */
async function installDatadir(
  installDb: string | undefined,
  options: ThrowawayServerOptions,
  user: string[],
): Promise<string> {
  if (installDb === undefined) throw new BackupError('SOURCE_MISSING_TOOL', `${options.label}: no mariadb-install-db`);
  const datadir = join(options.scratch, 'data');
  const args = ['--no-defaults', `--datadir=${datadir}`, '--auth-root-authentication-method=normal'];
  const install = await runChild(installDb, [...args, '--skip-test-db', '--skip-name-resolve', ...user], {
    env: 'c-locale',
    signal: options.signal,
    stdin: 'ignore',
    all: true,
    timeout: 120_000,
  });
  if (install.exitCode !== 0)
    throw new BackupError(
      'RESTORE_FAILED',
      `${options.label}: mariadb-install-db ${describeExit(install)}: ${tail(String(install.all))}`,
    );
  return datadir;
}

/**
 * Starts mariadbd on `options.datadir` (or a fresh one) and waits until it answers. Throws
 * SOURCE_MISSING_TOOL when a program is missing, RESTORE_FAILED (with its log's tail) when the server
 * does not come up, INTERRUPTED when the signal fires.
 */
export async function startThrowawayServer(options: ThrowawayServerOptions): Promise<ThrowawayServer> {
  const { scratch, label, signal } = options;
  const tools = await findTools(label, options.datadir === undefined);
  const user = process.getuid?.() === 0 ? ['--user=root'] : [];
  const datadir = options.datadir ?? (await installDatadir(tools.installDb, options, user));
  const socket = join(scratch, 'mysqld.sock');
  const log = join(scratch, 'error.log');
  const serverArgs = [
    '--no-defaults',
    `--datadir=${datadir}`,
    `--socket=${socket}`,
    '--skip-networking',
    `--pid-file=${join(scratch, 'mysqld.pid')}`,
    `--log-error=${log}`,
    ...user,
    ...(options.extraArgs ?? []),
  ];
  // PDEATHSIG: the server dies with the agent, even when the agent is SIGKILLed.
  const [file, args] = tools.setpriv
    ? [tools.setpriv, ['--pdeathsig', 'KILL', '--', tools.server, ...serverArgs]]
    : [tools.server, serverArgs];
  const child = startChild(file, args, {
    env: 'c-locale',
    signal,
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'ignore',
  });
  const query = queryAsRoot(tools.client, socket, label, signal);
  const stop = () => (options.graceful ? shutdown(child, query) : kill(child));
  try {
    await waitReady(child, query, log, options);
  } catch (error) {
    await kill(child);
    throw error;
  }
  return { socket, connection: rootConnection(socket), query, stop };
}

/** The mysql source's connection settings for root over `socket`. */
function rootConnection(socket: string): MysqlAssetConfig {
  return {
    name: 'throwaway',
    type: 'mysql',
    databases: 'all',
    include_system: false,
    dump_binary: 'auto',
    extra_options: [],
    concurrency: 1,
    lock_wait_timeout: 300_000,
    socket,
    user: 'root',
  };
}

function queryAsRoot(client: string, socket: string, label: string, signal: AbortSignal): ThrowawayServer['query'] {
  return async (sql, what) => {
    const args = ['--no-defaults', `--socket=${socket}`, '--user=root', '--default-character-set=utf8mb4'];
    const result = await runChild(client, [...args, '--batch', '--skip-column-names', `--execute=${sql}`], {
      env: 'client',
      signal,
      stdin: 'ignore',
      timeout: 3_600_000,
    });
    if (result.isCanceled) throw new BackupError('INTERRUPTED', `${label}: interrupted; the server was stopped`);
    if (result.exitCode !== 0)
      throw new BackupError(
        'RESTORE_FAILED',
        `${label}: ${what}: ${tail(String(result.stderr)) || describeExit(result)}`,
      );
    return String(result.stdout);
  };
}

async function logTail(log: string): Promise<string> {
  return tail(await readFile(log, 'utf8').catch(() => ''), 3) || 'empty';
}

/** Polls until the server answers; throws when it exited, the signal fired, or the start timeout passed. */
async function waitReady(
  child: Child,
  query: ThrowawayServer['query'],
  log: string,
  { label, startTimeoutMs, signal }: ThrowawayServerOptions,
): Promise<void> {
  const state = { exited: false };
  void child.finally(() => (state.exited = true));
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (signal.aborted) throw new BackupError('INTERRUPTED', `${label}: interrupted`);
    if (state.exited)
      throw new BackupError('RESTORE_FAILED', `${label}: the throwaway mariadbd exited: ${await logTail(log)}`);
    const ready = await query('SELECT 1', 'probe').then(
      () => true,
      () => false,
    );
    if (ready) return;
    if (Date.now() > deadline)
      throw new BackupError(
        'RESTORE_FAILED',
        `${label}: the throwaway mariadbd did not accept connections within ${startTimeoutMs / 1000} s: ${await logTail(log)}`,
      );
    await sleep(200, undefined, { signal }).catch(() => undefined);
  }
}

async function kill(child: Child): Promise<void> {
  child.kill('SIGKILL');
  await child;
}

/** SHUTDOWN, then SIGTERM after 30 s, then SIGKILL after 60 s: the server is gone when this returns. */
async function shutdown(child: Child, query: ThrowawayServer['query']): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await query('SHUTDOWN', 'shutdown').catch(() => undefined);
  const term = setTimeout(() => child.kill('SIGTERM'), 30_000);
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await child;
  clearTimeout(term);
  clearTimeout(killer);
}
