// The single error type of the agent: a stable code, the asset it concerns, and the cause.
import { ExitCode } from './exit-codes.js';

/** Stable error codes; scripts and tests may match on them. */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'USAGE'
  | 'LOCKED'
  | 'STATE_DIR_FAILED'
  | 'INTERRUPTED'
  | 'TIMED_OUT'
  | 'STALLED'
  | 'SOURCE_FAILED'
  | 'SOURCE_MISSING_TOOL'
  | 'LOCK_WAIT_TIMEOUT'
  | 'COMPRESS_FAILED'
  | 'DESTINATION_DENIED'
  | 'DESTINATION_NOT_FOUND'
  | 'DESTINATION_CREDENTIALS'
  | 'DESTINATION_UNREACHABLE'
  | 'DESTINATION_EXISTS'
  | 'DESTINATION_FAILED'
  | 'MANIFEST_FAILED'
  | 'INIT_FAILED'
  | 'MANIFEST_INVALID'
  | 'BACKUP_NOT_FOUND'
  | 'INTEGRITY_FAILED'
  | 'DECRYPT_FAILED'
  | 'UNSAFE_ARCHIVE'
  | 'RETARGET_REFUSED'
  | 'RESTORE_TARGET_NOT_EMPTY'
  | 'RESTORE_FAILED'
  | 'VERIFY_FAILED'
  | 'INTERNAL';

const exitCodeOf: Partial<Record<ErrorCode, ExitCode>> = {
  CONFIG_INVALID: ExitCode.USAGE,
  CONFIG_NOT_FOUND: ExitCode.USAGE,
  USAGE: ExitCode.USAGE,
  RESTORE_TARGET_NOT_EMPTY: ExitCode.USAGE,
  LOCKED: ExitCode.LOCKED,
  INTERRUPTED: ExitCode.INTERRUPTED,
  TIMED_OUT: ExitCode.TIMED_OUT,
};

export interface BackupErrorOptions {
  /** Asset name the error concerns, if any. */
  asset?: string;
  cause?: unknown;
  /** Extra lines (e.g. every config problem), printed under the message. */
  details?: string[];
}

/**
 * The agent's error. `message` is already user-facing: it names the asset, the action and the
 * cause, and never contains a secret.
 */
export class BackupError extends Error {
  override readonly name = 'BackupError';
  readonly code: ErrorCode;
  readonly asset: string | undefined;
  readonly details: string[];

  constructor(code: ErrorCode, message: string, options: BackupErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.asset = options.asset;
    this.details = options.details ?? [];
  }

  /** The exit code this error ends a command with when nothing else decides. */
  get exitCode(): ExitCode {
    return exitCodeOf[this.code] ?? ExitCode.FAILED;
  }
}

/** Returns `error` if it is a BackupError, else wraps it as INTERNAL with its message. */
export function toBackupError(error: unknown, asset?: string): BackupError {
  if (error instanceof BackupError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new BackupError('INTERNAL', message, { asset, cause: error });
}

/**
 * True for the AbortError/ABORT_ERR that signals and AbortSignal-aware APIs produce, and for the
 * reasons the agent aborts with (interrupted, max_run_time, a stalled artifact).
 */
export function isAbortError(error: unknown): boolean {
  if (error instanceof BackupError)
    return error.code === 'INTERRUPTED' || error.code === 'TIMED_OUT' || error.code === 'STALLED';
  const e = error as { name?: string; code?: string } | null;
  return e?.name === 'AbortError' || e?.code === 'ABORT_ERR';
}
