// Reads one segment manifest back (the read side of ship-segment.ts) and checks it against its own key:
// a manifest whose series, number, file or byte range differ from its name, or that names another
// object, is not trusted.
import { z } from 'zod';
import type { BackupStore } from '../../destinations/backup-store.js';
import { BackupError } from '../../shared/backup-error.js';
import type { SegmentManifest } from './binlog-series.js';
import type { ListedSegment, ListedSeries } from './list-series.js';

/** Segment manifests are a few hundred bytes; anything larger is not one. */
const MAX_BYTES = 64 * 1024;

const count = () => z.number().int().nonnegative();
const manifestSchema = z.object({
  format: z.literal('backup-agent-binlog-segment'),
  version: z.literal(1),
  host: z.string(),
  asset: z.string(),
  series: z.string(),
  server_id: count(),
  segment: count(),
  file: z.string(),
  from: count(),
  to: count(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  key: z.string(),
  bytes_stored: count(),
  compression: z.string(),
  encryption: z.string().optional(),
  shipped_at: z.iso.datetime(),
});

/** The manifest of `segment`; throws MANIFEST_INVALID (naming it) for one that is damaged or disagrees with its key. */
export async function readSegmentManifest(
  store: BackupStore,
  series: ListedSeries,
  segment: ListedSegment,
  signal: AbortSignal,
): Promise<SegmentManifest> {
  const where = store.locate(segment.manifestKey);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of await store.open(segment.manifestKey, signal)) {
    size += (chunk as Buffer).length;
    if (size > MAX_BYTES) throw new BackupError('MANIFEST_INVALID', `${where}: larger than ${MAX_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  let manifest: SegmentManifest;
  try {
    manifest = manifestSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
  } catch (error) {
    throw new BackupError(
      'MANIFEST_INVALID',
      `${where}: not a segment manifest (${(error as Error).message.split('\n')[0]})`,
      { cause: error },
    );
  }
  const named = { host: series.host, asset: series.asset, series: series.series, ...pick(segment) };
  const recorded = { host: manifest.host, asset: manifest.asset, series: manifest.series, ...pick(manifest) };
  if (JSON.stringify(named) !== JSON.stringify(recorded) || !manifest.key.startsWith(series.folder))
    throw new BackupError(
      'MANIFEST_INVALID',
      `${where}: records ${JSON.stringify(recorded)} at ${manifest.key}, which its key does not say`,
    );
  return manifest;
}

const pick = ({ segment, file, from, to }: { segment: number; file: string; from: number; to: number }) => ({
  segment,
  file,
  from,
  to,
});
