// Restores a `mariadb-dump --databases X` file under another database name (and optionally without DEFINERs).
import { execa } from 'execa';

const SAFE_NAME = /^[A-Za-z0-9_]+$/;

export interface RestoreOptions {
  /** Database named in the dump (`--databases FROM`). */
  from: string;
  /** Database to restore into; created by the dump's own (rewritten) CREATE DATABASE, keeping its charset. */
  to: string;
  /**
   * Remove `DEFINER=`u`@`h`` clauses so the restoring user becomes the definer. Needed when restoring as a
   * user without SUPER / SET USER: otherwise CREATE TRIGGER/VIEW/… DEFINER=`root`@`localhost` fails (1227).
   */
  stripDefiners?: boolean;
}

/**
 * sed expressions that retarget a --databases dump. The dump names the database only in
 * `CREATE DATABASE … `X` …;` and `USE `X`;` lines (once before the tables, once before the final views);
 * table data never starts a line with those words because mariadb-dump escapes newlines inside values.
 * Objects whose bodies qualify names explicitly (`X`.`t`) would still point at X; the fixture has none.
 */
export function retargetSedArgs(opts: RestoreOptions): string[] {
  for (const n of [opts.from, opts.to]) if (!SAFE_NAME.test(n)) throw new Error(`restore: unsupported database name ${n}`);
  const args = [
    '-e',
    `s/^CREATE DATABASE \\(.*\\)\`${opts.from}\`/CREATE DATABASE \\1\`${opts.to}\`/`,
    '-e',
    `s/^USE \`${opts.from}\`;$/USE \`${opts.to}\`;/`,
  ];
  // Skip INSERT lines and extended-insert continuation lines `(…),` so table data is never touched.
  if (opts.stripDefiners) args.push('-e', '/^\\(INSERT \\|(\\)/!s/DEFINER=`[^`]*`@`[^`]*`//g');
  return args;
}

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
