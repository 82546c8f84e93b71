// Where a binlog stream's segments live and what each segment's manifest says. A series is one server's
// binary log as one agent followed it: `{server_id}-{stamp of its first segment}`, so a failover, a
// re-initialised server or lost local state never writes where an older series lives. Keys sort by
// segment number: `{prefix}binlog/{host}/{asset}/{series}/{segment:8}--{file}--{from}-{to}.binlog[.zst][.age]`,
// and the segment's manifest is the same name with `.json`, written after the segment.

/** What one segment's manifest records: the bytes [from, to) of one binlog file of the series. */
export interface SegmentManifest {
  format: 'backup-agent-binlog-segment';
  version: 1;
  host: string;
  asset: string;
  series: string;
  server_id: number;
  segment: number;
  file: string;
  from: number;
  to: number;
  /** sha256 of the plaintext bytes (the binlog slice), hex. */
  sha256: string;
  /** The stored object and how it is stored. */
  key: string;
  bytes_stored: number;
  compression: string;
  encryption?: string;
  shipped_at: string;
}

/** The folder of one series. */
export function seriesPrefix(prefix: string, host: string, asset: string, series: string): string {
  return `${prefix}binlog/${host}/${asset}/${series}/`;
}

/** The name of a series started now by server `serverId`. */
export function seriesName(serverId: number, now: Date): string {
  return `${serverId}-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

/** A segment's key without extension (the segment adds `.binlog...`, its manifest `.json`). */
export function segmentStem(folder: string, segment: number, file: string, from: number, to: number): string {
  return `${folder}${String(segment).padStart(8, '0')}--${file}--${from}-${to}`;
}

const SEGMENT_NAME = /^(\d{8})--([A-Za-z0-9._-]+)--(\d+)-(\d+)\.json$/;

/** The parts of a segment manifest's name (the last key segment), or undefined for another object. */
export function parseSegmentName(
  name: string,
): { segment: number; file: string; from: number; to: number } | undefined {
  const match = SEGMENT_NAME.exec(name);
  if (!match) return undefined;
  return { segment: Number(match[1]), file: match[2] ?? '', from: Number(match[3]), to: Number(match[4]) };
}
