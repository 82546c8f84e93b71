// The read side of a binlog stream's keys: every series of one asset with its segments as listed (names
// only: nothing is downloaded), and the series that holds a given file and byte.
import type { BackupStore } from '../../destinations/backup-store.js';
import { BackupError } from '../../shared/backup-error.js';
import { parseSegmentName } from './binlog-series.js';
import type { SegmentRef } from './replay-chain.js';

/** One series of an asset: its name, folder and segments in number order. */
export interface ListedSeries {
  name: string;
  folder: string;
  segments: SegmentRef[];
}

const DATA_NAME = /^(\d{8})--([A-Za-z0-9._-]+)--(\d+)-(\d+)\.binlog(\.[a-z0-9]+)*$/;

/** Adds one listed object to the series it belongs to; other objects are ignored. */
function addObject(bySeries: Map<string, Map<number, SegmentRef>>, name: string, key: string, size: number): void {
  const [series, leaf] = name.split('/');
  if (series === undefined || leaf === undefined) return;
  const manifest = parseSegmentName(leaf);
  const data = DATA_NAME.exec(leaf);
  const parts =
    manifest ??
    (data ? { segment: Number(data[1]), file: data[2] ?? '', from: Number(data[3]), to: Number(data[4]) } : undefined);
  if (parts === undefined) return;
  const segments = bySeries.get(series) ?? new Map<number, SegmentRef>();
  bySeries.set(series, segments);
  const ref = segments.get(parts.segment) ?? { ...parts };
  if (manifest) ref.manifestKey = key;
  else {
    ref.dataKey = key;
    ref.dataSize = size;
  }
  segments.set(parts.segment, ref);
}

/** Every series under `folder` (`{prefix}binlog/{host}/{asset}/`), oldest first (by the stamp in its name). */
export async function listSeries(store: BackupStore, folder: string, signal: AbortSignal): Promise<ListedSeries[]> {
  const bySeries = new Map<string, Map<number, SegmentRef>>();
  for await (const object of store.list(folder, { signal }))
    addObject(bySeries, object.key.slice(folder.length), object.key, object.size);
  const stamp = (name: string) => name.slice(name.indexOf('-') + 1);
  return [...bySeries.entries()]
    .map(([name, segments]) => ({
      name,
      folder: `${folder}${name}/`,
      segments: [...segments.values()].sort((a, b) => a.segment - b.segment),
    }))
    .sort((a, b) => stamp(a.name).localeCompare(stamp(b.name)) || a.name.localeCompare(b.name));
}

/**
 * The newest series with segments of `start.file` (whether they hold the position whole is the chain's
 * question: a hole there is then named as such). Throws BACKUP_NOT_FOUND naming the folder when none has
 * (no stream was shipping then, or its segments were removed).
 */
export function seriesHolding(
  all: readonly ListedSeries[],
  start: { file: string; position: number },
  where: string,
): ListedSeries {
  const found = all.findLast((s) => s.segments.some((r) => r.file === start.file));
  if (found) return found;
  const names = all.map((s) => s.name).join(', ') || 'none';
  throw new BackupError(
    'BACKUP_NOT_FOUND',
    `no binlog series under ${where} holds ${start.file} byte ${start.position} (series there: ${names})`,
  );
}
