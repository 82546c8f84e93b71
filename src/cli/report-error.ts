// Turns what a command threw into the message people read on stderr and the process exit code.
import { BackupError } from '../shared/backup-error.js';
import { ExitCode } from '../shared/exit-codes.js';

/** Prints an error for people on stderr and returns its exit code (a BackupError's own, else 1). */
export function reportError(error: unknown): number {
  if (error instanceof BackupError) {
    process.stderr.write(`backup-agent: ${error.message}\n${error.details.map((d) => `  ${d}\n`).join('')}`);
    return error.exitCode;
  }
  const stack = typeof error === 'object' && error !== null && 'stack' in error ? error.stack : undefined;
  process.stderr.write(`backup-agent: unexpected error: ${typeof stack === 'string' ? stack : String(error)}\n`);
  return ExitCode.FAILED;
}
