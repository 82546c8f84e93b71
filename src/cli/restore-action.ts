// `backup-agent restore`: one backup (by KEY, or an asset's --latest) back onto disk or into a database,
// every byte checked against the manifest first; on any failure nothing partial is left.
import { BackupError } from '../shared/backup-error.js';
import { ExitCode } from '../shared/exit-codes.js';
import type { BackupEntry } from '../pipeline/backup-entries.js';
import { restoreFiles } from '../pipeline/restore-files.js';
import { selectBackup } from '../pipeline/select-backup.js';
import type { GlobalOptions } from './global-options.js';
import { openOperatorContext, type OperatorContext, type OperatorOptions } from './operator-context.js';

export interface RestoreCommandOptions extends OperatorOptions {
  asset?: string;
  latest?: boolean;
  host?: string;
  database?: string;
  to?: string;
  intoDatabase?: string;
  force?: boolean;
  stripDefiners?: boolean;
  dbHost?: string;
  dbPort?: string;
  dbSocket?: string;
  dbUser?: string;
  dbDefaultsFile?: string;
}

/** Restores the selected backup; exit 0 when everything was restored, else the error's code. */
export async function restoreAction(global: GlobalOptions, key: string | undefined, options: RestoreCommandOptions): Promise<number> {
  let context: OperatorContext | undefined;
  try {
    if ((options.to === undefined) === (options.intoDatabase === undefined)) {
      throw new BackupError('USAGE', 'restore: give exactly one of --to DIR (files; FILE.sql or DIR for dumps) and --into-database NAME (mysql)');
    }
    context = await openOperatorContext(global, options);
    const { store, prefix, decryptor, signal, config } = context;
    const selected = await selectBackup(store, prefix, decryptor, {
      ...(key !== undefined ? { key } : {}), ...(options.asset !== undefined ? { asset: options.asset } : {}),
      latest: options.latest ?? false, host: options.host ?? config.host!, ...(options.database !== undefined ? { database: options.database } : {}),
    }, signal);
    for (const warning of selected.warnings) process.stderr.write(`backup-agent: warning: ${warning}\n`);
    const read = { store, decryptor, signal };
    const entries = selected.entries;
    for (const e of entries) context.logger.info(`restoring ${e.type} "${e.asset}"${e.label ? ` (${e.label})` : ''} of ${e.host} from ${store.locate(e.key)}`, { key: e.key, started_at: e.started_at });
    const type = entries[0]!.type;
    if (type === 'files') {
      if (options.to === undefined) throw new BackupError('USAGE', `restore: files "${entries[0]!.asset}" needs --to DIR (--into-database is for mysql backups)`);
      const { warnings } = await restoreFiles({ entry: entries[0]!, target: options.to, force: options.force ?? false, read });
      report(entries[0]!, options.to);
      for (const warning of warnings) process.stderr.write(`backup-agent: warning: ${warning}\n`);
    } else if (type === 'mysql') {
      const { restoreMysqlCommand } = await import('./restore-mysql-command.js');
      await restoreMysqlCommand(context, entries, options, report);
    } else {
      throw new BackupError('USAGE', `restore: ${store.locate(entries[0]!.key)} is of type ${type}, which this version cannot restore`);
    }
    return ExitCode.OK;
  } finally {
    context?.dispose();
  }
}

/** One line per restored artifact. */
function report(entry: BackupEntry, where: string): void {
  const what = `${entry.type} "${entry.asset}"${entry.label ? ` (${entry.label})` : ''}`;
  process.stdout.write(`restored ${what} of ${entry.host}, ${entry.started_at} (${entry.tier}, ${entry.status}) from ${entry.key} into ${where}\n`);
  if (entry.status === 'partial') process.stdout.write(`  note: that backup was partial: some files were skipped, or changed while read and stored inconsistent, when it was taken (see \`list --json\`)\n`);
}

export type RestoreReporter = typeof report;
