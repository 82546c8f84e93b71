// `backup-agent restore --asset NAME --until TIME`: loads the host's manifests, hands the asset's
// stored artifacts (with their runs' times and binlog positions) to its source's restoreUntil verb,
// which chooses the dump and replays its log; --dry-run prints the plan only.
import { backupEntries, isStored } from '../catalog/backup-entries.js';
import { readArtifact } from '../catalog/read-artifact.js';
import { loadCatalog } from '../catalog/manifest-catalog.js';
import { BackupError } from '../shared/backup-error.js';
import { ExitCode } from '../shared/exit-codes.js';
import { sourceOf } from '../sources/registry.js';
import type { UntilEntry } from '../sources/source.js';
import type { GlobalOptions } from './global-options.js';
import { openOperatorContext } from './operator-context.js';
import type { RestoreCommandOptions } from './restore-action.js';

/** Restores `--asset` to `--until`; exit 0 when done (or planned), else the error's code. */
export async function restoreUntilAction(
  global: GlobalOptions,
  key: string | undefined,
  options: RestoreCommandOptions & { until: string },
): Promise<number> {
  if (key !== undefined || options.asset === undefined || options.latest === true)
    throw new BackupError('USAGE', 'restore --until TIME: name the asset with --asset NAME (no KEY, no --latest)');
  const context = await openOperatorContext(global, options);
  try {
    const { store, prefix, decryptor, signal, config } = context;
    const host = options.host ?? config.host;
    const { entries, problems } = await loadCatalog(store, { prefix, host, signal }, decryptor);
    for (const problem of problems) process.stderr.write(`backup-agent: warning: ${problem.message}\n`);
    const finished = new Map(entries.map((e) => [e.ref.key, e.manifest.finished_at]));
    const rows = backupEntries(entries).filter(
      (e) =>
        e.asset === options.asset && isStored(e) && (options.database === undefined || e.label === options.database),
    );
    const stored: UntilEntry[] = rows.map((e) => ({ ...e, finished_at: finished.get(e.manifest_key) ?? e.started_at }));
    const [first] = rows;
    if (first === undefined)
      throw new BackupError(
        'BACKUP_NOT_FOUND',
        `no stored backup of asset "${options.asset}"${options.database ? ` database "${options.database}"` : ''} of host "${host}" under ${store.locate(prefix)}`,
      );
    const source = sourceOf(first.type);
    if (source?.restoreUntil === undefined)
      throw new BackupError('USAGE', `restore --until: ${first.type} assets have no log to replay (mysql assets do)`);
    await source.restoreUntil({
      entries: stored,
      until: options.until,
      read: {
        stream: (entry, ...sinks) => readArtifact(entry.record, { store, decryptor, signal }, ...sinks),
        locate: (k) => store.locate(k),
        signal,
      },
      store,
      prefix,
      host,
      decryptor,
      configured: config.assets.find((a) => a.name === first.asset),
      assets: config.assets,
      options,
      dryRun: options.dryRun === true,
      print: (line) => process.stdout.write(`${line}\n`),
      warn: (warning) => process.stderr.write(`backup-agent: warning: ${warning}\n`),
    });
    return ExitCode.OK;
  } finally {
    context.dispose();
  }
}
