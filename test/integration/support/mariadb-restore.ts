// Restores a `mariadb-dump --databases X` file under another database name (and optionally without DEFINERs)
// without the agent, as tests of the write side do; the rewrite itself is src/sources/mysql-retarget.ts.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import { createRetargetStage, type RetargetOptions } from '../../../src/sources/mysql-retarget.js';

export type RestoreOptions = RetargetOptions;

/**
 * Streams `dumpPath` through the agent's retarget stage into `mariadb` logged in via `defaultsFile`.
 * Rejects with mariadb's stderr when any statement fails, or with the stage's RETARGET_REFUSED.
 */
export async function restoreDump(defaultsFile: string, dumpPath: string, opts: RestoreOptions): Promise<void> {
  const client = execa('mariadb', [`--defaults-extra-file=${defaultsFile}`, '--default-character-set=utf8mb4', '--batch'], { stdin: 'pipe' });
  try {
    await Promise.all([pipeline(createReadStream(dumpPath), createRetargetStage(opts), client.stdin!), client]);
  } catch (e) {
    client.kill();
    const err = e as { stderr?: string; shortMessage?: string; message?: string };
    throw new Error(`restore of ${dumpPath} into ${opts.to} failed: ${err.stderr?.trim() || err.shortMessage || err.message}`, { cause: e });
  }
}
