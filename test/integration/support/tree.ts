// Builds a small server-like tree with modes, mtimes, symlinks and empty dirs, and describes trees for comparison.
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, readlink, symlink, utimes, writeFile, chmod } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** Creates the fixture tree under `root` and returns it. */
export async function makeTree(root: string): Promise<string> {
  const mtime = new Date('2024-02-29T12:34:56Z');
  await mkdir(join(root, 'www/html/assets'), { recursive: true });
  await mkdir(join(root, 'www/empty-dir'), { recursive: true });
  await mkdir(join(root, 'www/logs'), { recursive: true });
  await writeFile(join(root, 'www/html/index.html'), '<h1>hello</h1>\n'.repeat(100));
  await writeFile(
    join(root, 'www/html/assets/app.bin'),
    Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256)),
  );
  await writeFile(join(root, 'www/html/ünï cödé.txt'), 'utf-8 name\n');
  await writeFile(join(root, 'www/run.sh'), '#!/bin/sh\necho hi\n');
  await chmod(join(root, 'www/run.sh'), 0o750);
  await writeFile(join(root, 'www/secret.conf'), 'x=1\n');
  await chmod(join(root, 'www/secret.conf'), 0o600);
  await writeFile(join(root, 'www/logs/access.log'), 'GET /\n'.repeat(1000));
  await symlink('html/index.html', join(root, 'www/current'));
  await symlink('/nonexistent/target', join(root, 'www/dangling'));
  for (const file of ['www/html/index.html', 'www/run.sh', 'www/secret.conf', 'www/html/assets/app.bin']) {
    await utimes(join(root, file), mtime, mtime);
  }
  return root;
}

export interface Entry {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode: string;
  mtime?: number;
  content?: string;
}

/** Lists every entry under `root` with type, mode, mtime (seconds) and a content hash or link target. */
export async function describeTree(root: string): Promise<Entry[]> {
  const out: Entry[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      const stats = await lstat(path);
      const rel = relative(root, path);
      const mode = (stats.mode & 0o7777).toString(8);
      if (stats.isSymbolicLink()) out.push({ path: rel, type: 'symlink', mode: 'link', content: await readlink(path) });
      else if (stats.isDirectory()) {
        out.push({ path: rel, type: 'dir', mode });
        await walk(path);
      } else {
        const content = createHash('sha256')
          .update(await readFile(path))
          .digest('hex');
        out.push({ path: rel, type: 'file', mode, mtime: Math.floor(stats.mtimeMs / 1000), content });
      }
    }
  };
  await walk(root);
  return out;
}
