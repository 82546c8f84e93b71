// The compressor as a child a source writes into itself (tar's stdout, a dump passed through Node):
// started and judged here, once for every source.
import { basename } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { BackupError } from '../shared/backup-error.js';
import { childOutput } from '../shared/child-output.js';
import { must } from '../shared/must.js';
import {
  programFailure,
  startChild,
  type Child,
  type ChildCommand,
  type ChildResult,
} from '../shared/child-process.js';

/** A running compressor child. */
export interface CompressorChild {
  child: Child;
  /** Where the uncompressed bytes go: a Node stream, or another child's stdout. */
  stdin: Writable;
  /** COMPRESS_FAILED unless it exited 0 (by exit status alone: a deliberate close of its stdin is no failure). */
  judge(result: ChildResult): BackupError | undefined;
  /** COMPRESS_FAILED saying `why` (e.g. it stopped reading before the end of its input). */
  failed(why: string): BackupError;
  /** The compressed bytes: end only once it exited 0 and `upstream` (the producer's verdict) is undefined; that verdict wins. */
  output(upstream: Promise<Error | undefined>): Readable;
}

/** Who is compressed, for messages: `files "www"`, and the asset's name. */
export interface CompressorOwner {
  label: string;
  asset: string;
}

/** Starts `command` (a compressor program) with empty environment; `signal` kills it. */
export function startCompressor(command: ChildCommand, signal: AbortSignal, owner: CompressorOwner): CompressorChild {
  const child = startChild(command.file, command.args, {
    env: 'empty',
    signal,
    buffer: { stdout: false, stderr: true },
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const failed = (why: string) =>
    new BackupError('COMPRESS_FAILED', `${owner.label}: compression failed: ${why}`, { asset: owner.asset });
  const judge = (result: ChildResult) =>
    result.exitCode === 0 ? undefined : failed(programFailure(command.file, result, String(result.stderr ?? '')));
  return {
    child,
    stdin: must(child.stdin, `${owner.label}: the compressor's stdin pipe`),
    judge,
    failed: (why) => failed(`${basename(command.file)} ${why}`),
    output: (upstream) => childOutput(child, judge, { upstream }),
  };
}
