// Ships what the binlog client wrote into the spool directory: the bytes of the current file past the
// shipped position, as segments of at most MAX_SEGMENT; when a later file exists the current one is
// complete, so its rest is shipped and shipping moves on to the next file (rotation). The position
// advances only after a segment and its manifest landed.
import { open, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../shared/logger.js';
import { writePosition, type ShippedPosition } from './binlog-state.js';
import { MAX_SEGMENT, shipSegment, type SegmentStore } from './ship-segment.js';

/** What a shipper needs besides the position. */
export interface ShipperContext {
  store: SegmentStore;
  spool: string;
  statePath: string;
  host: string;
  asset: string;
  folder: string;
  logger: Logger;
}

/** Binlog file names in `spool`, in order (`binlog.000009` < `binlog.000010`: fixed-width numbers). */
async function spoolFiles(spool: string): Promise<string[]> {
  return (await readdir(spool)).filter((name) => /^[A-Za-z0-9._-]+\.\d+$/.test(name)).sort();
}

/** `length` bytes of `path` from `from`. */
async function readSlice(path: string, from: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const bytes = Buffer.alloc(length);
    const { bytesRead } = await handle.read(bytes, 0, length, from);
    return bytes.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Ships everything available; resolves to the new position (also written to the state file).
 * Throws the destination's error (the position then stays where the last landed segment left it).
 */
export async function shipAvailable(
  ctx: ShipperContext,
  position: ShippedPosition,
  signal: AbortSignal,
): Promise<ShippedPosition> {
  let at = position;
  for (;;) {
    const path = join(ctx.spool, at.file);
    const size = await stat(path).then(
      (s) => s.size,
      () => 0,
    );
    const target = at.pending?.to ?? Math.min(size, at.offset + MAX_SEGMENT);
    if (target > at.offset && size >= target) {
      at = await shipOne(ctx, { ...at, pending: { to: target } }, path, signal);
      continue;
    }
    const files = await spoolFiles(ctx.spool);
    const next = files.find((name) => name > at.file);
    if (next === undefined || at.pending || size === 0 || size > at.offset) return at;
    // The current file is complete and shipped: move on, and free its spool copy.
    at = { ...at, file: next, offset: 0 };
    await writePosition(ctx.statePath, at);
    await rm(path, { force: true });
    ctx.logger.info(`mysql-binlog "${ctx.asset}": ${at.file} begins (rotation)`, { asset: ctx.asset });
  }
}

/** Whether everything the client wrote is shipped: nothing pending, the current file to its end, no later file. */
export async function caughtUp(spool: string, at: ShippedPosition): Promise<boolean> {
  if (at.pending) return false;
  const size = await stat(join(spool, at.file)).then(
    (s) => s.size,
    () => -1,
  );
  return size === at.offset && (await spoolFiles(spool)).every((name) => name <= at.file);
}

async function shipOne(
  ctx: ShipperContext,
  at: ShippedPosition & { pending: { to: number } },
  path: string,
  signal: AbortSignal,
): Promise<ShippedPosition> {
  await writePosition(ctx.statePath, at);
  const bytes = await readSlice(path, at.offset, at.pending.to - at.offset);
  const job = {
    host: ctx.host,
    asset: ctx.asset,
    series: at.series,
    serverId: at.server_id,
    folder: ctx.folder,
    segment: at.segment,
    file: at.file,
    from: at.offset,
    bytes,
  };
  await shipSegment(ctx.store, job, signal, (key) =>
    ctx.logger.info(`mysql-binlog "${ctx.asset}": ${key} had landed before the restart`, { asset: ctx.asset }),
  );
  const { pending, ...rest } = at;
  const next = { ...rest, offset: pending.to, segment: at.segment + 1 };
  await writePosition(ctx.statePath, next);
  ctx.logger.debug(`mysql-binlog "${ctx.asset}": shipped ${at.file} ${at.offset}-${pending.to}`, { asset: ctx.asset });
  return next;
}
