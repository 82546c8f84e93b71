import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, opendir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { displayFileName, fsPath } from './file-names.js';
import type { SkippedPath } from '../source.js';
import { createExcluder, describeFsError, walkFiles } from './walk-files.js';

describe('createExcluder', () => {
  const isExcluded = createExcluder(['**/*.log', '**/node_modules/**', '*.tmp', '/x/cache']);

  it('excludes nothing without patterns', () => {
    expect(createExcluder([])('/srv/app/a.log')).toBe(false);
  });

  it('matches ** globs against absolute paths, including dotfiles', () => {
    expect(isExcluded('/var/log/syslog.log')).toBe(true);
    expect(isExcluded('/a.log')).toBe(true);
    expect(isExcluded('/srv/.hidden.log')).toBe(true);
    expect(isExcluded('/var/log/syslog.log.1')).toBe(false);
    expect(isExcluded('/var/log')).toBe(false);
  });

  it('matches a node_modules directory itself, so the walk never descends into it', () => {
    expect(isExcluded('/srv/app/node_modules')).toBe(true);
    expect(isExcluded('/srv/app/node_modules_backup')).toBe(false);
  });

  it('matches a pattern without a slash against base names at any depth', () => {
    expect(isExcluded('/srv/app/upload.tmp')).toBe(true);
    expect(isExcluded('/x.tmp')).toBe(true);
    expect(isExcluded('/srv/app/upload.tmp.keep')).toBe(false);
  });

  it('matches an absolute pattern only at that absolute path', () => {
    expect(isExcluded('/x/cache')).toBe(true);
    expect(isExcluded('/y/x/cache')).toBe(false);
    expect(isExcluded('/x/cached')).toBe(false);
  });

  it('matches a pattern starting with / against the whole path (wildcards included)', () => {
    const inDir = createExcluder(['/srv/cache/*', '/srv/tmp/**']);
    expect(inDir('/srv/cache/f')).toBe(true);
    expect(inDir('/srv/cache/sub/f')).toBe(false);
    expect(inDir('/srv/tmp/a/b')).toBe(true);
    expect(inDir('/other/cache/f')).toBe(false);
  });

  it('never excludes a path for the directories above it unless the pattern starts with /', () => {
    // A configured path inside node_modules (or /var/cache with **/cache/**) is still backed up.
    expect(isExcluded('/opt/lib/node_modules/app/systemd')).toBe(false);
    expect(isExcluded('/opt/lib/node_modules/app/systemd/unit.timer')).toBe(false);
  });
});

