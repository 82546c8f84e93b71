// A backup run end to end through the in-memory destination (RunOptions.destination): real file trees,
// real tar and zstd, no S3 or MariaDB. Status, exit code, and the manifest written last.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load-config.js';
import type { Destination } from '../destinations/destination.js';
import { createMemoryDestination, type MemoryDestination } from '../destinations/memory-destination.js';
import { ExitCode } from '../shared/exit-codes.js';
import { silentLogger } from '../shared/logger.js';
import type { Manifest } from '../layout/manifest.js';
import { writeRun } from './write-run.js';

const NOW = new Date('2026-11-24T03:15:00Z');
const key = (asset: string) => `web/daily/2026-11-24/web-1/${asset}/20261124T031500Z.tar.zst`;
const MANIFEST = 'web/daily/2026-11-24/web-1/20261124T031500Z.manifest.json';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'run-backup-'));
  await mkdir(join(work, 'www/sub'), { recursive: true });
  await writeFile(join(work, 'www/index.html'), '<h1>hello</h1>\n');
  await writeFile(join(work, 'www/sub/data.bin'), Buffer.alloc(100_000, 7));
  await mkdir(join(work, 'docs'));
  await writeFile(join(work, 'docs/readme.txt'), 'read me\n');
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Assets `www` and `docs` (or the paths given), retention daily only, keys under `web/`. */
function config(paths: { www?: string; docs?: string } = {}) {
  const doc = {
    host: 'web-1',
    state_dir: join(work, 'state'),
    retention: { daily: 7 },
    destination: { type: 'local', path: join(work, 'never-used'), prefix: 'web/' },
    assets: [
      { name: 'www', type: 'files', paths: [paths.www ?? join(work, 'www')] },
      { name: 'docs', type: 'files', paths: [paths.docs ?? join(work, 'docs')] },
    ],
  };
  return parseConfig(stringify(doc), join(work, 'config.yml'), {});
}

/** Wraps `inner`, logging each write's start and end (`start <key>`, `stored <key>`, `failed <key>`) and calling `onStart`/`onStored`. */
function recorded(
  inner: Destination,
  hooks: { onStart?: (key: string) => void; onStored?: (key: string) => void } = {},
): Destination & { events: string[] } {
  const events: string[] = [];
  return {
    type: inner.type,
    locate: (k) => inner.locate(k),
    events,
    async write(k, body, options) {
      events.push(`start ${k}`);
      hooks.onStart?.(k);
      try {
        await inner.write(k, body, options);
      } catch (error) {
        events.push(`failed ${k}`);
        throw error;
      }
      events.push(`stored ${k}`);
      hooks.onStored?.(k);
    },
  };
}

const run = (
  destination: Destination,
  paths?: { www?: string; docs?: string },
  signal = new AbortController().signal,
) => writeRun(config(paths), { signal, logger: silentLogger, now: NOW, destination });

const manifestOf = (memory: MemoryDestination) =>
  JSON.parse(memory.objects.get(MANIFEST)!.body.toString('utf8')) as Manifest;

/** The file names in a stored .tar.zst, through the real zstd and tar. */
async function tarListing(body: Buffer): Promise<string[]> {
  const tar = await execa({ input: body, encoding: 'buffer' })`zstd -dc`;
  const list = await execa({ input: tar.stdout })`tar -t`;
  return list.stdout
    .split('\n')
    .filter((name) => !name.endsWith('/'))
    .sort();
}

