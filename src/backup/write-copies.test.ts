// Two local destinations end to end through writeRun (real tar and zstd): both get the same bytes and
// a manifest of their own; a broken one makes the run partial (exit 3) naming it, the other complete.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { parseConfig } from '../config/load-config.js';
import type { Destination } from '../destinations/destination.js';
import { createFanOutDestination } from '../destinations/fan-out-destination.js';
import { createMemoryDestination } from '../destinations/memory-destination.js';
import { newRecord } from '../layout/manifest.js';
import type { RunReport } from '../notify/run-report.js';
import { BackupError } from '../shared/backup-error.js';
import { NO_ENCRYPTION } from '../transforms/encryptor-plan.js';
import type { Manifest } from '../layout/manifest.js';
import { ExitCode } from '../shared/exit-codes.js';
import { silentLogger } from '../shared/logger.js';
import { writeManifests } from './write-copies.js';
import { writeRun } from './write-run.js';

const NOW = new Date('2026-11-24T03:15:00Z');
let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'write-copies-'));
  await mkdir(join(work, 'www'));
  await writeFile(join(work, 'www/index.html'), '<h1>hello</h1>\n'.repeat(1000));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

function config(farPath: string) {
  const doc = {
    host: 'web-1',
    state_dir: join(work, 'state'),
    retention: { daily: 7 },
    destinations: [
      { name: 'near', type: 'local', path: join(work, 'near'), prefix: 'web/' },
      { name: 'far', type: 'local', path: farPath, prefix: 'copy/' },
    ],
    assets: [{ name: 'www', type: 'files', paths: [join(work, 'www')] }],
  };
  return parseConfig(stringify(doc), join(work, 'config.yml'), {});
}

const run = (farPath: string) =>
  writeRun(config(farPath), { signal: new AbortController().signal, logger: silentLogger, now: NOW });

async function manifestAt(root: string, key: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(root, key), 'utf8')) as Manifest;
}

describe('writeRun with two destinations', () => {
  it('stores the same bytes at both, each with its own manifest of its own keys', async () => {
    const report = await run(join(work, 'far'));
    expect([report.status, report.exit_code]).toEqual(['ok', ExitCode.OK]);
    const [near, far] = report.destinations ?? [];
    expect([near?.name, far?.name]).toEqual(['near', 'far']);
    const nearManifest = await manifestAt(join(work, 'near'), near?.manifest_key ?? '');
    const farManifest = await manifestAt(join(work, 'far'), far?.manifest_key ?? '');
    const [a] = nearManifest.artifacts;
    const [b] = farManifest.artifacts;
    expect(a?.key).toBe('web/daily/2026-11-24/web-1/www/20261124T031500Z.tar.zst');
    expect(b?.key).toBe('copy/daily/2026-11-24/web-1/www/20261124T031500Z.tar.zst');
    const [x, y] = await Promise.all([
      readFile(join(work, 'near', a?.key ?? '')),
      readFile(join(work, 'far', b?.key ?? '')),
    ]);
    expect(x.equals(y)).toBe(true);
    expect(b?.sha256).toBe(a?.sha256);
  });

  it('one destination broken: partial, exit 3, its name and cause in the error; the other is complete', async () => {
    const report = await run('/dev/null/far');
    expect([report.status, report.exit_code]).toEqual(['partial', ExitCode.PARTIAL]);
    expect(report.error).toMatch(
      /^destination "far" failed \(1 artifact\(s\) missing\): \/dev\/null\/far\/copy\/.*ENOTDIR/,
    );
    const [near, far] = report.destinations ?? [];
    expect(far).toMatchObject({ status: 'failed', missing: 1 });
    expect(far?.manifest_key).toBeUndefined();
    expect(near).toMatchObject({ status: 'ok', missing: 0 });
    const manifest = await manifestAt(join(work, 'near'), near?.manifest_key ?? '');
    expect(manifest.status).toBe('ok');
    expect(manifest.artifacts.map((a) => a.status)).toEqual(['ok']);
  });
});

describe('writeManifests', () => {
  it('a destination that missed one of two artifacts: its manifest lists it failed with the cause, the run is partial', async () => {
    const good = createMemoryDestination();
    const inner = createMemoryDestination();
    // Refuses the `db` artifact only, as a full disk or a denied prefix would.
    const picky: Destination = {
      type: 'memory',
      locate: (key) => `picky://${key}`,
      write: (key, body, options) =>
        key.includes('/db/')
          ? Promise.reject(new BackupError('DESTINATION_DENIED', `picky://${key}: access denied`))
          : inner.write(key, body, options),
    };
    const fanOut = createFanOutDestination(
      [
        { name: 'main', destination: good, prefix: 'a/' },
        { name: 'copy', destination: picky, prefix: 'b/' },
      ],
      { lagTimeoutMs: 5_000, logger: silentLogger },
    );
    const signal = new AbortController().signal;
    const records = await Promise.all(
      ['www', 'db'].map(async (asset) => {
        const key = `a/daily/2026-11-24/web-1/${asset}/20261124T031500Z.tar.zst`;
        await fanOut.write(key, Readable.from([Buffer.from(asset)]), { signal, contentType: 'application/zstd' });
        const record = newRecord({ asset, type: 'files', key, location: fanOut.locate(key), compression: 'zstd' });
        return { ...record, status: 'ok' as const, bytes_stored: asset.length, sha256: 'x' };
      }),
    );
    const report: RunReport = {
      ...{ run_id: 'r1', host: 'web-1', tier: 'daily', started_at: NOW.toISOString(), finished_at: '' },
      ...{ dry_run: false, status: 'failed', exit_code: ExitCode.FAILED, artifacts: records, notes: [] },
    };
    const ctx = {
      prefix: 'a/',
      tier: 'daily' as const,
      day: '2026-11-24',
      stamp: '20261124T031500Z',
      host: 'web-1',
      randomize: false,
    };
    await writeManifests(report, ctx, { destination: fanOut, fanOut }, NO_ENCRYPTION, signal, silentLogger);
    expect([report.status, report.exit_code]).toEqual(['partial', ExitCode.PARTIAL]);
    expect(report.error).toBe(
      'destination "copy" partial (1 artifact(s) missing): picky://b/daily/2026-11-24/web-1/db/20261124T031500Z.tar.zst: access denied',
    );
    const copy = JSON.parse(
      inner.objects.get('b/daily/2026-11-24/web-1/20261124T031500Z.manifest.json')?.body.toString() ?? '{}',
    ) as Manifest;
    expect(copy.status).toBe('partial');
    expect(copy.artifacts.map((a) => [a.key, a.status])).toEqual([
      ['b/daily/2026-11-24/web-1/www/20261124T031500Z.tar.zst', 'ok'],
      ['b/daily/2026-11-24/web-1/db/20261124T031500Z.tar.zst', 'failed'],
    ]);
    expect(copy.artifacts[1]?.error).toMatch(/^destination "copy": picky:\/\/.*access denied$/);
    const main = JSON.parse(
      good.objects.get('a/daily/2026-11-24/web-1/20261124T031500Z.manifest.json')?.body.toString() ?? '{}',
    ) as Manifest;
    expect(main.status).toBe('ok');
  });
});
