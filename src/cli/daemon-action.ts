// `backup-agent daemon`: run backups on the config's schedule until SIGTERM/SIGINT; SIGHUP re-reads the config.
import { loadConfig } from '../config/load-config.js';
import { checkSecretFiles } from '../config/secret-files.js';
import { startDaemon } from '../scheduler/daemon.js';
import { requireSchedule, type ScheduledConfig } from '../scheduler/validate-schedule.js';
import { createLogger } from '../shared/logger.js';
import type { GlobalOptions } from './global-options.js';
import { onStopSignals } from './signals.js';

/** Loads the config, requiring a valid schedule and private secret files; throws BackupError (exit 2). */
async function loadScheduledConfig(path: string): Promise<{ config: ScheduledConfig; path: string }> {
  const { config, path: absolute } = await loadConfig(path);
  requireSchedule(config, absolute);
  await checkSecretFiles(config);
  return { config, path: absolute };
}

/** Runs the daemon; resolves with its exit code (0 after a clean stop, 130 if a backup was aborted, 2 for a bad config). */
export async function daemonAction(global: GlobalOptions): Promise<number> {
  const logger = createLogger({ level: global.verbose ? 'debug' : global.quiet ? 'warn' : 'info' });
  const loaded = await loadScheduledConfig(global.config);
  const daemon = startDaemon({
    config: loaded.config,
    configPath: loaded.path,
    logger,
    reloadConfig: async () => (await loadScheduledConfig(loaded.path)).config,
  });
  const onHangup = () => {
    logger.info(`SIGHUP received: re-reading ${loaded.path}`);
    void daemon.reload();
  };
  // A repeated signal aborts a draining backup in order; only one after the grace exits at once.
  const disposeStop = onStopSignals(logger, (signal) => daemon.stop(signal));
  process.on('SIGHUP', onHangup);
  try {
    return await daemon.finished;
  } finally {
    disposeStop();
    process.off('SIGHUP', onHangup);
  }
}
