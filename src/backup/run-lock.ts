// One run at a time per state_dir: an exclusive lock file naming its holder by PID, process start
// time, boot id and run id, so that a PID reused by another process (or by us, in a restarted
// container) or a lock from before a reboot is recognised as stale and taken over.
import { link, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupError } from '../shared/backup-error.js';
import {
  parseIdentity,
  processStartTime,
  selfIdentity,
  whyGone,
  type ProcessIdentity,
} from '../shared/process-identity.js';

export interface RunLock {
  path: string;
  /** Set when a stale lock was taken over: whose it was and why it was stale (for the log). */
  tookOver?: string;
  release(): Promise<void>;
}

/** The lock file's content. Older versions wrote only `PID\n`. */
interface LockHolder extends ProcessIdentity {
  run_id?: string;
  since?: string;
}

/** Locks held by runs of this process (path -> run id): our own PID is a live holder only for these. */
const heldHere = new Map<string, string>();

/**
 * Takes `state_dir/lock` for run `runId`. The holder is written to a temp file first and linked into
 * place, so the lock never exists without it. A lock whose holder is gone (see staleReason) is taken
 * over. Throws BackupError LOCKED naming a live holder, or STATE_DIR_FAILED when state_dir is unusable.
 */
export async function acquireRunLock(stateDir: string, runId: string): Promise<RunLock> {
  const path = join(stateDir, 'lock');
  const temp = join(stateDir, `.lock.${process.pid}.${runId}`);
  const holder: LockHolder = { ...selfIdentity(), run_id: runId, since: new Date().toISOString() };
  try {
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    await writeFile(temp, `${JSON.stringify(holder)}\n`, { mode: 0o600 });
  } catch (error) {
    throw stateDirFailed(path, error);
  }
  let tookOver: string | undefined;
  try {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        await link(temp, path);
        heldHere.set(path, runId);
        return { path, ...(tookOver ? { tookOver } : {}), release: () => releaseIfOurs(path, runId) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw stateDirFailed(path, error);
      }
      const text = await readFile(path, 'utf8').catch(() => undefined);
      if (text === undefined) continue; // released meanwhile
      const other = parseHolder(text);
      const stale = await staleReason(other, path);
      if (stale === undefined)
        throw new BackupError('LOCKED', `another run (${describeHolder(other)}) holds the lock ${path}`);
      if (await removeIfUnchanged(path, text, runId))
        tookOver = `took over a stale lock ${path} (${describeHolder(other)}): ${stale}`;
    }
    throw new BackupError('LOCKED', `cannot take the lock ${path}: another run keeps re-creating it`);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** Why the lock held by `holder` is stale, or undefined when its run is alive. */
async function staleReason(holder: LockHolder | undefined, path: string): Promise<string | undefined> {
  if (holder === undefined) return 'the lock file does not name a process';
  if (holder.pid === process.pid && holder.start !== undefined) {
    // Same PID and start time: this very process. Live only if a run of ours holds it now.
    const gone = whyGone(holder);
    if (gone !== undefined) return gone;
    return heldHere.has(path) ? undefined : 'it was left by an earlier run of this process';
  }
  if (holder.start !== undefined || holder.boot !== undefined) return whyGone(holder);
  // An old-format lock (PID only): our own PID cannot hold it (we never write that format), and a
  // process that started after the lock was written cannot have written it.
  if (holder.pid === process.pid)
    return `PID ${holder.pid} is this process (an earlier process had the same PID, e.g. before a container restart)`;
  const gone = whyGone(holder);
  if (gone !== undefined) return gone;
  const written = await stat(path).then(
    (s) => s.mtimeMs,
    () => undefined,
  );
  const started = processStartTime(holder.pid)?.getTime();
  if (written !== undefined && started !== undefined && started > written + 1000) {
    return `PID ${holder.pid} now belongs to another process, which started after the lock was written`;
  }
  return undefined;
}

/** Reads a lock file: JSON (this version) or a bare PID (older versions). */
function parseHolder(text: string): LockHolder | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return parseIdentity({ pid: Number(trimmed) });
  try {
    const raw = JSON.parse(trimmed) as Record<string, unknown>;
    const identity = parseIdentity(raw);
    if (identity === undefined) return undefined;
    return {
      ...identity,
      ...(typeof raw.run_id === 'string' ? { run_id: raw.run_id } : {}),
      ...(typeof raw.since === 'string' ? { since: raw.since } : {}),
    };
  } catch {
    return undefined;
  }
}

function describeHolder(holder: LockHolder | undefined): string {
  if (holder === undefined) return 'unknown holder';
  return [`PID ${holder.pid}`, holder.run_id && `run ${holder.run_id}`, holder.since && `since ${holder.since}`]
    .filter(Boolean)
    .join(', ');
}

/**
 * Removes the stale lock only if it still holds `text`: it is first renamed aside (atomic), so that
 * a lock another contender took meanwhile is put back, never deleted. Returns whether it was removed.
 */
async function removeIfUnchanged(path: string, text: string, runId: string): Promise<boolean> {
  const aside = `${path}.stale-${runId}`;
  try {
    await rename(path, aside);
  } catch {
    return false; // gone already: another contender removed it
  }
  const moved = await readFile(aside, 'utf8').catch(() => undefined);
  if (moved !== text) await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
  return moved === text;
}

async function releaseIfOurs(path: string, runId: string): Promise<void> {
  if (heldHere.get(path) === runId) heldHere.delete(path);
  const holder = parseHolder(await readFile(path, 'utf8').catch(() => ''));
  if (holder?.pid === process.pid && holder.run_id === runId) await unlink(path).catch(() => undefined);
}

function stateDirFailed(path: string, error: unknown): BackupError {
  return new BackupError(
    'STATE_DIR_FAILED',
    `cannot create lock ${path}: ${(error as Error).message} (check state_dir)`,
    { cause: error },
  );
}
