// The mysql half of `restore`: dumps into a database (--into-database) or onto disk (--to FILE.sql | DIR).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { MysqlAssetConfig } from './mysql-asset-schema.js';
import { BackupError } from '../../shared/backup-error.js';
import { must } from '../../shared/must.js';
import type { AssetBase, RestoreOptions, RestoreRequest } from '../source.js';
import { restoreDumpIntoDatabase, restoreDumpToFile } from './restore-mysql.js';

/** A flag's string value, or undefined. */
const text = (options: RestoreOptions, name: string): string | undefined =>
  typeof options[name] === 'string' ? options[name] : undefined;

/** Restores the dump artifacts of one mysql run: into --into-database, or onto disk (--to FILE.sql | DIR). */
export async function restoreMysqlCommand({
  entries,
  read,
  configured,
  options,
  report,
}: RestoreRequest): Promise<void> {
  const first = must(entries[0], 'a dump to restore');
  const asset = first.asset;
  if (options.intoDatabase !== undefined) {
    if (entries.length > 1) {
      throw new BackupError(
        'USAGE',
        `restore: mysql "${asset}" has ${entries.length} databases in that run (${entries.map((e) => e.label).join(', ')}): pick one with --database NAME`,
      );
    }
    await restoreDumpIntoDatabase({
      entry: first,
      database: options.intoDatabase,
      force: options.force ?? false,
      stripDefiners: options.stripDefiners === true,
      connection: connectionFor(configured, asset, options),
      read,
    });
    report(first, `database ${options.intoDatabase}`);
    return;
  }
  // The command takes exactly one of --to and --into-database.
  const to = must(options.to, '--to without --into-database');
  if (to.endsWith('.sql')) {
    if (entries.length > 1)
      throw new BackupError(
        'USAGE',
        `restore: mysql "${asset}" has ${entries.length} databases in that run: pick one with --database NAME, or give --to a directory`,
      );
    await restoreDumpToFile(first, to, options.force ?? false, read);
    report(first, to);
    return;
  }
  await mkdir(to, { recursive: true, mode: 0o700 });
  for (const entry of entries) {
    const path = join(to, `${entry.label ?? asset}.sql`);
    await restoreDumpToFile(entry, path, options.force ?? false, read);
    report(entry, path);
  }
}

/**
 * Where the restore connects: the --db-* flags when any is given (password only via --db-defaults-file),
 * else the asset's own connection settings from the config (its password_file / defaults_file must then
 * exist on this machine).
 */
export function connectionFor(
  configured: AssetBase | undefined,
  asset: string,
  options: RestoreOptions,
): MysqlAssetConfig {
  const base: MysqlAssetConfig = {
    name: asset,
    type: 'mysql',
    databases: 'all',
    include_system: false,
    dump_binary: 'auto',
    extra_options: [],
    concurrency: 1,
    lock_wait_timeout: 300_000,
  };
  const [dbHost, dbPort, dbSocket, dbUser, dbDefaultsFile] = [
    'dbHost',
    'dbPort',
    'dbSocket',
    'dbUser',
    'dbDefaultsFile',
  ].map((name) => text(options, name));
  if ([dbHost, dbPort, dbSocket, dbUser, dbDefaultsFile].some((f) => f !== undefined)) {
    const port = dbPort === undefined ? undefined : Number(dbPort);
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536))
      throw new BackupError('USAGE', `--db-port "${dbPort}" is not a port number`);
    return {
      ...base,
      ...(dbHost ? { host: dbHost } : {}),
      ...(port ? { port } : {}),
      ...(dbSocket ? { socket: dbSocket } : {}),
      ...(dbUser ? { user: dbUser } : {}),
      ...(dbDefaultsFile ? { defaults_file: dbDefaultsFile } : {}),
    };
  }
  return configured?.type === 'mysql' ? (configured as MysqlAssetConfig) : base;
}
