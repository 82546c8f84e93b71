// Maps SIGINT/SIGTERM to an orderly stop: the first aborts the run's single AbortController; later
// ones within the grace period cannot cut the stop short (finished artifacts still get their
// manifest); only a signal after the grace exits at once. `timeout` may deliver one SIGTERM twice.
import { ExitCode } from '../shared/exit-codes.js';
import type { Logger } from '../shared/logger.js';

/** After the stop began, further signals within this long are logged and ignored. */
export const STOP_GRACE_MS = 60_000;
/** Signals closer together than this are one delivery (to the process and to its group). */
const DUPLICATE_MS = 1_000;

/**
 * Calls `onStop` for SIGINT/SIGTERM until it reports that the work was aborted (it returns the time
 * of the abort, ms since the epoch; undefined while the work may still finish, as in the daemon).
 * Afterwards signals within `graceMs` of the abort are ignored; one after that exits 130 at once.
 * Returns `dispose`, which removes the handlers.
 */
export function onStopSignals(
  logger: Logger,
  onStop: (signal: NodeJS.Signals) => number | undefined,
  graceMs = STOP_GRACE_MS,
): () => void {
  let last = Number.NEGATIVE_INFINITY;
  let abortedAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (now - last < DUPLICATE_MS) return;
    last = now;
    if (abortedAt === undefined) {
      abortedAt = onStop(signal);
      return;
    }
    const left = Math.ceil((abortedAt + graceMs - now) / 1000);
    if (left > 0) {
      logger.warn(
        `${signal} again: still stopping in order, so that what finished keeps its manifest (a signal in ${left}s, or SIGKILL, exits at once)`,
      );
      return;
    }
    logger.error(
      `${signal} again, ${Math.round(graceMs / 1000)}s after stopping began: exiting now; artifacts finished meanwhile may lack their manifest`,
    );
    process.exit(ExitCode.INTERRUPTED);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // The command is done and the process exits with its code: a late signal must not turn that into 143.
    if (!ignoringLateSignals) {
      ignoringLateSignals = true;
      process.on('SIGINT', () => undefined);
      process.on('SIGTERM', () => undefined);
    }
  };
}

let ignoringLateSignals = false;

/**
 * Returns the run's AbortController, aborted by the first SIGINT/SIGTERM; call `dispose` when done.
 * `consequence` says what stopping means, for the warning (default: for a backup run).
 */
export function abortOnSignals(
  logger: Logger,
  consequence = 'abandoning unfinished uploads; what finished keeps its manifest',
): { controller: AbortController; dispose: () => void } {
  const controller = new AbortController();
  const dispose = onStopSignals(logger, (signal) => {
    logger.warn(`${signal} received: ${consequence} (further signals within ${STOP_GRACE_MS / 1000}s are ignored)`);
    controller.abort(Object.assign(new Error(`interrupted by ${signal}`), { name: 'AbortError' }));
    return Date.now();
  });
  return { controller, dispose };
}
