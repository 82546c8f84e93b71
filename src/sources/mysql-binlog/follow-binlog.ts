// `backup-agent binlog` for one asset: runs the stock binlog client as a replication client
// (`--read-from-remote-server --raw --stop-never`) into a spool directory in state_dir, ships its new
// bytes every upload_interval and at each rotation, and reconnects with backoff when the server or the
// network goes away. Each connection starts at the shipped file's first byte (the spool is fresh), so
// the bytes shipped next are exactly the server's, from the shipped position on.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BackupError } from '../../shared/backup-error.js';
import { startChild, stderrTail, tail } from '../../shared/child-process.js';
import type { FollowContext } from '../source.js';
import type { BinlogAssetConfig } from './binlog-asset-schema.js';
import { startPosition } from './start-position.js';
import { binlogOptionsFile, binlogServerFacts } from './binlog-server.js';
import { seriesPrefix } from './binlog-series.js';
import { positionPath, readPosition, writePosition, type ShippedPosition } from './binlog-state.js';
import { findBinlogTool, withParentDeath } from './binlog-tool.js';
import { caughtUp, shipAvailable, type ShipperContext } from './spool-shipper.js';

/** How often the spool is looked at for a rotation between uploads. */
const POLL_MS = 500;
/** How long the final shipping after SIGTERM may take. */
const FINAL_SHIP_MS = 60_000;

/** Errors no reconnect can cure: the command stops with them. */
const FATAL: string[] = [
  'CONFIG_INVALID',
  'STATE_DIR_FAILED',
  'SOURCE_MISSING_TOOL',
  'DESTINATION_DENIED',
  'DESTINATION_CREDENTIALS',
  'DESTINATION_NOT_FOUND',
];

/** Follows `asset` until the signal aborts; reconnects on any failure that may pass. */
export async function followBinlog(asset: BinlogAssetConfig, context: FollowContext): Promise<void> {
  const { signal, logger } = context;
  // A function, not the property: it changes while this awaits.
  const stopped = (): boolean => signal.aborted;
  const progress = await initialProgress(asset, context);
  let backoff = 1_000;
  while (!stopped()) {
    const started = Date.now();
    try {
      await followOnce(asset, context, progress);
    } catch (error) {
      if (error instanceof BackupError && FATAL.includes(error.code)) throw error;
      if (stopped()) break;
      logger.warn(`mysql-binlog "${asset.name}": ${(error as Error).message}; reconnecting in ${backoff / 1000}s`, {
        asset: asset.name,
      });
    }
    if (stopped()) break;
    // A connection that lasted a while resets the backoff; quick failures double it up to reconnect_max.
    backoff = Date.now() - started > 60_000 ? 1_000 : backoff;
    await sleep(backoff, undefined, { signal }).catch(() => undefined);
    backoff = Math.min(backoff * 2, asset.reconnect_max);
  }
}

/** When the stream was last caught up (kept in the state file across restarts) and when a segment last landed. */
interface Progress {
  caughtUpAt: number;
  shippedAt?: number;
}

/** The progress a (re)started command reports first: caught up when the state says, or now for a first start. */
async function initialProgress(asset: BinlogAssetConfig, context: FollowContext): Promise<Progress> {
  const state = await readPosition(positionPath(context.stateDir, asset.name)).catch(() => undefined);
  const progress = { caughtUpAt: state?.caught_up_at ? Date.parse(state.caught_up_at) : Date.now() };
  context.progress?.(asset.name, { ...progress });
  return progress;
}

/**
 * Ships what is there and records the progress: a landed segment, and "caught up" when the client is
 * connected and everything it wrote is stored (that moment is also written to the state file).
 */
async function shipRound(
  shipper: ShipperContext,
  position: ShippedPosition,
  progress: Progress,
  connected: boolean,
  signal: AbortSignal,
): Promise<ShippedPosition> {
  let next = await shipAvailable(shipper, position, signal);
  const now = Date.now();
  if (next.segment !== position.segment) progress.shippedAt = now;
  if (connected && (await caughtUp(shipper.spool, next))) {
    progress.caughtUpAt = now;
    next = { ...next, caught_up_at: new Date(now).toISOString() };
    await writePosition(shipper.statePath, next);
  }
  return next;
}

/** One connection: resolves when the client exits (after shipping what it wrote) or the signal aborted. */
async function followOnce(asset: BinlogAssetConfig, context: FollowContext, progress: Progress): Promise<void> {
  const { signal, logger } = context;
  const options = await binlogOptionsFile(asset);
  try {
    const facts = await binlogServerFacts(asset, options.path, signal);
    const statePath = positionPath(context.stateDir, asset.name);
    let position = await startPosition(asset, facts, statePath, logger);
    const spool = join(context.stateDir, 'mysql-binlog', asset.name, 'spool');
    await rm(spool, { recursive: true, force: true });
    await mkdir(spool, { recursive: true, mode: 0o700 });
    const shipper: ShipperContext = {
      store: context,
      spool,
      statePath,
      host: context.host,
      asset: asset.name,
      folder: seriesPrefix(context.prefix, context.host, asset.name, position.series),
      logger,
    };
    const tool = await findBinlogTool(asset);
    const command = await withParentDeath(tool, [
      ...(options.path ? [`--defaults-extra-file=${options.path}`] : []),
      '--read-from-remote-server',
      '--raw',
      '--stop-never',
      `--result-file=${spool}/`,
      position.file,
    ]);
    const child = startChild(command.file, command.args, {
      env: 'client',
      signal,
      buffer: false,
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'pipe',
    });
    const stderr = stderrTail(child);
    const client = { exited: false };
    const done = child.then((result) => ((client.exited = true), result));
    logger.info(
      `mysql-binlog "${asset.name}": following from ${position.file} byte ${position.offset} (series ${position.series})`,
      {
        asset: asset.name,
      },
    );
    let lastShip = Date.now();
    while (!client.exited && !signal.aborted) {
      await Promise.race([sleep(POLL_MS), done]);
      if (Date.now() - lastShip >= asset.upload_interval || (await rotated(spool, position.file))) {
        position = await shipRound(shipper, position, progress, !client.exited, signal);
        context.progress?.(asset.name, { ...progress });
        lastShip = Date.now();
      }
    }
    const result = await done;
    // Whatever the client wrote before it stopped is shipped, also after SIGTERM (within a bound of its own).
    const finalSignal = signal.aborted ? AbortSignal.timeout(FINAL_SHIP_MS) : signal;
    position = await shipRound(shipper, position, progress, false, finalSignal);
    context.progress?.(asset.name, { ...progress });
    if (!signal.aborted)
      throw new BackupError(
        'SOURCE_FAILED',
        `mysql-binlog "${asset.name}": ${basename(tool)} exited ${String(result.exitCode ?? result.signal)}: ${tail(stderr()) || 'no error output'}`,
        { asset: asset.name },
      );
    logger.info(`mysql-binlog "${asset.name}": stopped at ${position.file} byte ${position.offset}`, {
      asset: asset.name,
    });
  } finally {
    await options.dispose();
  }
}

/** Whether the spool holds a file after `file` (the current one is then complete). */
async function rotated(spool: string, file: string): Promise<boolean> {
  const names = await readdir(spool).catch(() => [] as string[]);
  return names.some((name) => name > file && /^[A-Za-z0-9._-]+\.\d+$/.test(name));
}
