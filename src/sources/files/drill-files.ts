// The files half of `drill`: the archive extracted into a scratch directory through the same restore as
// `restore --to`, its bytes checked against the manifest (sha256 of the stored object, archive bytes,
// members), the scratch left for the caller to remove.
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { toBackupError } from '../../shared/backup-error.js';
import type { DrillOutcome, DrillRequest } from '../source.js';
import { restoreFiles } from './restore-files.js';

/** Restores the run's archive into `scratch` and compares what came out with what the manifest recorded. */
export async function drillFiles({ entries, read, scratch }: DrillRequest): Promise<DrillOutcome> {
  const outcome: DrillOutcome = { checks: [], problems: [], restoreSeconds: 0 };
  for (const entry of entries) {
    const where = read.locate(entry.key);
    let counter = byteCounter();
    // tar's stdin as a plain sink: the plaintext then passes through Node, where the counter sees it.
    // A differential's restore reads its full first: the count is of the last archive read, the entry's.
    const counted: typeof read = {
      ...read,
      stream: (e, ...sinks) => {
        counter = byteCounter();
        return read.stream(e, counter, ...sinks.map((s) => ('write' in s ? s : s.stdin)));
      },
    };
    const started = performance.now();
    let members: number;
    try {
      ({ members } = await restoreFiles({ entry, target: join(scratch, 'files'), force: false, read: counted }));
    } catch (error) {
      if (read.signal.aborted) throw error;
      outcome.problems.push(toBackupError(error).message);
      continue;
    } finally {
      outcome.restoreSeconds += (performance.now() - started) / 1000;
    }
    outcome.checks.push(`${where}: sha256 and size match the manifest; tar extracted ${members} members`);
    const { bytes_read: recorded, contents } = entry.record;
    if (recorded !== undefined && recorded !== counter.bytes)
      outcome.problems.push(
        `${where}: the archive has ${counter.bytes} bytes, the manifest recorded ${recorded} when it was taken`,
      );
    else if (recorded !== undefined) outcome.checks.push(`archive bytes ${counter.bytes} as recorded`);
    if (contents?.members !== undefined && contents.members !== members)
      outcome.problems.push(`${where}: ${members} members restored, the manifest recorded ${contents.members}`);
    else if (contents?.members !== undefined) outcome.checks.push(`${members} members as recorded`);
  }
  return outcome;
}

/** A pass-through that counts the plaintext bytes it passes. */
function byteCounter(): PassThrough & { bytes: number } {
  const counter = Object.assign(new PassThrough({ highWaterMark: 1024 * 1024 }), { bytes: 0 });
  counter.on('data', (chunk: Buffer) => {
    counter.bytes += chunk.length;
  });
  return counter;
}
