// A physical asset's connection settings in the shape the mysql source's code takes, so the options
// file (credentials never in argv) and the client's error messages are the mysql source's own.
import { basename } from 'node:path';
import type { MysqlAssetConfig } from '../mysql/mysql-asset-schema.js';
import { explainMysqlError } from '../mysql/mysql-client.js';
import { BackupError } from '../../shared/backup-error.js';
import { runChild } from '../../shared/child-process.js';
import { findOnPath } from '../../shared/find-on-path.js';
import type { PhysicalAssetConfig } from './physical-asset-schema.js';

/** The mysql-source view of `asset`: its connection keys, with the dump-only keys at their defaults. */
export function asMysqlConnection(asset: PhysicalAssetConfig): MysqlAssetConfig {
  const { name, defaults_file, host, port, socket, user, password, password_file } = asset;
  return {
    name,
    type: 'mysql',
    databases: 'all',
    include_system: false,
    dump_binary: 'auto',
    extra_options: [],
    concurrency: 1,
    lock_wait_timeout: 300_000,
    ...(defaults_file !== undefined ? { defaults_file } : {}),
    ...(host !== undefined ? { host } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(socket !== undefined ? { socket } : {}),
    ...(user !== undefined ? { user } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(password_file !== undefined ? { password_file } : {}),
  };
}

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
