// The client side of a physical asset's server: finding the mariadb/mysql client and running a query
// through it (credentials in an options file, never argv; the mysql source's error messages).
import { basename } from 'node:path';
import type { MysqlAssetConfig } from '../mysql/mysql-asset-schema.js';
import { explainMysqlError } from '../mysql/mysql-client.js';
import { BackupError } from '../../shared/backup-error.js';
import { runChild } from '../../shared/child-process.js';
import { findOnPath } from '../../shared/find-on-path.js';

/** The mariadb (or mysql) client on PATH; throws SOURCE_MISSING_TOOL naming the package. */
export async function findClient(what: string): Promise<string> {
  const client = (await findOnPath('mariadb')) ?? (await findOnPath('mysql'));
  if (client === undefined)
    throw new BackupError(
      'SOURCE_MISSING_TOOL',
      `${what}: no mariadb or mysql client on PATH (install mariadb-client)`,
    );
  return client;
}

/** Runs `sql` through `client` with `login` (its first arguments) and returns the rows as tab-separated fields; throws the client's error explained. */
export async function queryRows(
  connection: MysqlAssetConfig,
  client: string,
  login: string[],
  sql: string,
  signal: AbortSignal,
): Promise<string[][]> {
  const result = await runChild(client, [...login, '--batch', '--skip-column-names', `--execute=${sql}`], {
    env: 'client',
    signal,
    stdin: 'ignore',
    timeout: 120_000,
  });
  if (result.isCanceled)
    throw new BackupError('INTERRUPTED', `mysql "${connection.name}": interrupted`, { asset: connection.name });
  if (result.exitCode !== 0) throw explainMysqlError(connection, client, result, String(result.stderr));
  return String(result.stdout)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));
}

/** `mariadb` for messages. */
export const programName = (path: string): string => basename(path);
