// Finds the binlog series in a bucket from one listing of `{prefix}binlog/`: each series' segments by
// their manifests' names (a segment without its manifest was never finished: data first, manifest last),
// each with its stored object as listed (key and size), so continuity is known before a byte is read.
import type { BackupStore, StoredObject } from '../../destinations/backup-store.js';
import { parseSegmentName } from './binlog-series.js';
import type { ChainLink } from './segment-chain.js';

/** One segment as listed: its manifest's key and name parts, and its data object when there is one. */
export interface ListedSegment extends ChainLink {
  manifestKey: string;
  data?: StoredObject;
}

/** One series: `{prefix}binlog/{host}/{asset}/{series}/`, its segments in number order. */
export interface ListedSeries {
  host: string;
  asset: string;
  series: string;
  folder: string;
  segments: ListedSegment[];
}

/** A segment's data object name: `{segment:8}--{file}--{from}-{to}.binlog[.zst][.age]`; its stem is the manifest's name without `.json`. */
const DATA_NAME = /^(\d{8}--[A-Za-z0-9._-]+--\d+-\d+)\.binlog(\.[a-z0-9]+)*$/;

/** Every series under the prefix (only `host`'s and `asset`'s when given), sorted by host, asset and name. */
export async function listSeries(
  store: BackupStore,
  prefix: string,
  filter: { host?: string | undefined; asset?: string | undefined },
  signal: AbortSignal,
): Promise<ListedSeries[]> {
  const root = `${prefix}binlog/`;
  type Found = ListedSeries & { data: Map<string, StoredObject> };
  const found = new Map<string, Found>();
  for await (const object of store.list(`${root}${filter.host !== undefined ? `${filter.host}/` : ''}`, { signal })) {
    const parts = object.key.slice(root.length).split('/');
    if (parts.length !== 4) continue;
    const [host = '', asset = '', series = '', name = ''] = parts;
    if (filter.asset !== undefined && asset !== filter.asset) continue;
    const folder = `${root}${host}/${asset}/${series}/`;
    const entry: Found = found.get(folder) ?? { host, asset, series, folder, segments: [], data: new Map() };
    found.set(folder, entry);
    const segment = parseSegmentName(name);
    const stem = DATA_NAME.exec(name)?.[1];
    if (segment) entry.segments.push({ ...segment, manifestKey: object.key });
    else if (stem !== undefined) entry.data.set(stem, object);
  }
  return [...found.values()]
    .filter((entry) => entry.segments.length > 0)
    .map(({ data, ...entry }) => ({
      ...entry,
      segments: entry.segments
        .sort((a, b) => a.segment - b.segment)
        .map((segment) => {
          const object = data.get(segment.manifestKey.slice(entry.folder.length).replace(/\.json$/, ''));
          return object ? { ...segment, data: object } : segment;
        }),
    }));
}