describe('writeRun through the in-memory destination', () => {
  it('every asset stored: ok, exit 0, the manifest written after every artifact and recording their bytes', async () => {
    const memory = createMemoryDestination();
    const destination = recorded(memory);
    const report = await run(destination);

    expect(report).toMatchObject({ status: 'ok', exit_code: ExitCode.OK, manifest_key: MANIFEST });
    expect(destination.events).toEqual([
      `start ${key('www')}`,
      `stored ${key('www')}`,
      `start ${key('docs')}`,
      `stored ${key('docs')}`,
      `start ${MANIFEST}`,
      `stored ${MANIFEST}`,
    ]);
    expect([...memory.objects.keys()]).toEqual([key('www'), key('docs'), MANIFEST]);
    expect(await tarListing(memory.objects.get(key('www'))!.body)).toEqual([
      join(work, 'www/index.html').slice(1),
      join(work, 'www/sub/data.bin').slice(1),
    ]);

    const manifest = manifestOf(memory);
    expect(manifest).toMatchObject({ status: 'ok', host: 'web-1', tier: 'daily', run_id: report.run_id });
    for (const artifact of manifest.artifacts) {
      const stored = memory.objects.get(artifact.key)!.body;
      expect(artifact).toMatchObject({
        status: 'ok',
        bytes_stored: stored.length,
        sha256: createHash('sha256').update(stored).digest('hex'),
      });
    }
    expect(memory.objects.get(key('www'))!.contentType).toBe('application/zstd');
    expect(memory.objects.get(MANIFEST)!.contentType).toBe('application/json');
  });

  it('one asset fails: partial, exit 3, the manifest lists both and is written last', async () => {
    const memory = createMemoryDestination();
    const destination = recorded(memory);
    const report = await run(destination, { docs: join(work, 'missing') });

    expect(report).toMatchObject({ status: 'partial', exit_code: ExitCode.PARTIAL, manifest_key: MANIFEST });
    expect([...memory.objects.keys()]).toEqual([key('www'), MANIFEST]);
    expect(destination.events).toEqual([
      `start ${key('www')}`,
      `stored ${key('www')}`,
      `start ${MANIFEST}`,
      `stored ${MANIFEST}`,
    ]);
    const manifest = manifestOf(memory);
    expect(manifest.status).toBe('partial');
    expect(manifest.artifacts.map((a) => [a.asset, a.status])).toEqual([
      ['www', 'ok'],
      ['docs', 'failed'],
    ]);
    expect(manifest.artifacts[1]!.error).toMatch(/^files "docs": none of the paths can be read: .*missing/);
  });

  it('every asset fails: failed, exit 1, no manifest; existing backups are not overwritten', async () => {
    const memory = createMemoryDestination({ [key('www')]: 'older www', [key('docs')]: 'older docs' });
    const report = await run(memory);

    expect(report).toMatchObject({ status: 'failed', exit_code: ExitCode.FAILED });
    expect(report.manifest_key).toBeUndefined();
    expect(report.artifacts.map((a) => a.error)).toEqual([
      `files "www": refusing to overwrite existing backup memory://${key('www')}: an object already exists at this key`,
      `files "docs": refusing to overwrite existing backup memory://${key('docs')}: an object already exists at this key`,
    ]);
    expect([...memory.objects.keys()]).toEqual([key('www'), key('docs')]);
    expect(memory.objects.get(key('www'))!.body.toString()).toBe('older www');
  });

  it('the manifest cannot be written: failed, exit 1, the stored artifacts are reported as not recorded', async () => {
    const memory = createMemoryDestination({ [MANIFEST]: 'a manifest of another run' });
    const report = await run(memory);

    expect(report).toMatchObject({ status: 'failed', exit_code: ExitCode.FAILED });
    expect(report.manifest_key).toBeUndefined();
    expect(report.error).toContain(`manifest memory://${MANIFEST}: refusing to overwrite existing backup`);
    expect(report.error).toContain('the artifacts of this run are not recorded');
    expect([...memory.objects.keys()]).toEqual([MANIFEST, key('www'), key('docs')]);
  });

  it('interrupted after the first artifact: exit 130; the next asset is not started; the manifest of what finished is written last', async () => {
    const controller = new AbortController();
    const memory = createMemoryDestination();
    const destination = recorded(memory, {
      onStored: (k) => {
        if (k === key('www')) controller.abort();
      },
    });
    const report = await run(destination, {}, controller.signal);

    expect(report).toMatchObject({ status: 'interrupted', exit_code: ExitCode.INTERRUPTED, manifest_key: MANIFEST });
    expect(report.artifacts.map((a) => [a.asset, a.status])).toEqual([['www', 'ok']]);
    expect(destination.events).toEqual([
      `start ${key('www')}`,
      `stored ${key('www')}`,
      `start ${MANIFEST}`,
      `stored ${MANIFEST}`,
    ]);
    expect(manifestOf(memory)).toMatchObject({ status: 'interrupted', artifacts: [{ asset: 'www', status: 'ok' }] });
  });

  it('interrupted during the first artifact: exit 130, nothing stored, no manifest', async () => {
    const controller = new AbortController();
    const memory = createMemoryDestination();
    const destination = recorded(memory, { onStart: () => controller.abort() });
    const report = await run(destination, {}, controller.signal);

    expect(report).toMatchObject({ status: 'interrupted', exit_code: ExitCode.INTERRUPTED });
    expect(report.manifest_key).toBeUndefined();
    expect(report.artifacts).toMatchObject([
      { asset: 'www', status: 'failed', error: 'files "www": interrupted; the unfinished upload was abandoned' },
    ]);
    expect(destination.events).toEqual([`start ${key('www')}`, `failed ${key('www')}`]);
    expect(memory.objects.size).toBe(0);
  });
});
