// Local directory destination: same key layout as S3, written atomically and never overwritten.
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { link, mkdir, open, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BackupError } from '../shared/backup-error.js';
import type { LocalDestinationConfig } from '../config/schema.js';
import type { Destination, WriteOptions } from './destination.js';

/** Creates the local destination rooted at `config.path`. */
export function createLocalDestination(config: LocalDestinationConfig): Destination {
  const locate = (key: string) => join(config.path, key);
  return {
    type: 'local',
    locate,
    async write(key: string, body: Readable, options: WriteOptions): Promise<void> {
      const target = locate(key);
      const dir = dirname(target);
      // Hidden temp name in the same directory, so the final link(2) is atomic and cannot overwrite.
      const temp = join(dir, `.${basename(target)}.partial-${randomBytes(6).toString('hex')}`);
      let file: WriteStream | undefined;
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        file = createWriteStream(temp, { flags: 'wx', mode: 0o600 });
        await pipeline(body, file, { signal: options.signal });
        await syncPath(temp);
        await link(temp, target);
        await syncPath(dir);
      } catch (error) {
        if (!body.destroyed) body.destroy();
        throw explainLocalError(error, target, body);
      } finally {
        // A stream destroyed while still opening creates its file afterwards: unlink once it has closed.
        if (file && !file.closed) await once(file, 'close').catch(() => undefined);
        await unlink(temp).catch(() => undefined);
      }
    },
  };
}

async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function explainLocalError(error: unknown, target: string, body: Readable): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  // The body's own error (the source's cause) passes through unchanged.
  if (body.errored === error || (error as Error).name === 'AbortError') return body.errored ?? error;
  if (code === 'EEXIST')
    return new BackupError(
      'DESTINATION_EXISTS',
      `refusing to overwrite existing backup ${target}: a file already exists at this path`,
      { cause: error },
    );
  if (code === 'EACCES' || code === 'EPERM')
    return new BackupError(
      'DESTINATION_DENIED',
      `${target}: permission denied writing the backup: check destination.path ownership`,
      { cause: error },
    );
  if (code === 'ENOSPC')
    return new BackupError('DESTINATION_FAILED', `${target}: no space left on device`, { cause: error });
  return new BackupError('DESTINATION_FAILED', `${target}: write failed: ${(error as Error).message}`, {
    cause: error,
  });
}
