// Checks the end of what is stored without the uncompressed bytes passing through Node: a copy of
// the compressed stream goes to `zstd -d | tail -c N`, and the stream may end only after both exited
// 0 and the last N decompressed bytes passed a check (a mysql dump's "-- Dump completed" footer).
import { getPriority, setPriority } from 'node:os';
import { Transform, type TransformCallback } from 'node:stream';
import { basename } from 'node:path';
import { execa, type Result } from 'execa';
import { describeExit, tail } from '../shared/child-output.js';
import type { ChildCommand } from './compress.js';

export interface TailVerifierOptions {
  /** Decompresses stdin to stdout; with zstd `-v` it reports `: N bytes` on stderr (the uncompressed size). */
  decompress: ChildCommand;
  /** Absolute path of a POSIX `tail`. */
  tailBinary: string;
  /** How many last bytes `check` gets. */
  bytes: number;
  signal: AbortSignal;
  /** Judges the last decompressed bytes; returns the error to raise when they are not acceptable. */
  check(last: Buffer): Error | undefined;
  /** Wraps a verification failure (a verifier child died or failed) into the error to raise. */
  failure(message: string): Error;
}

/**
 * A pass-through that ends only after the verifier children exited 0 and `check` accepted the last
 * decompressed bytes; otherwise it errors, so an upload reading it is never completed. Backpressure
 * from the verifier is honoured (memory stays bounded); destroying the stream kills the children.
 * Read `uncompressedBytes` after the stream ended.
 */
export class TailVerifier extends Transform {
  /** The decompressed size reported by the decompressor, when it reported one. */
  uncompressedBytes: number | undefined;
  readonly #options: TailVerifierOptions;
  readonly #tail: ReturnType<typeof startTail>;
  readonly #decompress: ReturnType<typeof startDecompress>;
  readonly #exited: Promise<[Result, Result]>;
  #done = false;

  constructor(options: TailVerifierOptions) {
    super({ highWaterMark: 1024 * 1024 });
    this.#options = options;
    this.#tail = startTail(options);
    this.#decompress = startDecompress(options, this.#tail.stdin!);
    // The decompressor holds the pipe into tail now; ours must close, or tail never sees end of input.
    const release = () => this.#tail.stdin!.destroy();
    this.#decompress.once('spawn', release);
    void this.#decompress.finally(release);
    // A write to a decompressor that died fails with EPIPE; its exit status reports the cause.
    this.#decompress.stdin!.on('error', () => undefined);
    // The verifier only has to keep up; the dump and the compressor are the critical path. On a busy
    // machine equal priority let the two extra children take CPU from them (measured: see README).
    for (const child of [this.#decompress, this.#tail]) lowerPriority(child.pid);
    this.#exited = Promise.all([this.#decompress, this.#tail]).finally(() => {
      this.#done = true;
    });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const stdin = this.#decompress.stdin!;
    if (this.#done || stdin.destroyed || stdin.writableEnded) {
      // A verifier that stopped reading before its input ended cannot have checked the end: fail.
      this.#stopChildren();
      void this.#verdict().then((error) => callback(error ?? this.#options.failure('verifying the stored stream failed: the verifier stopped reading early')));
      return;
    }
    const accepted = stdin.write(chunk);
    this.push(chunk);
    if (accepted) {
      callback();
      return;
    }
    const go = () => {
      stdin.off('drain', go);
      stdin.off('close', go);
      callback();
    };
    stdin.on('drain', go);
    stdin.on('close', go);
  }

  override _flush(callback: TransformCallback): void {
    this.#decompress.stdin!.end();
    void this.#verdict().then((error) => callback(error));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#stopChildren();
    callback(error);
  }

  #stopChildren(): void {
    if (this.#done) return;
    this.#decompress.kill();
    this.#tail.kill();
  }

  /** Waits for both children; returns the error to raise, or undefined when the end is verified. */
  async #verdict(): Promise<Error | undefined> {
    const [decompressed, tailed] = await this.#exited;
    const { failure, check } = this.#options;
    // zstd -v starts stderr with a banner line (*** Zstandard CLI ...): not part of any cause.
    const decompressStderr = String(decompressed.stderr ?? '').replace(/^\*\*\*.*$/gm, '');
    const decompressError = decompressed.exitCode === 0 ? undefined
      : failure(`verifying the stored stream failed: ${basename(this.#options.decompress.file)} -d ${describeExit(decompressed)}: ${tail(decompressStderr) || decompressed.shortMessage}`);
    const tailError = tailed.exitCode === 0 ? undefined
      : failure(`verifying the stored stream failed: ${basename(this.#options.tailBinary)} ${describeExit(tailed)}: ${tail(Buffer.from(tailed.stderr as unknown as Uint8Array ?? []).toString('utf8')) || tailed.shortMessage}`);
    // A decompressor that died only because tail did (a broken pipe) is the consequence: tail's failure wins.
    const brokenPipe = decompressed.signal === 'SIGPIPE' || /Broken pipe|Connection reset/i.test(decompressStderr);
    if (decompressError) return tailError && brokenPipe ? tailError : decompressError;
    if (tailError) return tailError;
    const size = /: (\d+) bytes\s*$/m.exec(decompressStderr);
    if (size) this.uncompressedBytes = Number(size[1]);
    return check(Buffer.from(tailed.stdout as unknown as Uint8Array)); // execa gives Uint8Arrays for encoding: buffer
  }
}

/** Niceness added to the verifier children, relative to the agent's own. */
const VERIFIER_NICENESS = 5;

function lowerPriority(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    setPriority(pid, Math.min(19, getPriority() + VERIFIER_NICENESS));
  } catch {
    // Already exited, or not permitted: the verifier then runs at the agent's priority.
  }
}

function startTail(options: TailVerifierOptions) {
  return execa(options.tailBinary, ['-c', String(options.bytes)], {
    reject: false, cancelSignal: options.signal, stdin: 'pipe', stdout: 'pipe', stderr: 'pipe',
    encoding: 'buffer', buffer: true, stripFinalNewline: false, maxBuffer: options.bytes + 1024, extendEnv: false, env: { LC_ALL: 'C' },
  });
}

function startDecompress(options: TailVerifierOptions, into: NodeJS.WritableStream) {
  return execa(options.decompress.file, options.decompress.args, {
    reject: false, cancelSignal: options.signal, stdin: 'pipe', stdout: into as never, stderr: 'pipe',
    buffer: { stdout: false, stderr: true }, extendEnv: false, env: {},
  });
}
