// The read side of the local destination: the same key layout under a directory, read with plain file calls.
import { createReadStream } from 'node:fs';
import { open as openFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { BackupError } from '../shared/backup-error.js';
import type { BackupStore, ListOptions, StoredObject } from './backup-store.js';

/** The local destination's temp files (`.NAME.partial-HEX`), never listed: they are unfinished writes. */
const PARTIAL = /^\..*\.partial-[0-9a-f]{12}$/;

/** Creates the store reading `root` (the local destination's `path`). */
export function createLocalStore(root: string): BackupStore {
  const locate = (key: string) => join(root, ...key.split('/'));
  return {
    type: 'local',
    locate,
    async *list(prefix: string, options: ListOptions): AsyncIterable<StoredObject> {
      const dirKey = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/') + 1) : '';
      const found: StoredObject[] = [];
      await walk(root, dirKey, found, options.signal);
      const after = options.startAfter === undefined ? undefined : Buffer.from(options.startAfter);
      const keys = found
        .filter(
          (o) => o.key.startsWith(prefix) && (after === undefined || Buffer.compare(Buffer.from(o.key), after) > 0),
        )
        .sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
      yield* keys;
    },
    async stat(key: string): Promise<StoredObject> {
      try {
        const stats = await stat(locate(key));
        if (!stats.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
        return { key, size: stats.size };
      } catch (error) {
        throw explainLocalReadError(error, locate(key));
      }
    },
    async open(key: string, signal: AbortSignal): Promise<Readable> {
      const path = locate(key);
      try {
        // Opened first so that a missing or unreadable file fails here, not midway through a stream.
        const handle = await openFile(path, 'r');
        return createReadStream('', { fd: handle, signal, highWaterMark: 1024 * 1024 });
      } catch (error) {
        throw explainLocalReadError(error, path);
      }
    },
  };
}

async function walk(root: string, dirKey: string, out: StoredObject[], signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  const dir = join(root, ...dirKey.split('/').filter(Boolean));
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && dirKey !== '') return;
    throw explainLocalReadError(error, dir);
  }
  for (const entry of entries) {
    if (entry.isDirectory()) await walk(root, `${dirKey}${entry.name}/`, out, signal);
    else if (entry.isFile() && !PARTIAL.test(entry.name)) {
      const key = `${dirKey}${entry.name}`;
      out.push({ key, size: (await stat(join(dir, entry.name))).size });
    }
  }
}

function explainLocalReadError(error: unknown, path: string): BackupError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return new BackupError('DESTINATION_NOT_FOUND', `${path}: no such file or directory`, { cause: error });
  if (code === 'EACCES' || code === 'EPERM')
    return new BackupError(
      'DESTINATION_DENIED',
      `${path}: permission denied reading it (run as a user that can read destination.path)`,
      { cause: error },
    );
  return new BackupError('DESTINATION_FAILED', `${path}: cannot read: ${(error as Error).message}`, { cause: error });
}
