// The replay's view of a binlog series (restore --until), on verify's continuity check (segment-chain.ts):
// the contiguous segments from byte 0 of the dump's binlog file on (mariadb-binlog needs the file's header
// even with --start-position), whether they reach the dump's position, and the first hole, where a
// segment whose data object is missing counts as a hole too (its manifest alone cannot be replayed).
import { BackupError } from '../../shared/backup-error.js';
import type { ListedSegment, ListedSeries } from './list-series.js';
import { segmentChain } from './segment-chain.js';

/** A byte of a binlog file: the dump's recorded position. */
export interface BinlogStart {
  file: string;
  position: number;
}

/** The segments a replay may use, whether they hold the start, and the hole that ends them early. */
export interface ReplayChain {
  segments: ListedSegment[];
  reaches: boolean;
  gap?: { message: string };
}

const number = (segment: number): string => String(segment).padStart(8, '0');

/** The replay chain of `segments` (one series, in number order) for a dump at `start`. */
export function replayChain(segments: readonly ListedSegment[], start: BinlogStart): ReplayChain {
  const { run, gap } = segmentChain(segments, { file: start.file, position: 0 });
  const missing = run.findIndex((segment) => segment.data === undefined);
  const lost = run[missing];
  const kept = lost === undefined ? run : run.slice(0, missing);
  const message =
    lost === undefined
      ? gap?.message
      : `segment ${number(lost.segment)} missing (no data object): ${lost.file} bytes ${lost.from}-${lost.to}`;
  const reaches = kept.some((s) => s.file === start.file && s.from <= start.position && start.position <= s.to);
  return { segments: kept, reaches, ...(message !== undefined ? { gap: { message } } : {}) };
}

/**
 * The newest series (by the stamp in its name, `serverid-stamp`) with segments of `start.file`; whether
 * they hold the position whole is the chain's question. Throws BACKUP_NOT_FOUND naming `where` when none has.
 */
export function seriesHolding(all: readonly ListedSeries[], start: BinlogStart, where: string): ListedSeries {
  const stamp = (name: string) => name.slice(name.indexOf('-') + 1);
  const found = [...all]
    .sort((a, b) => stamp(a.series).localeCompare(stamp(b.series)) || a.series.localeCompare(b.series))
    .findLast((s) => s.segments.some((r) => r.file === start.file));
  if (found) return found;
  const names = all.map((s) => s.series).join(', ') || 'none';
  throw new BackupError(
    'BACKUP_NOT_FOUND',
    `no binlog series under ${where} holds ${start.file} byte ${start.position} (series there: ${names})`,
  );
}
