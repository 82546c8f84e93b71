// Replays binlog files into a server through the stock tools: `mariadb-binlog --start-position
// --stop-datetime --database [--rewrite-db]` piped into the `mariadb` client, whose credentials are in
// an options file (never argv). Both children are started by the one child-process module with the
// run's signal; the client is killed, not closed, when the binlog tool fails, so it never commits a
// half-read stream.
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BackupError } from '../../shared/backup-error.js';
import { describeExit, startChild, stderrTail, tail } from '../../shared/child-process.js';
import { must } from '../../shared/must.js';

/** One replay: files in order, from `startPosition` of the first, stopping before `stopDatetime`. */
export interface ReplayJob {
  asset: string;
  /** The binlog tool (mariadb-binlog / mysqlbinlog) and the client (mariadb / mysql), absolute paths. */
  tool: string;
  client: string;
  /** The client's `--defaults-extra-file`, or undefined when no credentials are configured. */
  optionsFile: string | undefined;
  files: string[];
  startPosition: number;
  /** `YYYY-MM-DD HH:MM:SS`, local time (until-time.ts localDatetime). */
  stopDatetime: string;
  /** The dump's database: only its events are replayed. */
  database: string;
  /** The database they go into (the same, or --into-database's name: --rewrite-db). */
  target: string;
  signal: AbortSignal;
}

/** The binlog tool's arguments for `job` (also shown by --dry-run). */
export function replayArguments(
  job: Omit<ReplayJob, 'tool' | 'client' | 'optionsFile' | 'signal' | 'asset'>,
): string[] {
  const renamed = job.target !== job.database;
  return [
    `--start-position=${job.startPosition}`,
    `--stop-datetime=${job.stopDatetime}`,
    // MariaDB's tool filters on the name in the log, then rewrites (the table map events of row logging).
    `--database=${job.database}`,
    ...(renamed ? [`--rewrite-db=${job.database}->${job.target}`] : []),
    ...job.files,
  ];
}

/** Runs the replay; throws RESTORE_FAILED naming the program that failed and its last words. */
export async function replayBinlog(job: ReplayJob): Promise<void> {
  const { signal } = job;
  const binlog = startChild(job.tool, replayArguments(job), {
    env: 'client',
    signal,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: { stdout: false, stderr: false },
  });
  const login = job.optionsFile ? [`--defaults-extra-file=${job.optionsFile}`] : [];
  const client = startChild(job.client, [...login, '--default-character-set=utf8mb4', '--binary-mode', '--batch'], {
    env: 'client',
    signal,
    stdin: 'pipe',
    stdout: 'ignore',
    stderr: 'pipe',
    buffer: { stderr: false },
  });
  const [binlogErr, clientErr] = [stderrTail(binlog), stderrTail(client)];
  const piped = await pipeline(must(binlog.stdout, 'binlog stdout'), must(client.stdin, 'client stdin'), {
    signal,
  }).then(
    () => undefined,
    (error: unknown) => error,
  );
  const toolResult = await binlog;
  if (toolResult.exitCode !== 0) client.kill('SIGKILL');
  const clientResult = await client;
  const what = `mysql "${job.asset}": replay into ${job.target}`;
  if (signal.aborted) throw new BackupError('INTERRUPTED', `${what}: interrupted`, { asset: job.asset });
  if (toolResult.exitCode !== 0)
    throw new BackupError(
      'RESTORE_FAILED',
      `${what}: ${basename(job.tool)} ${describeExit(toolResult)}: ${tail(binlogErr()) || 'no error output'}`,
      { asset: job.asset },
    );
  if (clientResult.exitCode !== 0 || piped !== undefined)
    throw new BackupError(
      'RESTORE_FAILED',
      `${what}: ${basename(job.client)} ${describeExit(clientResult)}: ${tail(clientErr()) || String(piped)}`,
      { asset: job.asset, ...(piped ? { cause: piped } : {}) },
    );
}
