// Restores a dump artifact: into a database through the mariadb/mysql client (checked in a first read,
// retargeted as tokens in the second), or into a .sql file; a failure drops the database it created or
// removes the partial file.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { MysqlAssetConfig } from './mysql-asset-schema.js';
import { BackupError } from '../../shared/backup-error.js';
import { findOnPath } from '../../shared/find-on-path.js';
import { must } from '../../shared/must.js';
import { describeExit, runChild, startChild, tail } from '../../shared/child-process.js';
import { explainMysqlError } from './mysql-client.js';
import { prepareOptionsFile } from './mysql-options-file.js';
import { createRetargetStage } from './mysql-retarget.js';
import { dumpFooterWatch, incompleteDump } from './dump-footer.js';
import { quoteIdentifier } from './sql-lexer.js';
import type { ArtifactReader, RestoreEntry } from '../source.js';
import { checkDumpRetargets } from './retarget-check.js';

/** Writes the dump's SQL to `path` (0600, atomically; an existing file only with `force`). */
export async function restoreDumpToFile(
  entry: RestoreEntry,
  path: string,
  force: boolean,
  read: ArtifactReader,
): Promise<void> {
  const exists = await stat(path).then(
    () => true,
    () => false,
  );
  if (exists && !force)
    throw new BackupError('RESTORE_TARGET_NOT_EMPTY', `--to ${path}: the file exists: pass --force to replace it`);
  const temp = join(dirname(path), `.${basename(path)}.partial-${randomBytes(6).toString('hex')}`);
  const watch = dumpFooterWatch();
  try {
    await read.stream(entry, watch, createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
    if (!watch.complete()) throw incompleteDump(read.locate(entry.key), entry.asset);
    if (force) await rename(temp, path);
    else await link(temp, path); // never replaces a file that appeared meanwhile
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

export interface DatabaseRestoreJob {
  entry: RestoreEntry;
  database: string;
  /** Restore into an existing database (it is then not dropped on failure). */
  force: boolean;
  stripDefiners: boolean;
  /** Connection settings (host, port, socket, user, password/password_file, defaults_file). */
  connection: MysqlAssetConfig;
  read: ArtifactReader;
}

/**
 * Loads the dump into `database` via the mariadb or mysql client on PATH with credentials in an options
 * file. Refuses an existing database without `force` (RESTORE_TARGET_NOT_EMPTY). Reads the artifact twice:
 * first to check it whole (sha256, footer, every statement retargetable: {@link checkDumpRetargets}), so
 * a refusal writes nothing; then to load it, rewritten to `database` as tokens. On failure the client is
 * killed before it sees the end of its input, and a database this restore created is dropped.
 */
export async function restoreDumpIntoDatabase(job: DatabaseRestoreJob): Promise<void> {
  const { entry, database, read, connection } = job;
  const source = entry.label;
  if (database === '' || database.includes('\0'))
    throw new BackupError('USAGE', `--into-database ${JSON.stringify(database)}: not a database name`);
  if (source === undefined)
    throw new BackupError(
      'MANIFEST_INVALID',
      `${read.locate(entry.key)}: the manifest records no database name (label) for this dump`,
    );
  const client = (await findOnPath('mariadb')) ?? (await findOnPath('mysql'));
  if (client === undefined)
    throw new BackupError(
      'SOURCE_MISSING_TOOL',
      'restore: no mariadb or mysql client on PATH (install mariadb-client)',
    );
  const options = await prepareOptionsFile(connection);
  const login = options.path ? [`--defaults-extra-file=${options.path}`] : [];
  const sql = async (statement: string) => {
    const result = await runChild(
      client,
      [...login, '--default-character-set=utf8mb4', '--batch', '--skip-column-names', `--execute=${statement}`],
      {
        env: 'client',
        signal: read.signal,
        stdin: 'ignore',
        timeout: 120_000,
      },
    );
    if (result.exitCode !== 0) throw explainMysqlError(connection, client, result, String(result.stderr));
    return String(result.stdout).trim();
  };
  try {
    const hex = Buffer.from(database, 'utf8').toString('hex');
    const existed =
      (await sql(`SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = CONVERT(X'${hex}' USING utf8mb4)`)) !==
      '';
    if (existed && !job.force) {
      throw new BackupError(
        'RESTORE_TARGET_NOT_EMPTY',
        `--into-database ${database}: the database exists: restore into a new name, or pass --force to load the dump into it (its tables are replaced)`,
      );
    }
    const retarget = { from: source, to: database, stripDefiners: job.stripDefiners };
    await checkDumpRetargets(entry, read, retarget);
    const rewrite = createRetargetStage(retarget);
    const child = startChild(client, [...login, '--default-character-set=utf8mb4', '--batch'], {
      env: 'client',
      signal: read.signal,
      stdin: 'pipe',
      stdout: 'ignore',
      stderr: 'pipe',
    });
    // Killed before its stdin closes: a client that saw EOF after half a dump would commit what it had.
    const guard = new PassThrough({
      highWaterMark: 1024 * 1024,
      destroy(error, callback) {
        if (error) child.kill('SIGKILL');
        callback(error);
      },
    });
    const watch = dumpFooterWatch();
    // Boxed: the reader's rejection is rethrown as it is, whatever was thrown.
    let failure: { error: unknown } | undefined;
    const stdin = must(child.stdin, "the client's stdin pipe");
    await read.stream(entry, watch, rewrite, guard, stdin).catch((error: unknown) => {
      failure = { error };
      child.kill('SIGKILL');
    });
    const result = await child;
    try {
      if (failure?.error instanceof BackupError) throw failure.error;
      if (result.exitCode !== 0 && !result.isCanceled)
        throw explainClientFailure(job, client, result, String(result.stderr));
      if (failure !== undefined) throw failure.error;
      if (!watch.complete()) throw incompleteDump(read.locate(entry.key), entry.asset);
    } catch (error) {
      if (!existed) {
        await sql(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`).catch(() => undefined);
        if (error instanceof BackupError) error.details.push(`the partly restored database ${database} was dropped`);
      } else if (error instanceof BackupError) {
        error.details.push(
          `database ${database} existed before (--force) and may now be partly restored: check it or restore again`,
        );
      }
      throw error;
    }
  } finally {
    await options.dispose();
  }
}

/** The client's failure while loading the dump, with the fix for DEFINER clauses a non-SUPER user cannot restore. */
function explainClientFailure(
  job: DatabaseRestoreJob,
  client: string,
  result: { exitCode?: number; signal?: string },
  stderr: string,
): BackupError {
  const what = `restore of ${job.read.locate(job.entry.key)} into ${job.database}`;
  const cause = tail(stderr, 2) || 'no error output';
  if (/\b1227\b/.test(stderr) && !job.stripDefiners) {
    return new BackupError(
      'RESTORE_FAILED',
      `${what}: ${basename(client)} ${describeExit(result)}: ${cause} (the dump's DEFINER clauses need SUPER or SET USER: restore as a user who has it, or pass --strip-definers)`,
      { asset: job.entry.asset },
    );
  }
  if (/\b(1045|2002|2003|2005|2013)\b/.test(stderr)) {
    const e = explainMysqlError(job.connection, client, result, stderr);
    return new BackupError('RESTORE_FAILED', `${what}: ${e.message.replace(/^mysql "[^"]*": /, '')}`, {
      asset: job.entry.asset,
    });
  }
  return new BackupError('RESTORE_FAILED', `${what}: ${basename(client)} ${describeExit(result)}: ${cause}`, {
    asset: job.entry.asset,
  });
}
