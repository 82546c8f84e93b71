// Maps SIGINT/SIGTERM to the run's single AbortController; a second signal exits at once.
import { ExitCode } from '../shared/exit-codes.js';
import type { Logger } from '../shared/logger.js';

/**
 * Returns the run's AbortController, aborted by the first SIGINT/SIGTERM; call `dispose` when done.
 * `consequence` says what stopping means, for the warning (default: for a backup run).
 */
export function abortOnSignals(logger: Logger, consequence = 'abandoning unfinished uploads'): { controller: AbortController; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      logger.error(`${signal} again: exiting now`);
      process.exit(ExitCode.INTERRUPTED);
    }
    logger.warn(`${signal} received: ${consequence} (send again to exit at once)`);
    controller.abort(Object.assign(new Error(`interrupted by ${signal}`), { name: 'AbortError' }));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    controller,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
