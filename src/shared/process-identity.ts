// Who owns a lock or a temp dir: a PID alone is reused (by another process, or by us in a restarted
// container), so a process is named by PID + its start time (/proc/PID/stat) + the boot it belongs to.
import { readFileSync } from 'node:fs';

/** A process as recorded by an owner marker (lock file, temp dir). */
export interface ProcessIdentity {
  pid: number;
  /** Field 22 of /proc/PID/stat: clock ticks since boot at which the process started; undefined without /proc. */
  start?: string;
  /** /proc/sys/kernel/random/boot_id of the boot it ran in; undefined without /proc. */
  boot?: string;
}

/** Linux's USER_HZ: /proc/PID/stat counts start times in 1/100 s on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

let bootIdCache: string | undefined | null = null;

/** This boot's id, or undefined where /proc has none. */
export function bootId(): string | undefined {
  if (bootIdCache === null) {
    const id = readText('/proc/sys/kernel/random/boot_id')?.trim();
    bootIdCache = id === '' ? undefined : id;
  }
  return bootIdCache;
}

/** When `pid` started, in clock ticks since boot (as text), or undefined when it is not running or /proc is missing. */
export function processStart(pid: number): string | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  // The command name (field 2) may contain spaces and ')': fields are counted after the last ')'.
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields?.[19];
}

/** This process's identity. */
export function selfIdentity(): ProcessIdentity {
  return { pid: process.pid, start: processStart(process.pid), boot: bootId() };
}

/** The wall-clock time `pid` started (from its start ticks and the boot time), or undefined. */
export function processStartTime(pid: number): Date | undefined {
  const start = processStart(pid);
  const btime = /^btime (\d+)$/m.exec(readText('/proc/stat') ?? '')?.[1];
  if (start === undefined || btime === undefined) return undefined;
  return new Date(Number(btime) * 1000 + (Number(start) * 1000) / TICKS_PER_SECOND);
}

/**
 * Why the process `owner` names is gone, or undefined when it is still alive. Our own PID counts as
 * alive only when the start time (and boot) match this process; callers that need "held by this very
 * run" check that themselves.
 */
export function whyGone(owner: ProcessIdentity): string | undefined {
  const current = bootId();
  if (owner.boot !== undefined && current !== undefined && owner.boot !== current) {
    return `it dates from before the last reboot (boot id ${owner.boot.slice(0, 8)}..., now ${current.slice(0, 8)}...)`;
  }
  if (!isRunning(owner.pid)) return `PID ${owner.pid} is not running`;
  const start = processStart(owner.pid);
  if (owner.start !== undefined && start !== undefined && owner.start !== start) {
    return owner.pid === process.pid
      ? `PID ${owner.pid} is this process, which started later (an earlier process had the same PID, e.g. before a container restart)`
      : `PID ${owner.pid} now belongs to another process, which started later`;
  }
  return undefined;
}

/** Whether a process with `pid` exists (EPERM: it exists but belongs to another user). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Parses an identity written as JSON (`{"pid":..,"start":..,"boot":..}`); undefined when it is not one. */
export function parseIdentity(value: unknown): ProcessIdentity | undefined {
  const v = value as Partial<Record<keyof ProcessIdentity, unknown>> | null;
  if (typeof v !== 'object' || v === null || !Number.isInteger(v.pid) || (v.pid as number) <= 0) return undefined;
  return {
    pid: v.pid as number,
    ...(typeof v.start === 'string' ? { start: v.start } : {}),
    ...(typeof v.boot === 'string' ? { boot: v.boot } : {}),
  };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
