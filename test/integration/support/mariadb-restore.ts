// Restores a `mariadb-dump --databases X` file under another database name (and optionally without DEFINERs)
// without the agent, as tests of the write side do; the rewrite itself is src/sources/mysql/mysql-retarget.ts.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import { createRetargetStage, type RetargetOptions } from '../../../src/sources/mysql/mysql-retarget.js';

export type RestoreOptions = RetargetOptions;

/**
 * Streams `dumpPath` through the agent's retarget stage into `mariadb` logged in via `defaultsFile`.
 * Rejects with mariadb's stderr when any statement fails, or with the stage's RETARGET_REFUSED.
 */
export async function restoreDump(defaultsFile: string, dumpPath: string, opts: RestoreOptions): Promise<void> {
  const client = execa(
    'mariadb',
    [`--defaults-extra-file=${defaultsFile}`, '--default-character-set=utf8mb4', '--batch'],
    { stdin: 'pipe', reject: false },
  );
  // A client that fails stops reading: the pipe then breaks (EPIPE), so its own exit and stderr are the cause.
  const piped = pipeline(createReadStream(dumpPath), createRetargetStage(opts), client.stdin).then(
    () => undefined,
    (error: unknown) => {
      client.kill();
      return error as Error;
    },
  );
  const [pipeError, result] = await Promise.all([piped, client]);
  const cause =
    result.exitCode !== 0 && !result.isTerminated ? result.stderr.trim() || result.shortMessage : pipeError?.message;
  if (cause !== undefined)
    throw new Error(`restore of ${dumpPath} into ${opts.to} failed: ${cause}`, { cause: pipeError ?? result });
}
