// The daemon's node-cron task: our logger instead of node-cron's coloured console lines, no overlap,
// the configured zone, and times printed in that zone.
import { createTask, type Logger as CronLogger, type ScheduledTask } from 'node-cron';
import type { ScheduledConfig } from './validate-schedule.js';
import type { Logger } from '../shared/logger.js';

/**
 * How late (ms) a due run may still start, e.g. after the event loop stalled or the machine slept.
 * node-cron's default is 1 s: one slow second would silently drop a daily backup.
 */
const MISSED_TOLERANCE_MS = 60_000;

/**
 * Creates and starts the node-cron task for `config.schedule` (validated beforehand) that calls
 * `job(due)`; node-cron skips a due run while the previous one is still pending (noOverlap).
 */
export function startCronTask(
  config: ScheduledConfig,
  job: (due: Date) => Promise<void>,
  logger: Logger,
): ScheduledTask {
  const task = createTask(config.schedule, (context) => job(context.date), {
    ...(config.timezone ? { timezone: config.timezone } : {}),
    noOverlap: true,
    missedExecutionTolerance: MISSED_TOLERANCE_MS,
    logger: cronLogger(logger),
  });
  task.on('execution:missed', (context) => {
    logger.warn(
      `missed the run due at ${formatLocalTime(context.date, config.timezone)}: the process was stalled or the machine was asleep`,
    );
  });
  void task.start();
  return task;
}

/** Adapts the agent's logger to node-cron's logger interface (its messages get a `node-cron:` prefix). */
export function cronLogger(logger: Logger): CronLogger {
  const text = (message: string | Error, error?: Error) =>
    `node-cron: ${message instanceof Error ? message.message : message}${error ? `: ${error.message}` : ''}`;
  return {
    info: (message) => logger.info(text(message)),
    warn: (message) => logger.warn(text(message)),
    error: (message, error) => logger.error(text(message, error)),
    debug: (message, error) => logger.debug(text(message, error)),
  };
}

/** Formats `date` as `2026-11-23 03:15:00 Europe/Berlin` in `timeZone` (default: the system zone). */
export function formatLocalTime(date: Date, timeZone?: string): string {
  const zone = timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '??';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')} ${zone}`;
}
