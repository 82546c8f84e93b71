// A second copy: one Destination that writes the same body to several, each at its own key, read once.
// The slowest healthy destination sets the pace (each branch is a small buffer in front of that
// destination's own part pool, so memory stays bounded); a destination that fails, or takes nothing for
// `lagTimeoutMs` while the others take data, is detached and the others go on.
import { PassThrough, type Readable } from 'node:stream';
import { BackupError } from '../shared/backup-error.js';
import type { Logger } from '../shared/logger.js';
import type { Destination, WriteOptions } from './destination.js';

/** Bytes buffered in front of each destination (its own upload buffers come on top). */
const BRANCH_BUFFER = 256 * 1024;

/** One destination of a fan-out: its name (logs, flags, metrics), the writer, and its key prefix. */
export interface FanOutTarget {
  name: string;
  destination: Destination;
  prefix: string;
}

/** A destination that did not store a key, and why. */
export interface CopyFailure {
  name: string;
  error: unknown;
}

export interface FanOutDestination extends Destination {
  readonly targets: readonly FanOutTarget[];
  /** The key at target `index` of `key` (a key written with the first target's prefix). */
  keyAt(key: string, index: number): string;
  /** The targets that failed to store `key` (empty when all did, or before `write` settled). */
  failures(key: string): CopyFailure[];
}

interface Branch {
  target: FanOutTarget;
  stream: PassThrough;
  failed?: Error;
  settled: Promise<void>;
}

/**
 * Returns a Destination writing every body to all `targets` in parallel. `write` resolves when at least
 * one target stored the body (the others are listed by `failures(key)`), rejects with the body's own
 * error when the body fails, and with the first target's error when every target failed.
 */
export function createFanOutDestination(
  targets: FanOutTarget[],
  options: { lagTimeoutMs: number; logger: Logger },
): FanOutDestination {
  const [first] = targets;
  if (!first) throw new Error('a fan-out needs at least one destination');
  const failed = new Map<string, CopyFailure[]>();
  const keyAt = (key: string, index: number) => (targets[index] ?? first).prefix + key.slice(first.prefix.length);
  return {
    type: 'fan-out',
    targets,
    keyAt,
    // Every copy's location, for messages (`... uploading to A + B`).
    locate: (key) => targets.map((t, index) => t.destination.locate(keyAt(key, index))).join(' + '),
    failures: (key) => failed.get(key) ?? [],
    async write(key: string, body: Readable, writeOptions: WriteOptions): Promise<void> {
      const branches = targets.map((target, index) => startBranch(target, keyAt(key, index), writeOptions));
      const bodyError = await pump(body, branches, options.lagTimeoutMs);
      await Promise.all(branches.map((b) => b.settled));
      if (bodyError !== undefined) throw toError(bodyError);
      const failures = branches.flatMap((b) =>
        b.failed === undefined ? [] : [{ name: b.target.name, error: b.failed }],
      );
      failed.set(key, failures);
      const others = failures.length < targets.length ? '; the other destinations have it' : '';
      for (const f of failures)
        options.logger.error(`destination "${f.name}": ${toError(f.error).message}${others}`, {
          key,
          destination: f.name,
        });
      const [firstFailure] = failures;
      if (firstFailure && failures.length === targets.length) throw toError(firstFailure.error);
    },
  };
}

const toError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

function startBranch(target: FanOutTarget, key: string, options: WriteOptions): Branch {
  const stream = new PassThrough({ highWaterMark: BRANCH_BUFFER });
  const branch: Branch = { target, stream, settled: Promise.resolve() };
  branch.settled = target.destination.write(key, stream, options).then(
    () => undefined,
    (error: unknown) => {
      branch.failed ??= toError(error);
      // Detached: nothing more is written to it, and a writer waiting for its drain goes on.
      stream.destroy();
    },
  );
  return branch;
}

/**
 * Copies `body` into every live branch, waiting for the slowest; ends the branches when `body` ends.
 * Returns the body's error, if it failed (then every branch is destroyed with that error).
 */
async function pump(body: Readable, branches: Branch[], lagTimeoutMs: number): Promise<unknown> {
  const live = () => branches.filter((b) => b.failed === undefined && !b.stream.destroyed);
  try {
    for await (const chunk of body) {
      const now = live();
      // Every destination failed: leaving the loop destroys `body`, which stops the source.
      if (now.length === 0) break;
      await writeToAll(now, chunk as Buffer, lagTimeoutMs);
    }
  } catch (error) {
    for (const b of live()) b.stream.destroy(error as Error);
    return error;
  }
  for (const b of live()) b.stream.end();
  return undefined;
}

/** Writes `chunk` to each branch and resolves when all drained (or failed); detaches one that lags too long. */
async function writeToAll(branches: Branch[], chunk: Buffer, lagTimeoutMs: number): Promise<void> {
  const waiting = branches.filter((b) => !b.stream.write(chunk));
  if (waiting.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const pending = new Set(waiting);
  const drained = waiting.map((b) =>
    drainOf(b).then(() => {
      pending.delete(b);
      // Someone took the data: from now on the others have lagTimeoutMs to take theirs.
      if (branches.length > 1 && timer === undefined && pending.size > 0)
        timer = setTimeout(detachLaggards, lagTimeoutMs);
    }),
  );
  const detachLaggards = () => {
    for (const b of pending) {
      b.failed ??= new BackupError(
        'DESTINATION_FAILED',
        `destination "${b.target.name}" took no data for ${Math.round(lagTimeoutMs / 1000)}s while the others did (half of stall_timeout): detached, so that the others go on`,
      );
      b.stream.destroy(b.failed);
    }
  };
  if (waiting.length < branches.length) timer = setTimeout(detachLaggards, lagTimeoutMs);
  try {
    await Promise.all(drained);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves when `branch` can take more, or is closed (failed or detached). */
function drainOf(branch: Branch): Promise<void> {
  const { stream } = branch;
  if (stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}
