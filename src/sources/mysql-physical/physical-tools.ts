// Finds the physical backup tool (mariabackup for MariaDB, xtrabackup for MySQL), its stream
// extractor (mbstream / xbstream), and reads versions, so a mismatch is named before it bites.
import { basename, dirname, join } from 'node:path';
import { BackupError } from '../../shared/backup-error.js';
import { runChild } from '../../shared/child-process.js';
import { findOnPath } from '../../shared/find-on-path.js';

/** A backup tool and the programs that go with it. */
export interface BackupTool {
  /** Absolute path of mariabackup / xtrabackup. */
  binary: string;
  flavor: 'mariabackup' | 'xtrabackup';
  /** The Debian package that ships it, for messages. */
  packageName: string;
}

const FLAVORS = [
  { name: 'mariabackup', flavor: 'mariabackup', extractor: 'mbstream', packageName: 'mariadb-backup' },
  { name: 'xtrabackup', flavor: 'xtrabackup', extractor: 'xbstream', packageName: 'percona-xtrabackup' },
] as const;

const flavorOf = (binary: string) =>
  FLAVORS.find((f) => basename(binary).includes('xtrabackup') === (f.flavor === 'xtrabackup')) ?? FLAVORS[0];

/** Resolves `binary` (`auto`: mariabackup, then xtrabackup on PATH). Throws SOURCE_MISSING_TOOL naming the package. */
export async function findBackupTool(binary: string, what: string): Promise<BackupTool> {
  const candidates = binary === 'auto' ? FLAVORS.map((f) => f.name) : [binary];
  for (const candidate of candidates) {
    const found = await findOnPath(candidate);
    if (found !== undefined) {
      const { flavor, packageName } = flavorOf(found);
      return { binary: found, flavor, packageName };
    }
  }
  const missing =
    binary === 'auto' ? 'no mariabackup or xtrabackup on PATH' : `backup_binary ${binary} not found or not executable`;
  throw new BackupError(
    'SOURCE_MISSING_TOOL',
    `${what}: ${missing} (install mariadb-backup for MariaDB, percona-xtrabackup for MySQL)`,
  );
}

/** The stream extractor for a tool of `flavor` (mbstream / xbstream): next to `near`, else on PATH. Throws SOURCE_MISSING_TOOL. */
export async function findExtractor(flavor: string, near: string | undefined, what: string): Promise<string> {
  const { extractor, packageName } = FLAVORS.find((f) => f.flavor === flavor) ?? FLAVORS[0];
  const found =
    (near !== undefined ? await findOnPath(join(dirname(near), extractor)) : undefined) ??
    (await findOnPath(extractor));
  if (found === undefined)
    throw new BackupError('SOURCE_MISSING_TOOL', `${what}: no ${extractor} on PATH (install ${packageName})`);
  return found;
}

/** `10.11` of `10.11.19-MariaDB-0+deb12u1-log` or `8.0.35-30`; undefined when it has no such start. */
export function majorMinor(version: string): string | undefined {
  return /(\d+\.\d+)\.\d+/.exec(version)?.[1];
}

/**
 * The version the tool reports (`10.11.19-MariaDB` from "mariabackup based on MariaDB server
 * 10.11.19-MariaDB", `8.0.35-30` from "xtrabackup version 8.0.35-30"). Throws SOURCE_FAILED when it cannot run.
 */
export async function toolVersion(tool: BackupTool, signal: AbortSignal): Promise<string> {
  const result = await runChild(tool.binary, ['--version'], {
    env: 'c-locale',
    signal,
    stdin: 'ignore',
    timeout: 30_000,
  });
  const text = `${String(result.stdout)}\n${String(result.stderr)}`;
  const version = /(?:server|version)\s+(\d+\.\d+\.\d+\S*)/.exec(text)?.[1];
  if (result.exitCode !== 0 || version === undefined)
    throw new BackupError(
      'SOURCE_FAILED',
      `${basename(tool.binary)} --version did not report a version (exit ${result.exitCode ?? '?'}): ${text.trim().slice(0, 200)}`,
    );
  return version;
}
