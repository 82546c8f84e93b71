// Daemon mode: a node-cron task starts backupRun, one run at a time; stop() drains or aborts the
// running backup, reload() swaps the config between runs.
import type { ScheduledTask } from 'node-cron';
import { setTimeout as sleep } from 'node:timers/promises';
import { backupRun } from '../backup/backup-run.js';
import { isAbortError, toBackupError } from '../shared/backup-error.js';
import { ExitCode } from '../shared/exit-codes.js';
import type { Logger } from '../shared/logger.js';
import { formatMs } from '../config/sizes.js';
import { formatLocalTime, startCronTask } from './cron-task.js';
import type { ScheduledConfig } from './validate-schedule.js';

export interface DaemonOptions {
  /** A loaded config whose schedule was validated (see validateSchedule). */
  config: ScheduledConfig;
  /** Absolute path of the config file, for log lines. */
  configPath: string;
  logger: Logger;
  /** Loads and validates the config file again; throws (e.g. BackupError CONFIG_INVALID) when it is unusable. */
  reloadConfig: () => Promise<ScheduledConfig>;
}

export interface Daemon {
  /** Resolves once stopped: 0, or 130 when a running backup had to be aborted. Never rejects. */
  finished: Promise<number>;
  /** Re-reads the config: a good one replaces the schedule from the next run on; a bad one is logged and ignored. */
  reload(): Promise<void>;
  /**
   * Stops scheduling. A running backup may finish within `shutdown_timeout`; then it is aborted (its
   * uploads abandoned, the manifest written for what finished, lock released) and awaited. A second
   * call aborts at once. Returns when the backup was aborted (ms since the epoch; now when none was
   * running), or undefined while it may still finish.
   */
  stop(reason: string): number | undefined;
}

interface RunSlot {
  controller: AbortController;
  /** False while waiting out random_delay: nothing has started yet. */
  running: boolean;
  done: Promise<void>;
}

/** Starts the scheduler; the process stays alive on its timers until `finished` resolves. */
export function startDaemon(options: DaemonOptions): Daemon {
  const { logger, configPath } = options;
  let config = options.config;
  let current: RunSlot | undefined;
  let stopping = false;
  let aborted = false;
  let reloading = Promise.resolve();
  let resolveFinished!: (code: number) => void;
  const finished = new Promise<number>((resolve) => {
    resolveFinished = resolve;
  });

  const nextRun = (task: ScheduledTask, cfg: ScheduledConfig) => {
    const next = task.getNextRun();
    return next ? formatLocalTime(next, cfg.timezone) : 'never';
  };
  const describe = (cfg: ScheduledConfig) => ({
    schedule: cfg.schedule,
    timezone: cfg.timezone ?? 'system',
    random_delay_ms: cfg.random_delay,
  });

  const job = (due: Date): Promise<void> => {
    if (stopping) return Promise.resolve();
    if (current) {
      // node-cron's noOverlap covers one task; this covers the task that replaced it on reload.
      logger.warn(`skipping the run due at ${formatLocalTime(due, config.timezone)}: the previous run is still going`);
      return Promise.resolve();
    }
    const slot: RunSlot = { controller: new AbortController(), running: false, done: Promise.resolve() };
    current = slot;
    slot.done = runSlot(slot, due).finally(() => {
      current = undefined;
    });
    return slot.done;
  };

  const runSlot = async (slot: RunSlot, due: Date): Promise<void> => {
    const { signal } = slot.controller;
    try {
      const delay = Math.floor(Math.random() * config.random_delay);
      if (delay > 0) {
        logger.info(
          `run due at ${formatLocalTime(due, config.timezone)}: starting in ${formatMs(delay)} (random_delay)`,
        );
        await sleep(delay, undefined, { signal });
      }
      if (signal.aborted) return;
      slot.running = true;
      const report = await backupRun(config, { signal, logger });
      const after = stopping ? '' : `; next run at ${nextRun(task, config)}`;
      logger.info(`scheduled run ended with exit code ${report.exit_code}${after}`, {
        run_id: report.run_id,
        status: report.status,
      });
    } catch (error) {
      if (!slot.running && isAbortError(error)) return;
      const failure = toBackupError(error);
      // LOCKED: a manual `run` (or another daemon) holds state_dir/lock; this run is skipped, the next one tries again.
      logger.error(`scheduled run did not happen: ${failure.message}`, { code: failure.code });
    }
  };

  let task = startCronTask(config, job, logger);
  logger.info(`daemon started: next run at ${nextRun(task, config)}`, {
    config: configPath,
    pid: process.pid,
    ...describe(config),
  });

  let abortedAt: number | undefined;
  const abortRun = (slot: RunSlot, reason: string) => {
    if (slot.controller.signal.aborted) return;
    if (slot.running) aborted = true;
    abortedAt = Date.now();
    slot.controller.abort(Object.assign(new Error(`interrupted by ${reason}`), { name: 'AbortError' }));
  };

  const stop = (reason: string): number | undefined => {
    if (stopping) {
      if (current?.running && !current.controller.signal.aborted) {
        logger.warn(`${reason} again: aborting the running backup now; what finished keeps its manifest`);
        abortRun(current, reason);
      }
      return abortedAt ?? (current === undefined ? Date.now() : undefined);
    }
    stopping = true;
    void task.destroy();
    const slot = current;
    if (!slot) {
      logger.info(`${reason}: daemon stopped`);
      resolveFinished(ExitCode.OK);
      return Date.now();
    }
    let timer: NodeJS.Timeout | undefined;
    if (!slot.running) {
      abortRun(slot, reason); // still in random_delay: nothing to finish
    } else {
      const grace = config.shutdown_timeout;
      logger.warn(
        `${reason}: no new runs; waiting up to ${formatMs(grace)} (shutdown_timeout) for the running backup to finish (send again to abort it now)`,
      );
      timer = setTimeout(() => {
        logger.warn(
          `shutdown_timeout (${formatMs(grace)}) reached: aborting the running backup; unfinished uploads are abandoned`,
        );
        abortRun(slot, reason);
      }, grace);
    }
    void slot.done.then(() => {
      clearTimeout(timer);
      logger.info(aborted ? 'daemon stopped: the running backup was aborted' : 'daemon stopped', {
        exit_code: aborted ? ExitCode.INTERRUPTED : ExitCode.OK,
      });
      resolveFinished(aborted ? ExitCode.INTERRUPTED : ExitCode.OK);
    });
    return abortedAt;
  };

  const reload = (): Promise<void> => {
    reloading = reloading.then(async () => {
      if (stopping) return;
      let next: ScheduledConfig;
      try {
        next = await options.reloadConfig();
      } catch (error) {
        const problem = toBackupError(error);
        logger.error(
          `config ${configPath} not reloaded, the running config stays in effect: ${problem.message}${problem.details.length ? `: ${problem.details.join('; ')}` : ''}`,
          { problems: problem.details },
        );
        return;
      }
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() may have run during the await above
      if (stopping) return;
      const previous = task;
      task = startCronTask(next, job, logger);
      void previous.destroy();
      config = next;
      const note = current?.running ? ' (the running backup finishes with the previous config)' : '';
      logger.info(`config reloaded: next run at ${nextRun(task, config)}${note}`, {
        config: configPath,
        ...describe(config),
      });
    });
    return reloading;
  };

  return { finished, reload, stop };
}
