// Restores a `mariadb-dump --databases X` file under another database name (and optionally without DEFINERs)
// without the agent, as tests of the write side do; the rewrite itself is src/sources/mysql-retarget.ts.
import { execa } from 'execa';
import { retargetSedArgs, type RetargetOptions } from '../../../src/sources/mysql-retarget.js';

export type RestoreOptions = RetargetOptions;

/**
 * Streams `dumpPath` through sed (byte-safe, LC_ALL=C) into `mariadb` logged in via `defaultsFile`.
 * Rejects with mariadb's stderr when any statement fails.
 */
export async function restoreDump(defaultsFile: string, dumpPath: string, opts: RestoreOptions): Promise<void> {
  try {
    await execa('sed', retargetSedArgs(opts), { inputFile: dumpPath, env: { LC_ALL: 'C' } }).pipe(
      'mariadb',
      [`--defaults-extra-file=${defaultsFile}`, '--batch'],
    );
  } catch (e) {
    const err = e as { stderr?: string; shortMessage?: string };
    throw new Error(`restore of ${dumpPath} into ${opts.to} failed: ${err.stderr?.trim() || err.shortMessage}`, { cause: e });
  }
}
