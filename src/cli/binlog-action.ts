// `backup-agent binlog`: loads the config and follows every asset whose source has a `follow` verb (a
// stream, not a run) under one signal-driven AbortController; SIGINT/SIGTERM ship what is there, then exit 130.
import { loadConfig } from '../config/load-config.js';
import { checkSecretFiles } from '../config/secret-files.js';
import { createDestination } from '../destinations/create-destination.js';
import { binlogMetricsPath, writeBinlogMetrics, type BinlogProgress } from '../notify/binlog-metrics.js';
import { sourceFor } from '../sources/registry.js';
import type { FollowContext } from '../sources/source.js';
import { BackupError } from '../shared/backup-error.js';
import { ExitCode } from '../shared/exit-codes.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { planCompressor } from '../transforms/compress.js';
import { NO_ENCRYPTION } from '../transforms/encryptor-plan.js';
import type { GlobalOptions } from './global-options.js';
import { abortOnSignals } from './signals.js';

export interface BinlogCommandOptions {
  asset?: string[];
}

/** Follows the assets until a signal (exit 130) or until one cannot go on (its error: exit 1). */
export async function binlogAction(global: GlobalOptions, options: BinlogCommandOptions): Promise<number> {
  const logger = createLogger({ level: global.verbose ? 'debug' : global.quiet ? 'warn' : 'info' });
  const { config } = await loadConfig(global.config);
  await checkSecretFiles(config);
  const followed = config.assets.filter(
    (asset) => sourceFor(asset).follow !== undefined && (!options.asset || options.asset.includes(asset.name)),
  );
  const unknown = (options.asset ?? []).filter((name) => !followed.some((asset) => asset.name === name));
  if (followed.length === 0 || unknown.length > 0)
    throw new BackupError(
      'USAGE',
      unknown.length > 0
        ? `binlog: no mysql-binlog asset named ${unknown.join(', ')} in ${global.config}`
        : `binlog: ${global.config} has no mysql-binlog asset`,
    );
  const { controller, dispose } = abortOnSignals(logger, 'shipping what the binlog client wrote, then stopping');
  try {
    const compressor = await planCompressor(config.compression.algorithm, config.compression.level);
    const encryptor = config.encryption
      ? await (await import('../transforms/encrypt.js')).planEncryptor(config.encryption)
      : NO_ENCRYPTION;
    const context: FollowContext = {
      destination: createDestination(config.destination, logger), // the first destination only (see docs/pitr.md)
      compressor,
      encryptor,
      prefix: config.destination.prefix,
      host: config.host,
      stateDir: config.state_dir,
      logger,
      signal: controller.signal,
      progress: metricsWriter(config.metrics?.textfile, config.host, logger),
    };
    // One failing stream stops the others: a supervisor (systemd Restart=always) restarts the whole command.
    await Promise.all(
      followed.map((asset) => {
        const source = sourceFor(asset);
        if (source.follow === undefined) return Promise.resolve();
        return source.follow(asset, context).catch((error: unknown) => {
          controller.abort(error);
          throw error;
        });
      }),
    );
    return controller.signal.aborted ? ExitCode.INTERRUPTED : ExitCode.OK;
  } finally {
    dispose();
  }
}

/**
 * Rewrites the binlog textfile with every stream's latest progress (when metrics.textfile is set); one
 * write at a time, the newest state last. A failed write is a warning: shipping goes on.
 */
function metricsWriter(
  textfile: string | undefined,
  host: string,
  logger: Logger,
): FollowContext['progress'] | undefined {
  if (textfile === undefined) return undefined;
  const path = binlogMetricsPath(textfile);
  const streams = new Map<string, BinlogProgress>();
  let writing = Promise.resolve();
  return (asset, progress) => {
    streams.set(asset, progress);
    writing = writing
      .then(() => writeBinlogMetrics(path, host, streams))
      .catch((error: unknown) => {
        logger.warn(`binlog: cannot write ${path}: ${(error as Error).message}`);
      });
  };
}
