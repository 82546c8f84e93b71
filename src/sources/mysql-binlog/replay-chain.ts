// The replay's view of continuity (restore --until), a pure function of segment names: which segments
// follow each other without a hole from a given file and byte on, and where the first hole is. Segments
// are contiguous when their numbers follow each other and each starts where the previous ended (or, at a
// rotation, at byte 0 of the next file). A segment whose data object or manifest is missing is a hole.
// (verify's segment-chain.ts asks the same of listed manifests; one of the two should serve both.)
import { nextBinlogFile } from './segment-chain.js';

export { nextBinlogFile };

/** One segment of a series as its keys show it (binlog-series.ts names). */
export interface SegmentRef {
  segment: number;
  file: string;
  from: number;
  to: number;
  /** The `.json` manifest's key; absent when only the data object is listed. */
  manifestKey?: string;
  /** The `.binlog[.zst][.age]` data object's key and listed size; absent when only the manifest is listed. */
  dataKey?: string;
  dataSize?: number;
}

/** The first hole in a series: the bytes that are missing, between the last good segment and the next one. */
export interface SegmentGap {
  /** The first missing segment number. */
  segment: number;
  /** Where the missing bytes begin. */
  file: string;
  from: number;
  /** Where present bytes resume (absent when nothing follows). */
  resumes?: { file: string; from: number; segment: number };
  /** One line for messages: `segment 00000007 missing: binlog.000002 bytes 4711-9001`. */
  message: string;
}

/** Contiguous segments from the start on (beginning at byte 0 of the start file), and the first hole after them. */
export interface SegmentChain {
  segments: SegmentRef[];
  gap?: SegmentGap;
}

const number = (segment: number): string => String(segment).padStart(8, '0');

/** The hole after `last`, up to `next` when something follows. */
function gapBetween(last: SegmentRef, next: SegmentRef | undefined): SegmentGap {
  const segment = last.segment + 1;
  const { file, to: from } = last;
  const until = next ? (next.file === file ? `-${next.from}` : ` to ${next.file} byte ${next.from}`) : ' on';
  const which =
    next && next.segment > segment + 1
      ? `segments ${number(segment)}-${number(next.segment - 1)}`
      : `segment ${number(segment)}`;
  return {
    segment,
    file,
    from,
    ...(next ? { resumes: { file: next.file, from: next.from, segment: next.segment } } : {}),
    message: `${which} missing: ${file} bytes ${from}${until}`,
  };
}

/** Whether `next` continues `last` without a hole. */
function follows(last: SegmentRef, next: SegmentRef): boolean {
  if (next.segment !== last.segment + 1) return false;
  if (next.file === last.file) return next.from === last.to;
  return next.from === 0 && next.file === nextBinlogFile(last.file);
}

/**
 * The contiguous run of `refs` that begins at byte 0 of `start.file` and reaches at least `start.position`,
 * continued as far as it goes. `gap` is the first hole: before the start (the start file's first bytes or
 * the position are not there) or after it. A segment missing its data object or its manifest counts as missing.
 */
export function replayChain(refs: readonly SegmentRef[], start: { file: string; position: number }): SegmentChain {
  const sorted = [...refs].sort((a, b) => a.segment - b.segment);
  const first = sorted.findIndex((r) => r.file === start.file && r.from === 0);
  if (first < 0) {
    const later = sorted.find((r) => r.file === start.file);
    const message = later
      ? `${start.file} bytes 0-${later.from} missing (the series holds it from segment ${number(later.segment)} on)`
      : `${start.file} is not in the series`;
    return {
      segments: [],
      gap: {
        segment: later?.segment ?? 0,
        file: start.file,
        from: 0,
        ...(later ? { resumes: { file: later.file, from: later.from, segment: later.segment } } : {}),
        message,
      },
    };
  }
  const segments: SegmentRef[] = [];
  for (const ref of sorted.slice(first)) {
    const last = segments.at(-1);
    if (last !== undefined && !follows(last, ref)) return { segments, gap: gapBetween(last, ref) };
    if (ref.dataKey === undefined || ref.manifestKey === undefined) {
      const part = ref.dataKey === undefined ? 'data object' : 'manifest';
      const message = `segment ${number(ref.segment)} missing (no ${part}): ${ref.file} bytes ${ref.from}-${ref.to}`;
      return { segments, gap: { segment: ref.segment, file: ref.file, from: ref.from, message } };
    }
    segments.push(ref);
  }
  return { segments };
}

/** Whether `chain` holds `position` of `file` (the position is at or before the end of a segment of that file). */
export function chainReaches(chain: SegmentChain, start: { file: string; position: number }): boolean {
  return chain.segments.some((s) => s.file === start.file && s.from <= start.position && start.position <= s.to);
}
