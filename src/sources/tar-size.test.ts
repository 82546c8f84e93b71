import { mkdtemp, rm, writeFile, mkdir, lstat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TarSizeEstimate } from './tar-size.js';

describe('TarSizeEstimate', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tar-size-'));
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'a'), Buffer.alloc(3_000_000, 1));
    await writeFile(join(dir, 'sub/b'), 'x'.repeat(100));
    await writeFile(join(dir, 'empty'), '');
  });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('predicts the size of the archive GNU tar writes in the agent\'s format', async () => {
    const paths = [dir, join(dir, 'a'), join(dir, 'empty'), join(dir, 'sub'), join(dir, 'sub/b')];
    const estimate = new TarSizeEstimate();
    expect(estimate.total()).toBeUndefined();
    for (const path of paths) estimate.add(await lstat(path));
    estimate.complete();
    const { stdout } = await execa('tar', [
      '--create', '--file=-', '--directory=/', '--format=posix', '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
      '--no-recursion', '--null', '--files-from=-',
    ], { input: paths.map((p) => `${p.slice(1)}\0`).join(''), encoding: 'buffer' });
    expect(estimate.total()).toBe(stdout.length);
  });
});
