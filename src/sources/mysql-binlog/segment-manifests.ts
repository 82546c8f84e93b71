// Reads the manifests of the segments a replay needs, in order, and stops once it has passed the time
// wanted: each manifest is checked against the listing (its key, size, file and byte range) before
// anything is downloaded or written.
import type { BackupStore } from '../../destinations/backup-store.js';
import { BackupError } from '../../shared/backup-error.js';
import type { SegmentManifest } from './binlog-series.js';
import type { SegmentRef } from './replay-chain.js';

/** Manifests read at once. */
const BATCH = 8;
/** A segment shipped this long after TIME holds every event written before TIME (shipping lags the commit). */
export const SHIPPED_MARGIN_MS = 60_000;
/** A segment manifest is a few hundred bytes. */
const MAX_BYTES = 64 * 1024;

/** Reads one manifest; throws INTEGRITY_FAILED when it does not describe the listed segment. */
export async function readSegmentManifest(
  store: BackupStore,
  ref: SegmentRef,
  signal: AbortSignal,
): Promise<SegmentManifest> {
  const key = ref.manifestKey ?? '';
  const where = store.locate(key);
  const chunks: Buffer[] = [];
  for await (const chunk of await store.open(key, signal)) {
    chunks.push(chunk as Buffer);
    if (chunks.reduce((n, c) => n + c.length, 0) > MAX_BYTES)
      throw new BackupError('MANIFEST_INVALID', `${where}: larger than ${MAX_BYTES} bytes: not a segment manifest`);
  }
  let manifest: SegmentManifest;
  try {
    manifest = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SegmentManifest;
  } catch (error) {
    throw new BackupError('MANIFEST_INVALID', `${where}: not JSON`, { cause: error });
  }
  const expected: [string, unknown, unknown][] = [
    ['format', manifest.format, 'backup-agent-binlog-segment'],
    ['segment', manifest.segment, ref.segment],
    ['file', manifest.file, ref.file],
    ['from', manifest.from, ref.from],
    ['to', manifest.to, ref.to],
    ['key', manifest.key, ref.dataKey],
    ['bytes_stored', manifest.bytes_stored, ref.dataSize],
  ];
  const wrong = expected.filter(([, found, wanted]) => found !== wanted);
  if (wrong.length > 0 || !/^[0-9a-f]{64}$/.test(manifest.sha256))
    throw new BackupError(
      'INTEGRITY_FAILED',
      `${where}: the segment manifest does not match the stored segment (${wrong.map(([name, found, wanted]) => `${name} ${JSON.stringify(found)}, listed ${JSON.stringify(wanted)}`).join('; ') || 'no sha256'})`,
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
  segments: readonly SegmentRef[],
  until: Date,
  signal: AbortSignal,
): Promise<{ manifests: SegmentManifest[]; passed: boolean }> {
  const manifests: SegmentManifest[] = [];
  const past = until.getTime() + SHIPPED_MARGIN_MS;
  for (let i = 0; i < segments.length; i += BATCH) {
    const batch = await Promise.all(segments.slice(i, i + BATCH).map((s) => readSegmentManifest(store, s, signal)));
    for (const manifest of batch) {
      manifests.push(manifest);
      if (Date.parse(manifest.shipped_at) >= past) return { manifests, passed: true };
    }
  }
  return { manifests, passed: false };
}
