// Where the code's own invariants guarantee a value (a checked index, a regex group that always
// matches, a key set earlier) but the types cannot show it: say so by name, and fail loudly if wrong.
import { BackupError } from './backup-error.js';

/**
 * Returns `value` when it is neither undefined nor null.
 * @throws BackupError INTERNAL naming `what` otherwise: a broken invariant, not a user error.
 */
export function must<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new BackupError('INTERNAL', `internal error: ${what} is missing`);
  return value;
}
