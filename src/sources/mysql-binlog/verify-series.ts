// `verify` of binlog series (the mysql-binlog source's `verifyStreams`): each series' segments follow on
// (segment-chain.ts), every segment's manifest agrees with its key, its object has the recorded size and
// its plaintext the recorded sha256 (read through the same pipeline as every artifact), and its bytes are
// binlog events. Prints the recovery window the series gives: from the oldest dump in the verify window
// whose position it holds without a gap, to its last whole event.
import { Writable } from 'node:stream';
import { toBackupError } from '../../shared/backup-error.js';
import type { PositionedDump, StreamVerdict, StreamVerifyRequest } from '../source.js';
import { BinlogEventWalker, type BinlogWalk } from './binlog-events.js';
import { listSeries, type ListedSegment, type ListedSeries } from './list-series.js';
import { readSegmentManifest } from './read-segment-manifest.js';
import { segmentChain } from './segment-chain.js';

/** At most this many problems are named per series (the count says how many more). */
const MAX_NAMED = 5;

/** Verdicts on every series under the request's prefix (its host and asset when given). */
export async function verifyBinlogSeries(request: StreamVerifyRequest): Promise<StreamVerdict[]> {
  const all = await listSeries(request.store, request.prefix, request, request.signal);
  const verdicts: StreamVerdict[] = [];
  for (const series of all) {
    request.signal.throwIfAborted();
    verdicts.push(await verifyOne(series, request));
  }
  return verdicts;
}

async function verifyOne(series: ListedSeries, request: StreamVerifyRequest): Promise<StreamVerdict> {
  const base = { host: series.host, asset: series.asset, kind: 'binlog series', stream: series.series };
  const where = request.store.locate(series.folder);
  const problems: string[] = [];
  const [first] = series.segments;
  if (first !== undefined && (first.segment !== 1 || first.from !== 0)) problems.push(missingHead(first));
  const chain = segmentChain(series.segments);
  if (chain.gap) problems.push(`gap: ${chain.gap.message}`);
  const walks = await readSegments(series, request, problems);
  const checked = `${series.segments.length} segment${series.segments.length === 1 ? '' : 's'}`;
  if (problems.length > 0) {
    const named = problems.slice(0, MAX_NAMED).join('; ');
    const more = problems.length > MAX_NAMED ? `; and ${problems.length - MAX_NAMED} more problems` : '';
    return { ...base, ok: false, message: `${where}: ${checked}: ${named}${more}` };
  }
  return { ...base, ok: true, ...passed(series, walks, oldestDump(series, request.dumps)) };
}

/** What is missing before a series' first segment (a series begins with segment 1 at byte 0). */
function missingHead(first: ListedSegment): string {
  const what =
    first.segment > 2
      ? `segments 1-${first.segment - 1} are`
      : first.segment === 2
        ? 'segment 1 is'
        : `${first.file} bytes 0-${first.from} are`;
  return `the series begins with segment ${first.segment} (${first.file} ${first.from}-${first.to}): ${what} missing`;
}

/** The message and recovery window of a series that passed: from `start`'s run to the newest whole event. */
function passed(
  series: ListedSeries,
  walks: Map<string, BinlogWalk>,
  start: PositionedDump | undefined,
): Pick<StreamVerdict, 'message' | 'window'> {
  const times = [...walks.values()].map((walk) => walk.lastEventAt?.getTime() ?? 0);
  const to = Math.max(0, ...times) > 0 ? new Date(Math.max(...times)).toISOString() : undefined;
  const dump = start && `${start.key} at ${start.binlog.file}:${start.binlog.position}`;
  const window = {
    ...(start ? { from: start.started_at, dump } : {}),
    ...(to !== undefined ? { to } : {}),
  };
  const [first] = series.segments;
  const last = series.segments.at(-1);
  const count = `${series.segments.length} segment${series.segments.length === 1 ? '' : 's'}`;
  const reach = start
    ? `recovery window ${start.started_at} (dump ${dump ?? ''}) .. ${to ?? 'unknown'} (last shipped event)`
    : `last shipped event ${to ?? 'unknown'}; no dump in the verify window records a position this series holds (nothing to replay onto)`;
  return {
    message: `${count} contiguous, ${first?.file ?? ''} 0 .. ${last?.file ?? ''} ${last?.to ?? 0}; sizes and sha256 match; ${reach}`,
    window,
  };
}

/**
 * Reads every segment in order, checking manifest, size and sha256 (problems go to `problems`), and walks
 * each file's events while its segments follow on from byte 0. Resolves to the walk of each file.
 */
async function readSegments(
  series: ListedSeries,
  request: StreamVerifyRequest,
  problems: string[],
): Promise<Map<string, BinlogWalk>> {
  const walks = new Map<string, BinlogWalk>();
  let walker: BinlogEventWalker | undefined;
  let expected = { file: '', from: -1 };
  for (const segment of series.segments) {
    request.signal.throwIfAborted();
    const name = `segment ${segment.segment} (${segment.file} ${segment.from}-${segment.to})`;
    if (segment.file !== expected.file) walker = segment.from === 0 ? new BinlogEventWalker(segment.file) : undefined;
    else if (segment.from !== expected.from) walker = undefined;
    expected = { file: segment.file, from: segment.to };
    const problem = await checkSegment(series, segment, request, walker?.sink());
    if (problem !== undefined) {
      problems.push(`${name}: ${problem}`);
      walker = undefined;
    }
    const walk = walker?.result();
    if (walk?.problem !== undefined) {
      problems.push(`${name}: ${walk.problem}`);
      walker = undefined;
    } else if (walk !== undefined) walks.set(segment.file, walk);
  }
  return walks;
}

/** One segment's problem, or undefined when its manifest, object, size and sha256 hold. Throws only on abort. */
async function checkSegment(
  series: ListedSeries,
  segment: ListedSegment,
  request: StreamVerifyRequest,
  sink: Writable | undefined,
): Promise<string | undefined> {
  try {
    const manifest = await readSegmentManifest(request.store, series, segment, request.signal);
    if (segment.data?.key !== manifest.key) return `its object ${request.store.locate(manifest.key)} is missing`;
    if (segment.data.size !== manifest.bytes_stored)
      return `size mismatch: ${request.store.locate(manifest.key)} has ${segment.data.size} bytes, the manifest says ${manifest.bytes_stored}`;
    const plaintext = { sha256: manifest.sha256, bytes: manifest.to - manifest.from };
    await request.read(
      { key: manifest.key, bytes_stored: manifest.bytes_stored, plaintext },
      sink ?? new Writable({ write: (_chunk, _encoding, callback) => callback() }),
    );
    return undefined;
  } catch (error) {
    if (request.signal.aborted) throw error;
    return toBackupError(error).message;
  }
}

/** The oldest dump of the series' host whose position the series holds with no gap after it. */
function oldestDump(series: ListedSeries, dumps: PositionedDump[]): PositionedDump | undefined {
  return dumps
    .filter((dump) => dump.host === series.host)
    .sort((a, b) => a.started_at.localeCompare(b.started_at))
    .find((dump) => {
      const chain = segmentChain(series.segments, { file: dump.binlog.file, position: dump.binlog.position });
      return chain.run.length > 0 && chain.gap === undefined;
    });
}
