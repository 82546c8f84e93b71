// Turns a child process's stdout into a stream that ends only after the child's exit was judged good.
import { PassThrough, type Readable } from 'node:stream';
import type { Child as ResultPromise, ChildResult as Result } from './child-process.js';

/** Decides whether a finished child's result is acceptable; returns the error to raise, if not. */
export type ExitJudge = (result: Result) => Error | undefined;

/**
 * Returns a Readable with the child's stdout that ends only when the child has exited and
 * `judge` accepted its result; otherwise it errors with `judge`'s error (or the spawn error),
 * so a consumer such as a multipart upload never sees a truncated stream as finished.
 * Destroying the returned stream kills the child.
 * The child must be started with `reject: false` and `stdout: 'pipe'`.
 * `upstream` is the verdict on a child writing into this one's stdin (tar into zstd): it is awaited
 * too, and its error wins, since the producer's failure is the cause of whatever follows.
 */
export function childOutput(
  child: ResultPromise,
  judge: ExitJudge,
  options: { upstream?: Promise<Error | undefined> } = {},
): Readable {
  const stdout = child.stdout;
  if (!stdout) throw new Error('childOutput needs the child started with stdout: pipe');
  const output = new PassThrough({ highWaterMark: 1024 * 1024 });
  let settled = false;
  stdout.pipe(output, { end: false });
  // Only 'end' says every byte was read. A stdout closed without it (destroyed with data still unread)
  // must not end the output as if complete: that would be a silently truncated artifact.
  const drained = new Promise<boolean>((resolve) => {
    stdout.once('end', () => {
      resolve(true);
    });
    stdout.once('close', () => {
      resolve(stdout.readableEnded);
    });
  });
  Promise.all([child, drained, options.upstream]).then(
    ([result, ended, upstreamError]) => {
      settled = true;
      const error =
        upstreamError ??
        judge(result) ??
        (ended ? undefined : new Error("the program's output closed before its end: the stream would be truncated"));
      if (error) output.destroy(error);
      else output.end();
    },
    (error: unknown) => {
      settled = true;
      output.destroy(error instanceof Error ? error : new Error(String(error)));
    },
  );
  output.once('close', () => {
    if (!settled) child.kill();
  });
  return output;
}

/**
 * For a child started with `stdout: pipe` where `pipe` is another child's stdin (tar -> zstd):
 * the child holds the pipe's write end once it runs, so Node's end is closed then (or when it
 * failed to start); otherwise the reader never sees end of input.
 */
export function releaseWhenSpawned(writer: ResultPromise, pipe: { destroy(): unknown }): void {
  const release = () => pipe.destroy();
  writer.once('spawn', release);
  void writer.finally(release);
}
