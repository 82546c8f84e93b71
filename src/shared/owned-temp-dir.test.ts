import { chown, mkdir, mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOwnedTempDir, sweepOwnedTempDirs } from './owned-temp-dir.js';
import { processStart } from './process-identity.js';

let parent: string;
beforeEach(async () => {
  parent = await mkdtemp(join(tmpdir(), 'owned-temp-'));
});
afterEach(async () => {
  await rm(parent, { recursive: true, force: true });
});

describe('owned temp dirs', () => {
  it('names a dir after this process; the sweep keeps it and those of other live processes', async () => {
    const mine = await createOwnedTempDir(parent, 'ba-');
    expect(mine).toMatch(new RegExp(`/ba-${process.pid}-${processStart(process.pid)}-\\w{6}$`));
    const other = execa('sleep', ['30'], { reject: false });
    try {
      const theirs = join(parent, `ba-${other.pid}-${processStart(other.pid!)}-abcdef`);
      await mkdir(theirs);
      expect(await sweepOwnedTempDirs(parent, 'ba-')).toEqual([]);
      expect((await readdir(parent)).sort()).toEqual([mine.split('/').pop(), theirs.split('/').pop()].sort());
    } finally {
      other.kill('SIGKILL');
      await other;
    }
  });

  it('removes the dirs of dead processes and of a reused PID, saying why; leaves other names and other users alone', async () => {
    await mkdir(join(parent, 'ba-2147483646-123-abcdef'));
    await mkdir(join(parent, `ba-${process.pid}-1-ghijkl`)); // our PID, an earlier process (container restart)
    await mkdir(join(parent, 'ba-mariadb-abcdef'));
    await mkdir(join(parent, 'other-2147483646-1-abcdef'));
    const foreign = join(parent, 'ba-2147483645-1-zzzzzz');
    await mkdir(foreign);
    if (process.getuid?.() === 0) await chown(foreign, 65534, 65534);
    const removed = await sweepOwnedTempDirs(parent, 'ba-');
    expect(removed).toEqual(
      expect.arrayContaining([
        { path: join(parent, 'ba-2147483646-123-abcdef'), reason: 'PID 2147483646 is not running' },
        {
          path: join(parent, `ba-${process.pid}-1-ghijkl`),
          reason: `PID ${process.pid} is this process, which started later (an earlier process had the same PID, e.g. before a container restart)`,
        },
      ]),
    );
    expect(removed).toHaveLength(process.getuid?.() === 0 ? 2 : 3);
    expect(await readdir(parent)).toEqual(expect.arrayContaining(['ba-mariadb-abcdef', 'other-2147483646-1-abcdef']));
  });

  it('removes unnamed dirs of earlier versions only when over a day old', async () => {
    await mkdir(join(parent, 'ba-Abc123'));
    await mkdir(join(parent, 'ba-Old123'));
    const old = new Date(Date.now() - 25 * 3_600_000);
    await utimes(join(parent, 'ba-Old123'), old, old);
    expect(await sweepOwnedTempDirs(parent, 'ba-')).toEqual([]);
    expect(await sweepOwnedTempDirs(parent, 'ba-', { unnamed: true })).toEqual([
      { path: join(parent, 'ba-Old123'), reason: 'left by an earlier version over a day ago' },
    ]);
    expect(await readdir(parent)).toEqual(['ba-Abc123']);
  });
});
