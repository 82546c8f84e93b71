// Feeds tar its list of names on stdin: the walked paths (with --no-recursion), or only the roots
// (an incremental run, where tar lists directories itself), NUL-separated and byte for byte, with backpressure.
import { lstat } from 'node:fs/promises';
import { fsPath } from './file-names.js';
import type { TarSizeEstimate } from './tar-size.js';
import { walkFiles } from './walk-files.js';
import type { SkippedPath } from '../source.js';

/** Writes the walked paths, relative to /, NUL-separated and byte for byte, into tar's stdin with backpressure; sizes go to `estimate`. */
export async function feedFileList(
  stdin: NodeJS.WritableStream,
  roots: string[],
  isExcluded: (path: string) => boolean,
  onSkip: (entry: SkippedPath) => void,
  signal: AbortSignal,
  estimate?: TarSizeEstimate,
  rootsOnly = false,
): Promise<void> {
  const write = (chunk: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const ok = stdin.write(chunk, (error) => (error ? reject(error) : undefined));
      if (ok) resolve();
      else stdin.once('drain', resolve);
    });
  const batch = new NameBatch();
  const paths = rootsOnly ? roots : walkFiles(roots, isExcluded, onSkip, signal);
  for await (const path of paths) {
    batch.add(path === '/' ? '.' : path.slice(1));
    if (estimate)
      await lstat(fsPath(path)).then(
        (stats) => estimate.add(stats),
        () => undefined,
      );
    if (batch.length > 64 * 1024) await write(batch.take());
  }
  if (batch.length > 0) await write(batch.take());
  estimate?.complete();
  stdin.end();
}

/** NUL-terminated names collected for one write: text while names are UTF-8, their bytes where they are not. */
class NameBatch {
  #parts: Buffer[] = [];
  #text = '';
  length = 0;

  add(name: string): void {
    const bytes = fsPath(name);
    if (typeof bytes === 'string') {
      this.#text += `${bytes}\0`;
    } else {
      if (this.#text) this.#parts.push(Buffer.from(this.#text, 'utf8'));
      this.#parts.push(bytes, NUL);
      this.#text = '';
    }
    this.length += name.length + 1;
  }

  take(): Buffer {
    if (this.#text) this.#parts.push(Buffer.from(this.#text, 'utf8'));
    const chunk = Buffer.concat(this.#parts);
    [this.#parts, this.#text, this.length] = [[], '', 0];
    return chunk;
  }
}

const NUL = Buffer.of(0);
