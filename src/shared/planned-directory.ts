// Says whether a directory a run needs exists or could be created by this process, without creating
// anything: `check` must leave the host as it found it.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A directory as `check` finds it: there, or missing with the nearest existing ancestor. */
export type PlannedDirectory =
  | { exists: true }
  | {
      exists: false;
      ancestor: string;
      /** Why it could not be created (an errno code), or undefined when it could. */ problem?: string;
    };

/** Looks at `dir` (absolute) and, if it is missing, at the nearest existing ancestor; writes nothing. */
export async function plannedDirectory(dir: string): Promise<PlannedDirectory> {
  try {
    if (!(await stat(dir)).isDirectory()) return { exists: false, ancestor: dirname(dir), problem: 'ENOTDIR' };
    return { exists: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      return {
        exists: false,
        ancestor: dirname(dir),
        problem: (error as NodeJS.ErrnoException).code ?? (error as Error).message,
      };
  }
  let ancestor = dirname(dir);
  let found = await stat(ancestor).catch(() => undefined);
  while (found === undefined && ancestor !== dirname(ancestor)) {
    ancestor = dirname(ancestor);
    found = await stat(ancestor).catch(() => undefined);
  }
  if (found !== undefined && !found.isDirectory()) return { exists: false, ancestor, problem: 'ENOTDIR' };
  try {
    // access(2) answers for this process (also EROFS on a read-only mount) and creates nothing.
    await access(ancestor, constants.W_OK | constants.X_OK);
    return { exists: false, ancestor };
  } catch (error) {
    return { exists: false, ancestor, problem: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
  }
}
