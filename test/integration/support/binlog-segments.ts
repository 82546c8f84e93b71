// What the binlog tests read back of a shipped series: its segment manifests, and a poll until shipping
// got somewhere (bounded: a stream that never ships fails the test naming what it waited for).
import type { MotoServer } from './moto.js';

/** The fields of a segment manifest the tests look at (ship-segment.ts writes them). */
export interface ShippedSegment {
  segment: number;
  file: string;
  from: number;
  to: number;
  sha256: string;
  key: string;
  /** The manifest's own key. */
  manifest: string;
}

/** The segment manifests under `folder` (one series' asset folder), in segment order. */
export async function shippedSegments(moto: MotoServer, folder: string): Promise<ShippedSegment[]> {
  const keys = (await moto.listKeys(folder)).filter((k) => k.endsWith('.json'));
  const parsed = await Promise.all(
    keys.map(async (k) => ({
      ...(JSON.parse((await moto.getObject(k)).toString()) as Omit<ShippedSegment, 'manifest'>),
      manifest: k,
    })),
  );
  return parsed.sort((a, b) => a.segment - b.segment);
}

/** Polls `test` every 200 ms until it holds; throws `timed out waiting for WHAT` after `ms`. */
export async function waitFor(what: string, test: () => Promise<boolean>, ms = 15_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((resolve) => setTimeout(resolve, 200)))
    if (await test()) return;
  throw new Error(`timed out waiting for ${what}`);
}
