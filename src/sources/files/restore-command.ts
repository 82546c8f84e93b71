// The files half of `restore`: one archive extracted into --to DIR.
import { BackupError } from '../../shared/backup-error.js';
import { must } from '../../shared/must.js';
import type { RestoreRequest } from '../source.js';
import { restoreFiles } from './restore-files.js';

/** Restores the one tar artifact of a files run into `--to`; throws USAGE for --into-database. */
export async function restoreFilesCommand({ entries, read, options, report, warn }: RestoreRequest): Promise<void> {
  const entry = must(entries[0], 'the artifact to restore');
  if (options.to === undefined)
    throw new BackupError(
      'USAGE',
      `restore: files "${entry.asset}" needs --to DIR (--into-database is for mysql backups)`,
    );
  const { warnings } = await restoreFiles({ entry, target: options.to, force: options.force ?? false, read });
  report(entry, options.to);
  for (const warning of warnings) warn(warning);
}
