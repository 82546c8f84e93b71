// Whether a binlog series' segments follow on from each other: pure, from the segments' numbers, files and
// byte ranges alone (their key names or manifests), so `verify` and a replay can both ask before reading
// a byte. Within a file each segment begins where the previous one ended; a file's first segment begins
// at byte 0 (the client stores whole files, magic header included) and its file is the one after the
// previous file (`binlog.000002` after `binlog.000001`).

/** One segment of a series as its name says: the bytes [from, to) of `file`, numbered `segment`. */
export interface ChainLink {
  segment: number;
  file: string;
  from: number;
  to: number;
}

/** Where a replay starts: a byte of a binlog file (a dump's recorded position). */
export interface ChainStart {
  file: string;
  position: number;
}

/** Why the chain stops: `after` is the last link of the run (absent when the start is not covered). */
export interface ChainGap<T extends ChainLink = ChainLink> {
  reason: 'missing-bytes' | 'overlap' | 'missing-file' | 'segment-number' | 'start-not-covered';
  after?: T;
  next?: T;
  /** `binlog.000002 bytes 1234-5678 are missing: segment 4 ends at 1234, segment 6 begins at 5678`. */
  message: string;
}

/** The contiguous run from the start (or the first segment), and the gap that ends it early, if any. */
export interface SegmentChain<T extends ChainLink = ChainLink> {
  run: T[];
  gap?: ChainGap<T>;
}

/** `binlog.000002` for `binlog.000001` (same width), or undefined for a name without a number. */
export function nextBinlogFile(file: string): string | undefined {
  const match = /^(.*\.)(\d+)$/.exec(file);
  if (!match) return undefined;
  const [, stem = '', digits = ''] = match;
  return `${stem}${String(Number(digits) + 1).padStart(digits.length, '0')}`;
}

const describe = (link: ChainLink) => `segment ${link.segment} (${link.file} ${link.from}-${link.to})`;

/** The problem between two neighbouring links, or undefined when `next` follows on from `prev`. */
function breakBetween<T extends ChainLink>(prev: T, next: T): ChainGap<T> | undefined {
  const gap = (reason: ChainGap['reason'], message: string): ChainGap<T> => ({ reason, after: prev, next, message });
  if (next.file === prev.file) {
    if (next.from > prev.to)
      return gap(
        'missing-bytes',
        `${next.file} bytes ${prev.to}-${next.from} are missing: ${describe(prev)} ends at ${prev.to}, ${describe(next)} begins at ${next.from}`,
      );
    if (next.from < prev.to)
      return gap(
        'overlap',
        `${next.file} bytes ${next.from}-${prev.to} are stored twice: ${describe(next)} begins before ${describe(prev)} ends`,
      );
  } else {
    const expected = nextBinlogFile(prev.file);
    if (next.file !== expected)
      return gap(
        'missing-file',
        `${expected ?? `the file after ${prev.file}`} is missing: ${describe(prev)} is followed by ${describe(next)}`,
      );
    if (next.from !== 0)
      return gap(
        'missing-bytes',
        `${next.file} bytes 0-${next.from} are missing: ${describe(next)} is the first of its file after ${describe(prev)}`,
      );
  }
  if (next.segment !== prev.segment + 1)
    return gap(
      'segment-number',
      `${next.segment === prev.segment + 2 ? `segment ${prev.segment + 1} is` : `segments ${prev.segment + 1}-${next.segment - 1} are`} missing between ${describe(prev)} and ${describe(next)}`,
    );
  return undefined;
}

/** The index of the link holding byte `start.position` of `start.file` (its end counts for a file's last link). */
function startIndex(links: readonly ChainLink[], start: ChainStart): number {
  return links.findIndex(
    (link, i) =>
      link.file === start.file &&
      link.from <= start.position &&
      (start.position < link.to || (start.position === link.to && links[i + 1]?.file !== link.file)),
  );
}

/**
 * The contiguous run of `links` (sorted by segment number) from `start` (default: the first link) to
 * the first break, and that break. Throws nothing: an empty input is an empty run; a start no link
 * holds is a `start-not-covered` gap with an empty run.
 */
export function segmentChain<T extends ChainLink>(links: readonly T[], start?: ChainStart): SegmentChain<T> {
  const first = start === undefined ? 0 : startIndex(links, start);
  if (first < 0) {
    const held = links.filter((link) => link.file === start?.file);
    return {
      run: [],
      gap: {
        reason: 'start-not-covered',
        ...(links[0] ? { next: links[0] } : {}),
        message: `${start?.file ?? ''} byte ${start?.position ?? 0} is in no segment: ${
          held.length > 0
            ? `the series holds ${start?.file ?? ''} ${held[0]?.from ?? 0}-${held.at(-1)?.to ?? 0}`
            : `the series holds no segment of ${start?.file ?? ''}`
        }`,
      },
    };
  }
  const run: T[] = [];
  for (const link of links.slice(first)) {
    const prev = run.at(-1);
    const gap = prev === undefined ? undefined : breakBetween(prev, link);
    if (gap !== undefined) return { run, gap };
    run.push(link);
  }
  return { run };
}
