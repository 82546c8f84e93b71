// The restore target directory: refused when not empty (without --force), a private staging dir inside it,
// and moving the staged tree in place only after every byte was checked, so a failure leaves nothing behind.
import { chmod, lchown, lstat, mkdir, readdir, rename, rm, rmdir, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupError } from '../../shared/backup-error.js';
import { createOwnedTempDir, sweepOwnedTempDirs } from '../../shared/owned-temp-dir.js';

/** Staging directories inside the target: `.backup-agent-restore-PID-START-XXXXXX`. */
const STAGING_PREFIX = '.backup-agent-restore-';

/** A staging directory inside the target; `commit` moves its content into the target, `discard` removes it. */
export interface StagedTarget {
  target: string;
  staging: string;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/**
 * Prepares `target` (created 0700 when missing). Throws RESTORE_TARGET_NOT_EMPTY when it has entries and
 * `force` is false, USAGE when it is not a directory.
 */
export async function stageTarget(target: string, force: boolean): Promise<StagedTarget> {
  let created = false;
  const existing = await stat(target).catch((error: unknown) => {
    const { code, message } = error as NodeJS.ErrnoException; // what fs rejects with
    if (code === 'ENOENT') return undefined;
    throw new BackupError('USAGE', `--to ${target}: ${code ?? message}`, { cause: error });
  });
  if (existing === undefined) {
    await mkdir(target, { recursive: true, mode: 0o700 });
    created = true;
  } else if (!existing.isDirectory()) {
    throw new BackupError('USAGE', `--to ${target}: not a directory`);
  } else {
    await sweepOwnedTempDirs(target, STAGING_PREFIX); // a killed restore's staging, not the user's content
  }
  if (!created && !force && (await readdir(target)).length > 0) {
    throw new BackupError(
      'RESTORE_TARGET_NOT_EMPTY',
      `--to ${target}: the directory is not empty: restore into an empty or new directory, or pass --force to merge into it (existing files of the same name are replaced)`,
    );
  }
  const staging = await createOwnedTempDir(target, STAGING_PREFIX);
  return {
    target,
    staging,
    async commit() {
      await moveInto(staging, target);
      await rmdir(staging);
    },
    async discard() {
      // rm never follows symlinks: links in the staged tree are removed, not their targets.
      await rm(staging, { recursive: true, force: true });
      if (created) await rm(target, { recursive: true, force: true });
    },
  };
}

/**
 * Moves every entry of `from` into `to` without following symlinks: a directory present on both sides
 * is merged (and takes the restored mode, owner and times); anything else at the destination is replaced.
 */
async function moveInto(from: string, to: string): Promise<void> {
  for (const name of await readdir(from)) {
    const source = join(from, name);
    const destination = join(to, name);
    const existing = await lstat(destination).catch(() => undefined);
    if (existing === undefined) {
      await rename(source, destination);
      continue;
    }
    const restored = await lstat(source);
    if (restored.isDirectory() && existing.isDirectory()) {
      await moveInto(source, destination);
      await rmdir(source);
      await lchown(destination, restored.uid, restored.gid).catch(() => undefined);
      await chmod(destination, restored.mode & 0o7777);
      await utimes(destination, restored.atime, restored.mtime);
    } else {
      await rm(destination, { recursive: true, force: true });
      await rename(source, destination);
    }
  }
}