describe('walkFiles', () => {
  let root: string;
  let skipped: SkippedPath[];
  const signal = new AbortController().signal;
  const walk = async (roots: string[], isExcluded = createExcluder([])) => {
    const paths: string[] = [];
    for await (const path of walkFiles(roots, isExcluded, (skip) => skipped.push(skip), signal)) paths.push(path);
    return paths;
  };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'walk-files-'));
    skipped = [];
    await mkdir(join(root, 'b/deep'), { recursive: true });
    await mkdir(join(root, 'a'));
    await mkdir(join(root, 'app/node_modules/pkg'), { recursive: true });
    await writeFile(join(root, 'b/deep/z.txt'), 'z');
    await writeFile(join(root, 'b/deep/x.log'), 'x');
    await writeFile(join(root, 'a/1.txt'), '1');
    await writeFile(join(root, 'app/node_modules/pkg/index.js'), '');
    await writeFile(join(root, 'c.tmp'), '');
    await writeFile(join(root, '.env'), 'SECRET=1');
    await symlink(join(root, 'b'), join(root, 'link-to-b'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('yields the root first, then entries depth-first sorted by name, without following symlinks', async () => {
    const rel = (await walk([root])).map((p) => p.slice(root.length) || '/');
    expect(rel).toEqual([
      '/',
      '/.env',
      '/a',
      '/a/1.txt',
      '/app',
      '/app/node_modules',
      '/app/node_modules/pkg',
      '/app/node_modules/pkg/index.js',
      '/b',
      '/b/deep',
      '/b/deep/x.log',
      '/b/deep/z.txt',
      '/c.tmp',
      '/link-to-b', // the link itself, not what it points to
    ]);
    expect(skipped).toEqual([]);
  });

  it('leaves out excluded paths and never descends into excluded directories', async () => {
    const descended: string[] = [];
    const isExcluded = createExcluder(['**/*.log', '**/node_modules/**', '*.tmp']);
    const spy = (path: string) => {
      descended.push(path);
      return isExcluded(path);
    };
    const rel = (await walk([root], spy)).map((p) => p.slice(root.length) || '/');
    expect(rel).toEqual(['/', '/.env', '/a', '/a/1.txt', '/app', '/b', '/b/deep', '/b/deep/z.txt', '/link-to-b']);
    expect(descended.some((p) => p.includes('/node_modules/'))).toBe(false);
  });

  it('skips an excluded root entirely', async () => {
    expect(await walk([join(root, 'a'), join(root, 'c.tmp')], createExcluder(['*.tmp']))).toEqual([
      join(root, 'a'),
      join(root, 'a/1.txt'),
    ]);
  });

  it('yields a root that is a file once, without reporting it', async () => {
    expect(await walk([join(root, 'a/1.txt'), join(root, 'a')])).toEqual([
      join(root, 'a/1.txt'),
      join(root, 'a'),
      join(root, 'a/1.txt'),
    ]);
    expect(skipped).toEqual([]);
  });

  it('reports a missing root and carries on with the next one', async () => {
    const missing = join(root, 'gone');
    const paths = await walk([missing, join(root, 'a')]);
    expect(skipped).toEqual([{ path: missing, reason: 'no such file or directory' }]);
    expect(paths.slice(-2)).toEqual([join(root, 'a'), join(root, 'a/1.txt')]);
  });

  it('reports a directory that disappears during the walk and carries on', async () => {
    const vanishing = join(root, 'b/deep');
    const removeWhenSeen = (path: string) => {
      if (path === vanishing) rmSync(vanishing, { recursive: true });
      return false;
    };
    const rel = (await walk([join(root, 'b'), join(root, 'a')], removeWhenSeen)).map((p) => p.slice(root.length));
    expect(rel).toEqual(['/b', '/b/deep', '/a', '/a/1.txt']);
    expect(skipped).toEqual([{ path: vanishing, reason: 'no such file or directory' }]);
  });

  it('yields names that are not UTF-8 byte for byte (fsPath finds them) and excludes them by \\xHH', async () => {
    const latin1 = Buffer.concat([Buffer.from(`${root}/a/caf`), Buffer.of(0xe9), Buffer.from('.txt')]);
    const dir = Buffer.concat([Buffer.from(`${root}/a/dir`), Buffer.of(0xff)]);
    await writeFile(latin1, 'latin-1');
    await mkdir(dir);
    await writeFile(Buffer.concat([dir, Buffer.from('/inner')]), 'x');
    const paths = (await walk([join(root, 'a')])).map((p) => p.slice(root.length));
    expect(paths.map(displayFileName)).toEqual([
      '/a',
      '/a/1.txt',
      '/a/caf\\xe9.txt',
      '/a/dir\\xff',
      '/a/dir\\xff/inner',
    ]);
    expect(await readFile(fsPath(join(root, paths[2]!)), 'utf8')).toBe('latin-1');
    expect(skipped).toEqual([]);
    const kept = await walk([join(root, 'a')], createExcluder(['caf\\xe9.txt', `${root}/a/dir\\xff`]));
    expect(kept.map((p) => p.slice(root.length))).toEqual(['/a', '/a/1.txt']);
  });

  it('stops with the abort reason when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('interrupted by SIGTERM'));
    const walking = walkFiles([root], createExcluder([]), () => undefined, controller.signal);
    expect(await walking.next()).toEqual({ done: false, value: root });
    await expect(walking.next()).rejects.toThrow('interrupted by SIGTERM');
  });
});

describe('describeFsError', () => {
  const fsError = async (make: () => Promise<unknown>) =>
    make().then(
      () => {
        throw new Error('expected a failure');
      },
      (e: unknown) => e,
    );

  it('names common causes in plain words', async () => {
    expect(describeFsError(await fsError(() => opendir('/nonexistent/dir')))).toBe('no such file or directory');
    expect(describeFsError(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }))).toBe(
      'permission denied',
    );
    expect(describeFsError(Object.assign(new Error('EPERM: operation not permitted'), { code: 'EPERM' }))).toBe(
      'permission denied',
    );
  });

  it('describes a symlink loop', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'walk-loop-'));
    await symlink(join(dir, 'loop'), join(dir, 'loop'));
    expect(describeFsError(await fsError(() => opendir(join(dir, 'loop'))))).toBe('too many levels of symbolic links');
    await rm(dir, { recursive: true });
  });

  it('keeps code and message of anything else', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'walk-notdir-'));
    await writeFile(join(dir, 'file'), '');
    const error = await fsError(() => opendir(join(dir, 'file')));
    expect(describeFsError(error)).toMatch(/^ENOTDIR: ENOTDIR: not a directory/);
    expect(describeFsError(new Error('boom'))).toBe('boom');
    await rm(dir, { recursive: true });
  });
});
