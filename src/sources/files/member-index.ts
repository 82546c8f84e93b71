// Counts the members tar really wrote into an archive: tar's verbose listing goes to an index file of
// its own (`--index-file`, one escaped name per line), never into stderr, where a crafted file name
// could pass for one of tar's messages. The count goes into the manifest (`contents.members`) for drills.
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The index of one archive being written. */
export interface MemberIndex {
  /** tar's arguments that write the listing into the index. */
  args: string[];
  /** Lines in the index once tar exited (each member one line: names are escaped); undefined if it cannot be read. Removes the index. */
  count(): number | undefined;
  /** Removes the index without counting. */
  remove(): void;
}

/** Creates the index file in a private directory (0700) under the temp dir. */
export function createMemberIndex(): MemberIndex {
  const dir = mkdtempSync(join(tmpdir(), 'backup-agent-tar-index-'));
  const path = join(dir, 'members');
  const remove = () => rmSync(dir, { recursive: true, force: true });
  return {
    args: ['--verbose', `--index-file=${path}`],
    count() {
      try {
        return countLines(path);
      } catch {
        return undefined;
      } finally {
        remove();
      }
    },
    remove,
  };
}

/** Counts newlines 1 MiB at a time (an index of a million files is tens of MiB: never read whole). */
function countLines(path: string): number {
  const fd = openSync(path, 'r');
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  let lines = 0;
  try {
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) {
      for (let at = buffer.indexOf(0x0a); at >= 0 && at < n; at = buffer.indexOf(0x0a, at + 1)) lines++;
    }
  } finally {
    closeSync(fd);
  }
  return lines;
}
