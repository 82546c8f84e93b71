import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackupError } from '../shared/backup-error.js';
import type { Destination } from './destination.js';
import { createLocalDestination } from './local-destination.js';

const key = 'daily/2026-11-22/host/www/20261122T031500Z.tar.zst';
let root: string;
let destination: Destination;
const options = () => ({ signal: new AbortController().signal, contentType: 'application/zstd' });

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'local-dest-'));
  destination = createLocalDestination({ type: 'local', path: root, prefix: '' });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Waits until the destination's hidden temp file for `key` exists and has `bytes` bytes. */
async function waitForPartial(bytes: number): Promise<string> {
  const dir = dirname(join(root, key));
  for (let i = 0; i < 500; i += 1) {
    const names = existsSync(dir) ? await readdir(dir) : [];
    const partial = names.find((name) => name.includes('.partial-'));
    if (partial && (await stat(join(dir, partial))).size === bytes) return join(dir, partial);
    await sleep(10);
  }
  throw new Error('no partial file appeared');
}

describe('local destination', () => {
  it('locates keys under its path', () => {
    expect(destination.locate(key)).toBe(join(root, key));
  });

  it('stores the bytes at the key, creating directories, with mode 0600', async () => {
    await destination.write(key, Readable.from([Buffer.from('hello '), Buffer.from('world')]), options());
    const target = join(root, key);
    expect(await readFile(target, 'utf8')).toBe('hello world');
    expect((await stat(target)).mode & 0o777).toBe(0o600);
    expect(await readdir(dirname(target))).toEqual(['20261122T031500Z.tar.zst']);
  });

  it('shows nothing at the final path until the body has ended', async () => {
    const body = new PassThrough();
    const written = destination.write(key, body, options());
    body.write('first half ');
    await waitForPartial(11);
    expect(existsSync(join(root, key))).toBe(false);

    body.end('second half');
    await written;
    expect(await readFile(join(root, key), 'utf8')).toBe('first half second half');
    expect(await readdir(dirname(join(root, key)))).toEqual(['20261122T031500Z.tar.zst']);
  });

  it('never overwrites an existing backup', async () => {
    const target = join(root, key);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, 'the older backup');

    const error = await destination
      .write(key, Readable.from([Buffer.from('new bytes')]), options())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackupError);
    expect((error as BackupError).code).toBe('DESTINATION_EXISTS');
    expect((error as BackupError).message).toContain(`refusing to overwrite existing backup ${target}`);
    expect(await readFile(target, 'utf8')).toBe('the older backup');
    expect(await readdir(dirname(target))).toEqual(['20261122T031500Z.tar.zst']);
  });

  it("rejects with the body's own error and leaves no file behind", async () => {
    const body = new PassThrough();
    const written = destination.write(key, body, options());
    body.write('half a tar stream');
    await waitForPartial(17);

    const cause = new Error('tar exited 2: Cannot open: permission denied');
    body.destroy(cause);
    await expect(written).rejects.toBe(cause);
    expect(await readdir(dirname(join(root, key)))).toEqual([]);
  });

  it("rejects with the body's error even when it fails before any byte", async () => {
    const cause = new Error('mysqldump exited 2');
    const body = new Readable({
      read() {
        this.destroy(cause);
      },
    });
    await expect(destination.write(key, body, options())).rejects.toBe(cause);
    expect(await readdir(dirname(join(root, key)))).toEqual([]);
  });

  it('stops on abort and leaves no file behind', async () => {
    const controller = new AbortController();
    const body = new PassThrough();
    const written = destination.write(key, body, { signal: controller.signal, contentType: 'application/zstd' });
    body.write('some bytes');
    await waitForPartial(10);

    controller.abort();
    await expect(written).rejects.toMatchObject({ name: 'AbortError' });
    expect(body.destroyed).toBe(true);
    expect(await readdir(dirname(join(root, key)))).toEqual([]);
  });
});
