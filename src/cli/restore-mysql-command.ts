// The mysql half of `restore`: dumps into a database (--into-database) or onto disk (--to FILE.sql | DIR).
import { BackupError } from '../shared/backup-error.js';
import type { BackupEntry } from '../pipeline/backup-entries.js';
import type { OperatorContext } from './operator-context.js';
import type { RestoreCommandOptions, RestoreReporter } from './restore-command.js';

/** Restores the dump artifacts `entries` of one mysql run. */
export async function restoreMysqlCommand(_context: OperatorContext, entries: BackupEntry[], _options: RestoreCommandOptions, _report: RestoreReporter): Promise<void> {
  throw new BackupError('USAGE', `restore: mysql "${entries[0]!.asset}": not implemented yet`);
}
