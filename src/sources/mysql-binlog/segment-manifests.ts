// Reads the manifests of the segments a replay needs, in order, and stops once it has passed the time
// wanted: each manifest is checked against its key (read-segment-manifest.ts) and against the listing
// (the data object it names, and its size) before anything is downloaded or written.
import type { BackupStore } from '../../destinations/backup-store.js';
import { BackupError } from '../../shared/backup-error.js';
import type { SegmentManifest } from './binlog-series.js';
import type { ListedSegment, ListedSeries } from './list-series.js';
import { readSegmentManifest } from './read-segment-manifest.js';

/** Manifests read at once. */
const BATCH = 8;
/** A segment shipped this long after TIME holds every event written before TIME (shipping lags the commit). */
export const SHIPPED_MARGIN_MS = 60_000;

/** The manifest of a listed segment; throws INTEGRITY_FAILED when its data object is not the one listed. */
export async function readListedManifest(
  store: BackupStore,
  series: ListedSeries,
  segment: ListedSegment,
  signal: AbortSignal,
): Promise<SegmentManifest> {
  const manifest = await readSegmentManifest(store, series, segment, signal);
  if (manifest.key !== segment.data?.key || manifest.bytes_stored !== segment.data.size)
    throw new BackupError(
      'INTEGRITY_FAILED',
      `${store.locate(segment.manifestKey)}: the segment manifest does not match the stored segment (key ${manifest.key}, ${manifest.bytes_stored} bytes; listed ${segment.data?.key ?? 'nothing'}, ${segment.data?.size ?? 0} bytes)`,
    );
  return manifest;
}

/**
 * The manifests of `segments` in order, up to and including the first one shipped SHIPPED_MARGIN_MS or
 * more after `until`; `passed` says whether such a segment was found (else every segment was read and
 * the series may end before TIME).
 */
export async function manifestsUntil(
  store: BackupStore,
  series: ListedSeries,
  segments: readonly ListedSegment[],
  until: Date,
  signal: AbortSignal,
): Promise<{ manifests: SegmentManifest[]; passed: boolean }> {
  const manifests: SegmentManifest[] = [];
  const past = until.getTime() + SHIPPED_MARGIN_MS;
  for (let i = 0; i < segments.length; i += BATCH) {
    const batch = await Promise.all(
      segments.slice(i, i + BATCH).map((s) => readListedManifest(store, series, s, signal)),
    );
    for (const manifest of batch) {
      manifests.push(manifest);
      if (Date.parse(manifest.shipped_at) >= past) return { manifests, passed: true };
    }
  }
  return { manifests, passed: false };
}
