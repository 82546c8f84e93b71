// The outcome of one preflight check (`backup-agent check`): what was checked, ok/warn/fail, and why.

/** ok: fine. warn: a backup would still succeed, but something deserves attention. fail: a backup would fail or be partial. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of `backup-agent check`. */
export interface CheckResult {
  /** What was checked: `state_dir`, `files "www"`, `s3 put`. */
  check: string;
  status: CheckStatus;
  /** The finding and, for warn/fail, the fix. */
  message: string;
}

/** A result; a message that already starts with `check: ` (as BackupErrors of that asset do) loses the repetition. */
function result(check: string, status: CheckStatus, message: string): CheckResult {
  return { check, status, message: message.startsWith(`${check}: `) ? message.slice(check.length + 2) : message };
}

/** Shorthands for building results. */
export const ok = (check: string, message: string): CheckResult => result(check, 'ok', message);
export const warn = (check: string, message: string): CheckResult => result(check, 'warn', message);
export const fail = (check: string, message: string): CheckResult => result(check, 'fail', message);

/** The message of any error, without a stack: BackupErrors already name the asset, action and cause. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
