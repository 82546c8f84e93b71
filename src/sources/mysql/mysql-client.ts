// Finds the MySQL/MariaDB client programs and asks the server for its databases, with clear errors.
import { basename, dirname, join } from 'node:path';
import { BackupError } from '../../shared/backup-error.js';
import { describeExit, runChild, tail } from '../../shared/child-process.js';
import { findOnPath } from '../../shared/find-on-path.js';
import type { MysqlAssetConfig } from './mysql-asset-schema.js';

/** Databases never dumped by `databases: all` (mysql only with include_system). */
export const SYSTEM_DATABASES = ['information_schema', 'performance_schema', 'sys'];

export interface MysqlTools {
  /** Absolute path of mariadb-dump / mysqldump. */
  dump: string;
  /** Absolute path of the mariadb / mysql client. */
  client: string;
}

/** The databases an asset backs up, given what the server lists: `all` leaves out the system databases (mysql too, unless include_system). */
export function selectDatabases(asset: MysqlAssetConfig, found: string[]): string[] {
  return asset.databases === 'all'
    ? found.filter((db) => !SYSTEM_DATABASES.includes(db) && (asset.include_system || db !== 'mysql'))
    : asset.databases;
}

/** Resolves the dump binary (`auto`: mariadb-dump, then mysqldump) and the matching client. */
export async function findMysqlTools(asset: MysqlAssetConfig): Promise<MysqlTools> {
  const dumpNames = asset.dump_binary === 'auto' ? ['mariadb-dump', 'mysqldump'] : [asset.dump_binary];
  let dump: string | undefined;
  for (const name of dumpNames) dump ??= await findOnPath(name);
  if (!dump) {
    const what =
      asset.dump_binary === 'auto'
        ? 'no mariadb-dump or mysqldump on PATH'
        : `dump_binary ${asset.dump_binary} not found or not executable`;
    throw new BackupError(
      'SOURCE_MISSING_TOOL',
      `mysql "${asset.name}": ${what} (install mariadb-client or set dump_binary)`,
      { asset: asset.name },
    );
  }
  const clientNames = basename(dump).startsWith('mariadb') ? ['mariadb', 'mysql'] : ['mysql', 'mariadb'];
  let client: string | undefined;
  for (const name of clientNames) client ??= (await findOnPath(join(dirname(dump), name))) ?? (await findOnPath(name));
  if (!client) {
    throw new BackupError(
      'SOURCE_MISSING_TOOL',
      `mysql "${asset.name}": no mariadb or mysql client next to ${dump} or on PATH (install mariadb-client)`,
      { asset: asset.name },
    );
  }
  return { dump, client };
}

/** Where the asset connects, for messages: `127.0.0.1:3306`, a socket, or `defaults_file`. */
export function describeServer(asset: MysqlAssetConfig): string {
  if (asset.socket) return asset.socket;
  if (asset.host || asset.port) return `${asset.host ?? 'localhost'}:${asset.port ?? 3306}`;
  return asset.defaults_file ? `the server in ${asset.defaults_file}` : 'the default server';
}

/** Turns client/dump stderr into one line that says what to fix. */
export function explainMysqlError(
  asset: MysqlAssetConfig,
  program: string,
  result: { exitCode?: number; signal?: string },
  stderr: string,
): BackupError {
  const cause = tail(stderr, 2) || 'no error output';
  const name = `mysql "${asset.name}"`;
  const options = { asset: asset.name };
  if (/\b(2002|2003|2005|2013)\b|Can't connect|Unknown (MySQL|MariaDB) server host/.test(stderr)) {
    return new BackupError(
      'SOURCE_FAILED',
      `${name}: cannot connect to ${describeServer(asset)}: ${cause} (is the server running? check host, port, socket)`,
      options,
    );
  }
  if (/\b1045\b|Access denied/.test(stderr)) {
    return new BackupError(
      'SOURCE_FAILED',
      `${name}: access denied by ${describeServer(asset)}: ${cause} (check user and password, password_file or defaults_file)`,
      options,
    );
  }
  return new BackupError('SOURCE_FAILED', `${name}: ${basename(program)} ${describeExit(result)}: ${cause}`, options);
}

/** Lists the server's databases (one connection, `SHOW DATABASES`). */
export async function listDatabases(
  asset: MysqlAssetConfig,
  tools: MysqlTools,
  optionsFile: string | undefined,
  signal: AbortSignal,
): Promise<string[]> {
  const args = [
    ...(optionsFile ? [`--defaults-extra-file=${optionsFile}`] : []),
    '--batch',
    '--skip-column-names',
    '--execute=SHOW DATABASES',
  ];
  const result = await runChild(tools.client, args, { env: 'client', signal, stdin: 'ignore', timeout: 60_000 });
  if (result.isCanceled)
    throw new BackupError('INTERRUPTED', `mysql "${asset.name}": interrupted`, { asset: asset.name });
  if (result.exitCode !== 0) throw explainMysqlError(asset, tools.client, result, String(result.stderr));
  return String(result.stdout)
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}
