// `backup-agent restore`: one backup (by KEY, or an asset's --latest) back onto disk or into a database,
// every byte checked against the manifest first; on any failure nothing partial is left.
import { BackupError } from '../shared/backup-error.js';
import { ExitCode } from '../shared/exit-codes.js';
import { must } from '../shared/must.js';
import type { BackupEntry } from '../catalog/backup-entries.js';
import { readArtifact } from '../catalog/read-artifact.js';
import { selectBackup } from '../catalog/select-backup.js';
import { sourceOf } from '../sources/registry.js';
import type { RestoreOptions } from '../sources/source.js';
import type { GlobalOptions } from './global-options.js';
import { openOperatorContext, type OperatorContext, type OperatorOptions } from './operator-context.js';

/** restore's own flags, the operator's, and each source's (see Source.restoreFlags). */
export interface RestoreCommandOptions extends OperatorOptions, RestoreOptions {
  asset?: string;
  latest?: boolean;
  host?: string;
  database?: string;
  until?: string;
  dryRun?: boolean;
}

/** Restores the selected backup; exit 0 when everything was restored, else the error's code. */
export async function restoreAction(
  global: GlobalOptions,
  key: string | undefined,
  options: RestoreCommandOptions,
): Promise<number> {
  if (options.dryRun === true) throw new BackupError('USAGE', 'restore: --dry-run goes with --until TIME');
  let context: OperatorContext | undefined;
  try {
    if ((options.to === undefined) === (options.intoDatabase === undefined)) {
      throw new BackupError(
        'USAGE',
        'restore: give exactly one of --to DIR (files; FILE.sql or DIR for dumps) and --into-database NAME (mysql)',
      );
    }
    context = await openOperatorContext(global, options);
    const { store, prefix, decryptor, signal, config } = context;
    const selected = await selectBackup(
      store,
      prefix,
      decryptor,
      {
        ...(key !== undefined ? { key } : {}),
        ...(options.asset !== undefined ? { asset: options.asset } : {}),
        latest: options.latest ?? false,
        host: options.host ?? config.host,
        ...(options.database !== undefined ? { database: options.database } : {}),
      },
      signal,
    );
    for (const warning of selected.warnings) process.stderr.write(`backup-agent: warning: ${warning}\n`);
    const read = { store, decryptor, signal };
    const entries = selected.entries;
    for (const e of entries)
      context.logger.info(
        `restoring ${e.type} "${e.asset}"${e.label ? ` (${e.label})` : ''} of ${e.host} from ${store.locate(e.key)}`,
        { key: e.key, started_at: e.started_at },
      );
    const [first] = entries;
    const type = first.type;
    const source = sourceOf(type);
    if (source === undefined)
      throw new BackupError(
        'USAGE',
        `restore: ${store.locate(first.key)} is of type ${type}, which this version cannot restore`,
      );
    await source.restore({
      entries,
      options,
      configured: config.assets.find((a) => a.name === first.asset),
      read: {
        stream: (entry, ...sinks) => readArtifact(entry.record, read, ...sinks),
        locate: (k) => store.locate(k),
        signal,
      },
      report: (restored, where) =>
        report(
          must(
            entries.find((e) => e.key === restored.key),
            `the selected entry of restored ${restored.key}`,
          ),
          where,
        ),
      warn: (warning) => process.stderr.write(`backup-agent: warning: ${warning}\n`),
    });
    return ExitCode.OK;
  } finally {
    context?.dispose();
  }
}

/** One line per restored artifact. */
function report(entry: BackupEntry, where: string): void {
  const what = `${entry.type} "${entry.asset}"${entry.label ? ` (${entry.label})` : ''}`;
  process.stdout.write(
    `restored ${what} of ${entry.host}, ${entry.started_at} (${entry.tier}, ${entry.status}) from ${entry.key} into ${where}\n`,
  );
  if (entry.status === 'partial')
    process.stdout.write(
      `  note: that backup was partial: some files were skipped, or changed while read and stored inconsistent, when it was taken (see \`list --json\`)\n`,
    );
}

export type RestoreReporter = typeof report;
