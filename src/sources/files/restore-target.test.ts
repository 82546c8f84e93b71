import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stageTarget } from './restore-target.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'restore-target-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('stageTarget', () => {
  it('creates a missing target (0700) and removes it again on discard', async () => {
    const target = join(dir, 'new/deeper');
    const staged = await stageTarget(target, false);
    await writeFile(join(staged.staging, 'half'), 'x');
    expect((await lstat(target)).mode & 0o777).toBe(0o700);
    await staged.discard();
    expect(existsSync(target)).toBe(false);
  });

  it("removes a killed restore's staging dir first, so the target counts as empty again", async () => {
    await mkdir(join(dir, '.backup-agent-restore-2147483646-123-abcdef/srv'), { recursive: true });
    const staged = await stageTarget(dir, false);
    expect(await readdir(dir)).toEqual([staged.staging.split('/').pop()]);
    await staged.discard();
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a non-empty target without force, and keeps an existing target on discard', async () => {
    await writeFile(join(dir, 'mine'), 'keep');
    await expect(stageTarget(dir, false)).rejects.toMatchObject({ code: 'RESTORE_TARGET_NOT_EMPTY' });
    const staged = await stageTarget(dir, true);
    await writeFile(join(staged.staging, 'half'), 'x');
    await staged.discard();
    expect(await readdir(dir)).toEqual(['mine']);
  });

  it('commit merges directories and replaces a symlink at the destination instead of writing through it', async () => {
    const outside = join(dir, 'outside');
    const target = join(dir, 'target');
    await mkdir(outside);
    await mkdir(join(target, 'srv/keep'), { recursive: true });
    await symlink(outside, join(target, 'etc'));
    const staged = await stageTarget(target, true);
    await mkdir(join(staged.staging, 'srv/www'), { recursive: true });
    await writeFile(join(staged.staging, 'srv/www/index.html'), 'restored');
    await mkdir(join(staged.staging, 'etc'));
    await writeFile(join(staged.staging, 'etc/app.conf'), 'conf');
    await symlink('www/index.html', join(staged.staging, 'srv/link'));
    await staged.commit();
    expect((await readdir(target)).sort()).toEqual(['etc', 'srv']);
    expect((await readdir(join(target, 'srv'))).sort()).toEqual(['keep', 'link', 'www']);
    expect(await readFile(join(target, 'srv/www/index.html'), 'utf8')).toBe('restored');
    expect(await readlink(join(target, 'srv/link'))).toBe('www/index.html');
    expect((await lstat(join(target, 'etc'))).isDirectory()).toBe(true);
    expect(await readdir(outside)).toEqual([]);
  });
});
