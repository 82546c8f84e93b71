// max_run_time: the run's AbortSignal also aborts, like a signal does, when the run has lasted too long,
// so no run outlives the next scheduled one; and messages say which of the two stopped it.
import { formatMs } from '../config/sizes.js';
import { BackupError } from '../shared/backup-error.js';
import type { Logger } from '../shared/logger.js';

export interface RunDeadline {
  /** Aborted by `outer` (SIGINT/SIGTERM, the daemon) or by max_run_time, whichever comes first. */
  signal: AbortSignal;
  /** Stops the clock; call when the run is over. */
  clear(): void;
}

/** Starts the clock of a run allowed `maxMs`; logs an error when it runs out. */
export function startRunDeadline(outer: AbortSignal, maxMs: number, logger: Logger): RunDeadline {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    if (outer.aborted) return;
    logger.error(
      `max_run_time (${formatMs(maxMs)}) reached: stopping the run; unfinished uploads are abandoned, finished artifacts keep their manifest`,
    );
    controller.abort(new BackupError('TIMED_OUT', `timed out (max_run_time ${formatMs(maxMs)})`));
  }, maxMs);
  return { signal: AbortSignal.any([outer, controller.signal]), clear: () => clearTimeout(timer) };
}

/** Whether `signal` was aborted by max_run_time. */
export function timedOut(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason instanceof BackupError && signal.reason.code === 'TIMED_OUT';
}

/** Why an aborted `signal` stopped work, for messages: `timed out (max_run_time 23h)`, a stall, or `interrupted`. */
export function stopReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof BackupError && (reason.code === 'TIMED_OUT' || reason.code === 'STALLED')
    ? reason.message
    : 'interrupted';
}
