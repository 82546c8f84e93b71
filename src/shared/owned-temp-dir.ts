// Private temp dirs named after the process that made them (PID + start time), so that the next start
// can remove those of a run that was killed (SIGKILL, OOM, power loss) and never a live run's.
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { processStart, whyGone } from './process-identity.js';

/** A leftover that was removed, and why its owner counts as gone. */
export interface RemovedLeftover {
  path: string;
  reason: string;
}

/** Directories older than this without an owner in their name (earlier versions) count as abandoned. */
const UNNAMED_MAX_AGE_MS = 24 * 3_600_000;

/** Creates `parent/PREFIX<pid>-<start>-XXXXXX` (mode 0700, as mkdtemp makes it); resolves to its path. */
export function createOwnedTempDir(parent: string, prefix: string): Promise<string> {
  return mkdtemp(join(parent, `${prefix}${process.pid}-${processStart(process.pid) ?? '0'}-`));
}

/**
 * Removes `parent/PREFIX*` directories of ours (same uid) whose owning process is gone. With `unnamed`,
 * directories of the older `PREFIX` + 6 characters form (no owner in the name) are removed when
 * older than a day. Never throws: a leftover that cannot be removed stays for the next start.
 */
export async function sweepOwnedTempDirs(
  parent: string,
  prefix: string,
  options: { unnamed?: boolean } = {},
): Promise<RemovedLeftover[]> {
  const owned = new RegExp(`^${escape(prefix)}(\\d+)-(\\d+)-[A-Za-z0-9]{6}$`);
  const unnamed = new RegExp(`^${escape(prefix)}[A-Za-z0-9]{6}$`);
  const removed: RemovedLeftover[] = [];
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names) {
    const match = owned.exec(name);
    if (!match && !(options.unnamed && unnamed.test(name))) continue;
    const path = join(parent, name);
    const stats = await lstat(path).catch(() => undefined);
    if (!stats?.isDirectory() || (process.getuid && stats.uid !== process.getuid())) continue;
    const reason = match
      ? whyGone({ pid: Number(match[1]), ...(match[2] !== '0' ? { start: match[2] } : {}) })
      : Date.now() - stats.mtimeMs > UNNAMED_MAX_AGE_MS
        ? 'left by an earlier version over a day ago'
        : undefined;
    if (reason === undefined) continue;
    try {
      await rm(path, { recursive: true, force: true });
      removed.push({ path, reason });
    } catch {
      // Left for the next start.
    }
  }
  return removed;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
