// The plan of `restore --until TIME` for a mysql asset, made before anything is written: the newest
// dump whose run finished by TIME (its snapshot is then surely before TIME), the binlog stream that
// holds the dump's position, and the contiguous segments from the start of the dump's binlog file up
// to the first one shipped well after TIME. A hole on that way is an error naming it.
import type { BinlogRecord } from '../../layout/manifest.js';
import { BackupError } from '../../shared/backup-error.js';
import type { UntilEntry, UntilRequest } from '../source.js';
import type { SegmentManifest } from '../mysql-binlog/binlog-series.js';
import { listSeries, type ListedSeries } from '../mysql-binlog/list-series.js';
import { replayChain, seriesHolding } from '../mysql-binlog/replay-chain.js';
import { manifestsUntil, readListedManifest } from '../mysql-binlog/segment-manifests.js';
import { parseUntil } from '../mysql-binlog/until-time.js';

/** What a replay to TIME will use. */
export interface UntilPlan {
  until: Date;
  dump: UntilEntry & { binlog: BinlogRecord; label: string };
  binlogAsset: string;
  series: ListedSeries;
  /** The segments to download, in order (from byte 0 of the dump's file). */
  manifests: SegmentManifest[];
  /** When the last segment of the series that can be reached without a hole was shipped. */
  lastShipped: string;
  /** TIME is after everything shipped: the replay ends with the last shipped event. */
  beyondEnd: boolean;
}

/** The newest dump whose run finished by `until`; throws USAGE / BACKUP_NOT_FOUND. */
function chooseDump(request: UntilRequest, until: Date): UntilPlan['dump'] {
  const asset = request.entries[0]?.asset ?? '';
  const before = request.entries.filter((e) => Date.parse(e.finished_at) <= until.getTime());
  const labels = [...new Set(before.map((e) => e.label))];
  if (labels.length > 1)
    throw new BackupError(
      'USAGE',
      `restore --until: mysql "${asset}" has ${labels.length} databases (${labels.join(', ')}): pick one with --database NAME`,
    );
  const [dump] = before;
  if (dump === undefined)
    throw new BackupError(
      'BACKUP_NOT_FOUND',
      `restore --until ${request.until}: no dump of mysql "${asset}" finished by then (oldest run: ${request.entries.at(-1)?.started_at ?? 'none'})`,
      { asset },
    );
  if (dump.binlog === undefined || dump.label === undefined)
    throw new BackupError(
      'BACKUP_NOT_FOUND',
      `restore --until ${request.until}: the newest dump before it, ${request.read.locate(dump.key)} (run of ${dump.started_at}), records no binlog position (the server's binary log was off, or the dump was MySQL's): it cannot be rolled forward`,
      { asset },
    );
  return { ...dump, binlog: dump.binlog, label: dump.label };
}

/** `--binlog-asset NAME`, else the config's only mysql-binlog asset; throws USAGE. */
function chooseBinlogAsset(request: UntilRequest): string {
  const named = request.options.binlogAsset;
  if (typeof named === 'string') return named;
  const streams = request.assets.filter((a) => a.type === 'mysql-binlog').map((a) => a.name);
  if (streams.length === 1 && streams[0] !== undefined) return streams[0];
  throw new BackupError(
    'USAGE',
    `restore --until: ${streams.length === 0 ? 'the config has no mysql-binlog asset' : `the config has ${streams.length} mysql-binlog assets (${streams.join(', ')})`}: name the stream with --binlog-asset NAME`,
  );
}

/** Chooses the dump and the segments; reads segment manifests only. Throws BackupError; writes nothing. */
export async function planUntil(request: UntilRequest): Promise<UntilPlan> {
  const until = parseUntil(request.until);
  const dump = chooseDump(request, until);
  const binlogAsset = chooseBinlogAsset(request);
  const { store, read } = request;
  const folder = `${request.prefix}binlog/${request.host}/${binlogAsset}/`;
  const listed = await listSeries(store, request.prefix, { host: request.host, asset: binlogAsset }, read.signal);
  const series = seriesHolding(listed, dump.binlog, store.locate(folder));
  const start = { file: dump.binlog.file, position: dump.binlog.position };
  const chain = replayChain(series.segments, start);
  const end = chain.segments.at(-1);
  const ends = end ? `the series ends at ${end.file} byte ${end.to}` : 'no segments';
  const hole = (why: string) =>
    new BackupError(
      'INTEGRITY_FAILED',
      `mysql "${dump.asset}": restore --until ${request.until}: binlog series ${series.series} of mysql-binlog "${binlogAsset}" ${why}: ${chain.gap?.message ?? ends}; nothing was restored`,
      { asset: dump.asset },
    );
  if (!chain.reaches) throw hole(`does not hold the dump's position ${start.file} byte ${start.position}`);
  const { manifests, passed } = await manifestsUntil(store, series, chain.segments, until, read.signal);
  const lastShipped =
    passed && end
      ? (await readListedManifest(store, series, end, read.signal)).shipped_at
      : (manifests.at(-1)?.shipped_at ?? '');
  if (!passed && chain.gap) throw hole(`has a hole before ${request.until}`);
  return { until, dump, binlogAsset, series, manifests, lastShipped, beyondEnd: !passed };
}
