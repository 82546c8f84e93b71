// `backup-agent report --html FILE`: the fleet page from the manifests of the window (read credentials)
// and the last drill results, written atomically as one self-contained HTML file.
import { backupEntries } from '../catalog/backup-entries.js';
import { renderFleetReport } from '../catalog/fleet-report-html.js';
import { fleetStatus } from '../catalog/fleet-status.js';
import { loadCatalog } from '../catalog/manifest-catalog.js';
import { drillResultsPath, readDrillResults } from '../notify/drill-results.js';
import { BackupError } from '../shared/backup-error.js';
import { ExitCode } from '../shared/exit-codes.js';
import { writeAtomically } from '../shared/write-atomically.js';
import type { GlobalOptions } from './global-options.js';
import { openOperatorContext, parseSince, type OperatorContext, type OperatorOptions } from './operator-context.js';

export interface ReportCommandOptions extends OperatorOptions {
  html?: string;
  since: string;
  host?: string;
  drills?: string;
}

/** Writes the page; exit 0 once it is written (the page, not the exit code, says what is red). */
export async function reportAction(
  global: GlobalOptions,
  options: ReportCommandOptions,
  now = new Date(),
): Promise<number> {
  if (options.html === undefined) throw new BackupError('USAGE', 'report: give --html FILE (the page to write)');
  let context: OperatorContext | undefined;
  try {
    const since = parseSince(options.since, now);
    context = await openOperatorContext(global, options);
    const { store, prefix, decryptor, signal, config, logger } = context;
    const { entries: catalog, problems } = await loadCatalog(
      store,
      { prefix, since, ...(options.host ? { host: options.host } : {}), signal },
      decryptor,
    );
    for (const problem of problems) logger.warn(`report: ${problem.message}`);
    const drillsFile = options.drills ?? drillResultsPath(config.state_dir);
    const { drills } = await readDrillResults(drillsFile).catch((error: unknown) => {
      throw new BackupError('USAGE', `report: --drills ${drillsFile}: ${(error as Error).message}`);
    });
    const rows = fleetStatus({ entries: backupEntries(catalog), drills, now, since, alertAfter: config.alert_after });
    const days = Math.round((now.getTime() - since.getTime()) / 86_400_000);
    await writeAtomically(options.html, renderFleetReport(rows, now, config.alert_after, days));
    const red = rows.filter((r) => r.health === 'red').length;
    process.stdout.write(`wrote ${options.html}: ${rows.length} assets, ${red} red\n`);
    return ExitCode.OK;
  } finally {
    context?.dispose();
  }
}
