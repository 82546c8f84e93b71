import { appendFile, mkdtemp, rm, writeFile, mkdir, lstat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarCreateArgs } from './plan-files.js';
import { TarSizeEstimate } from './tar-size.js';

describe('TarSizeEstimate', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tar-size-'));
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'a'), Buffer.alloc(3_000_000, 1));
    await writeFile(join(dir, 'sub/b'), 'x'.repeat(100));
    await writeFile(join(dir, 'empty'), '');
    // Sparse: a 64 MiB hole, then 64 KiB of data (tar --sparse stores a map and the data only).
    await execa('truncate', ['-s', '64M', join(dir, 'sparse')]);
    await appendFile(join(dir, 'sparse'), Buffer.alloc(65_536, 7));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("predicts the size of the archive GNU tar writes in the agent's format", async () => {
    const paths = [dir, join(dir, 'a'), join(dir, 'empty'), join(dir, 'sparse'), join(dir, 'sub'), join(dir, 'sub/b')];
    const estimate = new TarSizeEstimate();
    expect(estimate.total()).toBeUndefined();
    for (const path of paths) estimate.add(await lstat(path));
    estimate.complete();
    const args = tarCreateArgs({ xattrs: true, acls: true }).filter((a) => a !== '--totals');
    const { stdout } = await execa('tar', args, {
      input: paths.map((p) => `${p.slice(1)}\0`).join(''),
      encoding: 'buffer',
    });
    expect(estimate.total()).toBe(stdout.length);
  });
});
