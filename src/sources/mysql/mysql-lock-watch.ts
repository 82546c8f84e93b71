// Bounds how long a dump waits for a table lock. mariadb-dump/mysqldump cannot set a session variable
// (no init-command; the client library does not read one from --defaults-extra-file: measured on
// mariadb-dump 10.11, which rejects `init-command` and hangs with `loose-init-command`), and the
// server's lock_wait_timeout defaults to a day (MariaDB) or a year (MySQL). So the dump's session is
// watched from outside: a second connection with the same credentials polls
// information_schema.PROCESSLIST (a user sees its own sessions without PROCESS) and, when a session of
// that user in the dumped database has waited for a lock longer than `lock_wait_timeout`, runs
// KILL QUERY on it (a user may kill its own sessions). The dump then fails, and the wait is named.
import { setTimeout as sleep } from 'node:timers/promises';
import type { MysqlAssetConfig } from './mysql-asset-schema.js';
import { BackupError } from '../../shared/backup-error.js';
import { runChild } from '../../shared/child-process.js';
import type { MysqlTools } from './mysql-client.js';

/** A dump statement that waited too long, as PROCESSLIST showed it. */
export interface LockWait {
  id: string;
  seconds: number;
  state: string;
  statement: string;
}

export interface LockWatchJob {
  asset: MysqlAssetConfig;
  tools: MysqlTools;
  optionsFile: string | undefined;
  database: string;
}

export interface LockWatch {
  /** The wait that was ended with KILL QUERY, if any. */
  tripped(): LockWait | undefined;
  /** Stops polling (call when the dump has exited). */
  stop(): void;
}

/** How often PROCESSLIST is polled: a fifth of the bound, between 1 and 15 s. */
export function pollInterval(timeoutMs: number): number {
  return Math.min(15_000, Math.max(1_000, Math.floor(timeoutMs / 5)));
}

/**
 * Watches the sessions of the asset's user in `database` until `stop`; calls `onTrip` after one that
 * waited for a lock longer than the asset's lock_wait_timeout was killed (KILL QUERY). A failed
 * poll is retried at the next interval: the dump's own error says more than the watcher's.
 */
export function watchLockWaits(job: LockWatchJob, signal: AbortSignal, onTrip: (wait: LockWait) => void): LockWatch {
  const stopper = new AbortController();
  const stopSignal = AbortSignal.any([signal, stopper.signal]);
  const seconds = Math.max(1, Math.ceil(job.asset.lock_wait_timeout / 1000));
  let tripped: LockWait | undefined;
  // A function, not the property: it changes during every await below, which narrowing cannot see.
  const stopped = () => stopSignal.aborted;
  void (async () => {
    while (!stopped()) {
      await sleep(pollInterval(job.asset.lock_wait_timeout), undefined, { signal: stopSignal }).catch(() => undefined);
      if (stopped()) return;
      const wait = (await sessionsWaiting(job, seconds, stopSignal))[0];
      if (wait === undefined || stopped()) continue;
      // Set before the KILL: the dump may fail from it before the client that sent it has exited.
      tripped = wait;
      if (await killQuery(job, wait.id, signal)) {
        onTrip(wait);
        return;
      }
      tripped = undefined;
    }
  })();
  return { tripped: () => tripped, stop: () => stopper.abort() };
}

/** The error for a dump stopped by the watcher: names the wait, the table and the bound. */
export function lockWaitError(asset: MysqlAssetConfig, database: string, wait: LockWait): BackupError {
  const table = lockedTable(wait.statement);
  const what = table ? ` on table ${table}` : wait.statement ? ` (${wait.statement.slice(0, 80)})` : '';
  return new BackupError(
    'LOCK_WAIT_TIMEOUT',
    `mysql "${asset.name}": database "${database}": waited ${wait.seconds}s for a lock${what} (${wait.state}), longer than lock_wait_timeout (${asset.lock_wait_timeout / 1000}s): another session holds it (LOCK TABLES ... WRITE, FLUSH TABLES WITH READ LOCK, a long ALTER TABLE); the dump was stopped and nothing was uploaded`,
    { asset: asset.name },
  );
}

/** The table a dump statement names (`\`t\`` or `\`db\`.\`t\``), or undefined. */
export function lockedTable(statement: string): string | undefined {
  const ident = '`(?:[^`]|``)+`';
  const named = new RegExp(`\\b(?:FROM|TABLE|TABLES|INTO|JOIN)\\s+((?:${ident}\\.)?${ident})`, 'i').exec(statement);
  return named?.[1] ?? new RegExp(ident).exec(statement)?.[0];
}

/**
 * Sessions of the asset's user (not this one) in the database, or in none yet (a dump's FLUSH TABLES WITH
 * READ LOCK runs before USE), waiting for a lock for `seconds` or more.
 */
async function sessionsWaiting(job: LockWatchJob, seconds: number, signal: AbortSignal): Promise<LockWait[]> {
  const database = `CONVERT(X'${Buffer.from(job.database, 'utf8').toString('hex')}' USING utf8mb4)`;
  const sql = [
    "SELECT ID, TIME, STATE, IFNULL(INFO, '') FROM information_schema.PROCESSLIST",
    `WHERE USER = SUBSTRING_INDEX(USER(), '@', 1) AND ID <> CONNECTION_ID() AND (DB = ${database} OR DB IS NULL) AND COMMAND = 'Query'`,
    `AND (STATE LIKE 'Waiting for%lock%' OR STATE = 'Waiting for table flush') AND TIME >= ${seconds} ORDER BY TIME DESC`,
  ].join(' ');
  const result = await runClient(job, sql, signal);
  if (result.exitCode !== 0) return [];
  return String(result.stdout)
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id = '', time = '0', state = '', ...info] = line.split('\t');
      return { id, seconds: Number(time), state, statement: info.join('\t') };
    })
    .filter((w) => /^\d+$/.test(w.id));
}

async function killQuery(job: LockWatchJob, id: string, signal: AbortSignal): Promise<boolean> {
  return (await runClient(job, `KILL QUERY ${id}`, signal)).exitCode === 0;
}

function runClient(job: LockWatchJob, sql: string, signal: AbortSignal) {
  const args = [
    ...(job.optionsFile ? [`--defaults-extra-file=${job.optionsFile}`] : []),
    '--batch',
    '--skip-column-names',
    `--execute=${sql}`,
  ];
  return runChild(job.tools.client, args, { env: 'client', signal, stdin: 'ignore', timeout: 30_000 });
}
