// backupRun, the outermost layer of a run (backupRun > writeRun > backupAsset > backupArtifact): the
// whole life of one run, shared by `run` and the daemon: writeRun, then state, metrics and
// notifications, each of which may fail without changing the backup's own result.
import type { Config } from '../config/schema.js';
import { recordLastRun } from '../notify/last-run.js';
import { writeMetrics } from '../notify/metrics.js';
import { notifyFinished, notifyRunError, notifyStart } from '../notify/notify.js';
import type { RunReport } from '../notify/run-report.js';
import { writeRun, type RunOptions } from './write-run.js';

/** Runs a backup, records it and notifies; returns the backup's report (whose exit code is final). */
export async function backupRun(config: Config, options: RunOptions): Promise<RunReport> {
  const { logger } = options;
  // The start ping runs alongside the backup (a dead monitor must not delay it) and is awaited before the
  // final ping, so monitors still see start before success/fail.
  const started = options.dryRun ? undefined : notifyStart(config, logger);
  let report: RunReport;
  try {
    report = await writeRun(config, options);
  } catch (error) {
    if (started) {
      await started;
      await notifyRunError(error, config, logger);
    }
    throw error;
  }
  if (report.dry_run) return report;
  try {
    const state = await recordLastRun(config.state_dir, report);
    if (config.metrics) await writeMetrics(config.metrics.textfile, state, config.alert_after);
  } catch (error) {
    logger.error(`cannot record the run in ${config.state_dir} or the metrics file: ${(error as Error).message}`);
  }
  await started;
  await notifyFinished(report, config, logger);
  return report;
}
