// The whole life of one run, shared by `run` and the daemon: backup, then state, metrics and
// notifications, each of which may fail without changing the backup's own result.
import type { Config } from '../config/schema.js';
import { writeMetrics } from '../notify/metrics.js';
import { recordLastRun } from './last-run.js';
import { runBackup, type RunOptions, type RunReport } from './run-backup.js';

/** Runs a backup and records it; returns the backup's report (whose exit code is final). */
export async function performRun(config: Config, options: RunOptions): Promise<RunReport> {
  const report = await runBackup(config, options);
  if (report.dry_run) return report;
  const { logger } = options;
  try {
    const state = await recordLastRun(config.state_dir, report);
    if (config.metrics) await writeMetrics(config.metrics.textfile, state);
  } catch (error) {
    logger.error(`cannot record the run in ${config.state_dir} or the metrics file: ${(error as Error).message}`);
  }
  return report;
}
