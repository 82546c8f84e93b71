// Files that others read while we write them (last-run.json, the metrics textfile) are replaced
// whole: a reader sees the old file or the new one, never half of one.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Writes `text` to `path` via a temp file in the same directory and rename(2). */
export async function writeAtomically(path: string, text: string, mode = 0o644): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, text, { mode });
  // The umask (systemd's UMask=0077) narrows `mode`; readers such as node_exporter need it exact.
  await chmod(temp, mode);
  await rename(temp, path);
}
