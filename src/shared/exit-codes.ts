// The one table of process exit codes; every command maps its outcome through it.

/** Process exit codes, stable for cron/systemd/monitoring (modelled on restic's table). */
export const ExitCode = {
  /** Every asset backed up completely and the manifest was written. */
  OK: 0,
  /** Nothing was backed up, or the manifest could not be written. */
  FAILED: 1,
  /** Bad command line or configuration; nothing was attempted. */
  USAGE: 2,
  /** Some assets or files failed; the rest were stored and are in the manifest. */
  PARTIAL: 3,
  /** Another run holds the lock in state_dir. */
  LOCKED: 11,
  /** Stopped by max_run_time (as timeout(1) exits); unfinished uploads were abandoned, finished ones are in the manifest. */
  TIMED_OUT: 124,
  /** Stopped by SIGINT/SIGTERM; unfinished uploads were abandoned. */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
