// Rewrites a `mariadb-dump --databases X` stream to restore under another name, optionally without DEFINERs.
import type { Duplex } from 'node:stream';
import { execa } from 'execa';
import { BackupError } from '../shared/backup-error.js';

/** Database names the rewrite supports (they appear unquoted inside sed expressions). */
export const RETARGET_SAFE_NAME = /^[A-Za-z0-9_]+$/;

export interface RetargetOptions {
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
 * Objects whose bodies qualify names explicitly (`X`.`t`) would still point at X.
 * Throws BackupError USAGE for names outside A-Za-z0-9_.
 */
export function retargetSedArgs(opts: RetargetOptions): string[] {
  for (const n of [opts.from, opts.to]) {
    if (!RETARGET_SAFE_NAME.test(n)) throw new BackupError('USAGE', `restore: database name "${n}" is not supported for retargeting (only A-Za-z0-9_)`);
  }
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

/** The rewrite as a stream stage: sed (byte-safe with LC_ALL=C), ending only after sed exited 0. */
export function retargetStage(opts: RetargetOptions, signal: AbortSignal): Duplex {
  return execa('sed', retargetSedArgs(opts), {
    cancelSignal: signal, buffer: { stdout: false, stderr: true }, extendEnv: false,
    env: { LC_ALL: 'C', ...(process.env.PATH ? { PATH: process.env.PATH } : {}) },
  }).duplex();
}
