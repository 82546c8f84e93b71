// A pass-through stage that counts bytes and, optionally, hashes them (sha256 of what is stored).
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** A counting (and hashing) pass-through. Read `bytes` / `sha256()` after it ended. */
export class Measure extends Transform {
  bytes = 0;
  readonly #hash: Hash | undefined;
  #digest: string | undefined;

  constructor(options: { hash: boolean }) {
    super({ highWaterMark: 1024 * 1024 });
    this.#hash = options.hash ? createHash('sha256') : undefined;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.#hash?.update(chunk);
    callback(null, chunk);
  }

  /** Hex sha256 of every byte that passed; only valid after the stream ended. */
  sha256(): string {
    if (!this.#hash) throw new Error('Measure was created without hashing');
    this.#digest ??= this.#hash.digest('hex');
    return this.#digest;
  }
}
