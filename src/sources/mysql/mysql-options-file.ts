// Credentials for mysqldump/mysql go only through an options file: never argv, never the child's env.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { BackupError } from '../../shared/backup-error.js';
import { createOwnedTempDir, sweepOwnedTempDirs, type RemovedLeftover } from '../../shared/owned-temp-dir.js';
import type { MysqlAssetConfig } from './mysql-asset-schema.js';

/** An options file to pass as `--defaults-extra-file` (the first argument), removed by `dispose`. */
export interface OptionsFile {
  /** Path to pass, or undefined when nothing needs passing (no credentials configured). */
  path: string | undefined;
  dispose(): Promise<void>;
}

const live = new Set<string>();
/** Options-file directories: `backup-agent-PID-START-XXXXXX`, so a killed run's can be told from a live one's. */
const DIR_PREFIX = 'backup-agent-';
const tempParent = () => (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
process.once('exit', () => {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
});

/** Quotes an option-file value (MySQL unescapes \\ and \" inside double quotes). */
export function quoteOption(value: string): string {
  if (/[\n\r]/.test(value)) throw new Error('option values cannot contain line breaks');
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The `[client]` section for the configured connection settings (password included), or '' if none. */
export async function clientSection(asset: MysqlAssetConfig): Promise<string> {
  let password = asset.password;
  if (asset.password_file) {
    try {
      password = (await readFile(asset.password_file, 'utf8')).split(/\r?\n/)[0];
    } catch (error) {
      throw new BackupError(
        'SOURCE_FAILED',
        `mysql "${asset.name}": cannot read password_file ${asset.password_file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        { asset: asset.name },
      );
    }
  }
  const settings: [string, string | number | undefined][] = [
    ['user', asset.user],
    ['password', password],
    ['host', asset.host],
    ['port', asset.port],
    ['socket', asset.socket],
  ];
  const lines = settings
    .filter((setting): setting is [string, string | number] => setting[1] !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? v : quoteOption(v)}`);
  return lines.length ? `[client]\n${lines.join('\n')}\n` : '';
}

/**
 * Prepares the options file for an asset: `defaults_file` as is when nothing overrides it; otherwise a
 * 0600 file in a private 0700 directory on tmpfs (/dev/shm when present, so a password never reaches
 * disk) holding `defaults_file`'s content followed by the configured settings (later ones win).
 */
export async function prepareOptionsFile(asset: MysqlAssetConfig): Promise<OptionsFile> {
  const section = await clientSection(asset);
  if (!section) return { path: asset.defaults_file, dispose: () => Promise.resolve() };
  let base = '';
  if (asset.defaults_file) {
    try {
      base = await readFile(asset.defaults_file, 'utf8');
    } catch (error) {
      throw new BackupError(
        'SOURCE_FAILED',
        `mysql "${asset.name}": cannot read defaults_file ${asset.defaults_file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        { asset: asset.name },
      );
    }
  }
  const dir = await createOwnedTempDir(tempParent(), DIR_PREFIX);
  live.add(dir);
  const path = join(dir, 'client.cnf');
  await writeFile(path, `${base}\n${section}`, { mode: 0o600 });
  return {
    path,
    dispose: async () => {
      await rm(dir, { recursive: true, force: true });
      live.delete(dir);
    },
  };
}

/**
 * Removes the options-file directories of runs that were killed before they could (SIGKILL, OOM):
 * only ours (same uid) and only those whose process is gone. Call at the start of a run.
 */
export function sweepStaleOptionsDirs(): Promise<RemovedLeftover[]> {
  return sweepOwnedTempDirs(tempParent(), DIR_PREFIX, { unnamed: true });
}
