// `backup-agent run`: load config, run the backup under a signal-driven AbortController, print the summary.
import { loadConfig } from '../config/load-config.js';
import { checkSecretFiles } from '../config/secret-files.js';
import { backupRun } from '../backup/backup-run.js';
import { createLogger } from '../shared/logger.js';
import type { GlobalOptions } from './global-options.js';
import { createProgressDisplay, wantsProgress } from './progress-display.js';
import { abortOnSignals } from './signals.js';
import { formatSummary } from './summary.js';

export interface RunCommandOptions {
  asset?: string[];
  dryRun?: boolean;
  json?: boolean;
}

/** Runs a backup and returns the exit code. */
export async function runAction(global: GlobalOptions, options: RunCommandOptions): Promise<number> {
  // Progress only on a terminal; journald, cron and pipes get plain JSON log lines.
  const display = wantsProgress({ ...options, quiet: global.quiet })
    ? createProgressDisplay(process.stderr)
    : undefined;
  const logger = createLogger({
    level: global.verbose ? 'debug' : global.quiet ? 'warn' : 'info',
    ...(display ? { stream: display.logStream } : {}),
  });
  const { controller, dispose } = abortOnSignals(logger);
  try {
    const { config } = await loadConfig(global.config);
    await checkSecretFiles(config);
    const report = await backupRun(config, {
      assets: options.asset,
      dryRun: options.dryRun,
      signal: controller.signal,
      logger,
      ...(display ? { progress: display } : {}),
    }).finally(() => display?.stop());
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatSummary(report));
    return report.exit_code;
  } finally {
    display?.stop();
    dispose();
  }
}
