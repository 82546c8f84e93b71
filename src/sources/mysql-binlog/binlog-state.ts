// The shipped position of a binlog stream, in state_dir/mysql-binlog/<asset>/position.json: the next
// byte to ship and the next segment number. It advances only after a segment and its manifest landed,
// so a killed streamer resumes exactly there: no gap, and (keys being write-once) no duplicate.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { BackupError } from '../../shared/backup-error.js';
import { writeAtomically } from '../../shared/write-atomically.js';

const stateSchema = z.strictObject({
  series: z.string().regex(/^\d+-\d{8}T\d{6}Z$/),
  server_id: z.number().int().nonnegative(),
  file: z.string().regex(/^[A-Za-z0-9._-]+$/),
  offset: z.number().int().nonnegative(),
  segment: z.number().int().positive(),
  /** Set before a segment is shipped: its end. A restart ships exactly [offset, to) again, so a segment that
   * landed before the state could advance is met as DESTINATION_EXISTS (write-once) and counted, never duplicated. */
  pending: z.strictObject({ to: z.number().int().positive() }).optional(),
  /** The last moment everything the server had sent was stored (ISO-8601): the lag metric survives a restart. */
  caught_up_at: z.iso.datetime().optional(),
});

/** Where shipping stands: `file` from byte `offset` is next, as segment number `segment`. */
export type ShippedPosition = z.infer<typeof stateSchema>;

/** The state file of `asset`. */
export const positionPath = (stateDir: string, asset: string): string =>
  join(stateDir, 'mysql-binlog', asset, 'position.json');

/** The shipped position, or undefined when none was ever written. Throws STATE_DIR_FAILED for a damaged file (never guessed). */
export async function readPosition(path: string): Promise<ShippedPosition | undefined> {
  const text = await readFile(path, 'utf8').catch((error: unknown) => {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'ENOENT') return undefined;
    throw new BackupError('STATE_DIR_FAILED', `cannot read ${path}: ${code ?? message}`, { cause: error });
  });
  if (text === undefined) return undefined;
  try {
    return stateSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new BackupError(
      'STATE_DIR_FAILED',
      `${path} is damaged (${(error as Error).message.split('\n')[0]}): move it away to start a new series`,
      { cause: error },
    );
  }
}

/** Writes the shipped position atomically. */
export async function writePosition(path: string, position: ShippedPosition): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeAtomically(path, `${JSON.stringify(position)}\n`, 0o600);
}
