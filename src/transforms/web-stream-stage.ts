// Turns a function over web streams (age-encryption's encrypt/decrypt) into a bounded Node Duplex stage.
import { addAbortSignal, Duplex } from 'node:stream';

/** Maps a web ReadableStream of input to an async iterable of output (e.g. `encrypter.encrypt`). */
export type WebStreamFunction = (input: ReadableStream<Uint8Array>) => Promise<AsyncIterable<Uint8Array>>;

/**
 * `transform` as a Duplex. Input is pulled one chunk at a time (highWaterMark 0) only when
 * `transform` wants more, and Duplex.from buffers one chunk per side, so memory stays bounded by a
 * few chunks whatever the sizes and speeds around it. It yields to the event loop after each output
 * chunk, so `signal` works however fast the neighbours are.
 */
export function webStreamStage(transform: WebStreamFunction, signal: AbortSignal): Duplex {
  const stage = Duplex.from(async function* (source: AsyncIterable<Uint8Array | string>) {
    const iterator = source[Symbol.asyncIterator]();
    const input = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const next = await iterator.next();
          if (next.done) controller.close();
          else controller.enqueue(typeof next.value === 'string' ? Buffer.from(next.value) : next.value);
        },
        async cancel() {
          await iterator.return?.();
        },
      },
      { highWaterMark: 0 },
    );
    const output = await transform(input);
    for await (const chunk of output) {
      yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      // Promise-only plumbing: with an in-memory source and sink, timers and signals would never run.
      await new Promise((resolve) => setImmediate(resolve));
    }
  });
  return addAbortSignal(signal, stage);
}
