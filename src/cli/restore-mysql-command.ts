// The mysql half of `restore`: dumps into a database (--into-database) or onto disk (--to FILE.sql | DIR).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { MysqlAssetConfig } from '../config/schema.js';
import { BackupError } from '../shared/backup-error.js';
import type { BackupEntry } from '../pipeline/backup-entries.js';
import { restoreDumpIntoDatabase, restoreDumpToFile } from '../pipeline/restore-mysql.js';
import type { OperatorContext } from './operator-context.js';
import type { RestoreCommandOptions, RestoreReporter } from './restore-action.js';

/** Restores the dump artifacts `entries` of one mysql run. */
export async function restoreMysqlCommand(context: OperatorContext, entries: BackupEntry[], options: RestoreCommandOptions, report: RestoreReporter): Promise<void> {
  const read = { store: context.store, decryptor: context.decryptor, signal: context.signal };
  const asset = entries[0]!.asset;
  if (options.intoDatabase !== undefined) {
    if (entries.length > 1) {
      throw new BackupError('USAGE', `restore: mysql "${asset}" has ${entries.length} databases in that run (${entries.map((e) => e.label).join(', ')}): pick one with --database NAME`);
    }
    await restoreDumpIntoDatabase({
      entry: entries[0]!, database: options.intoDatabase, force: options.force ?? false, stripDefiners: options.stripDefiners ?? false,
      connection: connectionFor(context, asset, options), read,
    });
    report(entries[0]!, `database ${options.intoDatabase}`);
    return;
  }
  const to = options.to!;
  if (to.endsWith('.sql')) {
    if (entries.length > 1) throw new BackupError('USAGE', `restore: mysql "${asset}" has ${entries.length} databases in that run: pick one with --database NAME, or give --to a directory`);
    await restoreDumpToFile(entries[0]!, to, options.force ?? false, read);
    report(entries[0]!, to);
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
function connectionFor(context: OperatorContext, asset: string, options: RestoreCommandOptions): MysqlAssetConfig {
  const base: MysqlAssetConfig = {
    name: asset, type: 'mysql', databases: 'all', include_system: false, dump_binary: 'auto', extra_options: [], concurrency: 1, lock_wait_timeout: 300_000,
  };
  const flags = [options.dbHost, options.dbPort, options.dbSocket, options.dbUser, options.dbDefaultsFile];
  if (flags.some((f) => f !== undefined)) {
    const port = options.dbPort === undefined ? undefined : Number(options.dbPort);
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new BackupError('USAGE', `--db-port "${options.dbPort}" is not a port number`);
    return {
      ...base,
      ...(options.dbHost ? { host: options.dbHost } : {}), ...(port ? { port } : {}), ...(options.dbSocket ? { socket: options.dbSocket } : {}),
      ...(options.dbUser ? { user: options.dbUser } : {}), ...(options.dbDefaultsFile ? { defaults_file: options.dbDefaultsFile } : {}),
    };
  }
  const configured = context.config.assets.find((a) => a.name === asset);
  return configured?.type === 'mysql' ? configured : base;
}
