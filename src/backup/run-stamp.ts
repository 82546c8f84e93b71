// Keys carry the run's start to the second; two runs in one second would collide (write-once refuses
// the second). Under the run lock, a run whose second was already used by the previous one waits for
// the next second, so the key layout (and everything that parses it) stays as it is.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { timeParts } from '../layout/keys.js';
import { BackupError } from '../shared/backup-error.js';

/** `state_dir/last-stamp`: the stamp (`20261122T031500Z`) of the last run that started here. */
export const lastStampPath = (stateDir: string) => join(stateDir, 'last-stamp');

/**
 * Returns the run's start time (and how long it waited for it) and records its stamp in state_dir.
 * Call it holding the run lock. When the previous run used the current second, waits (at most about
 * a second) for the next one. Throws STATE_DIR_FAILED when the stamp cannot be recorded.
 */
export async function claimRunStamp(
  stateDir: string,
  clock: () => Date = () => new Date(),
): Promise<{ started: Date; waitedMs: number }> {
  const path = lastStampPath(stateDir);
  const previous = (await readFile(path, 'utf8').catch(() => '')).trim();
  const first = clock();
  let started = first;
  for (let waits = 0; timeParts(started).stamp === previous && waits < 3; waits += 1) {
    await sleep(1000 - (started.getTime() % 1000) + 1);
    started = clock();
  }
  try {
    await writeFile(path, `${timeParts(started).stamp}\n`, { mode: 0o600 });
  } catch (error) {
    throw new BackupError(
      'STATE_DIR_FAILED',
      `cannot record the run's start in ${path}: ${(error as Error).message} (check state_dir)`,
      { cause: error },
    );
  }
  return { started, waitedMs: started.getTime() - first.getTime() };
}
