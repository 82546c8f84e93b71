// Retention on a local destination: real runs (tar, zstd, the local directory) written at set dates
// across tiers, then a run that prunes exactly the expired ones; a partial run prunes nothing; the
// newest complete backup of an asset stays however old; `run --dry-run` lists; failures are warnings.
import { chmod, chown, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { writeRun } from '../../src/backup/write-run.js';
import { parseConfig } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/schema.js';
import { createLocalDestination } from '../../src/destinations/local-destination.js';
import { silentLogger } from '../../src/shared/logger.js';
import { BIN, runCli } from './support/cli.js';
import { requireTool } from './support/require-tool.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ba-retention-'));
  await chmod(work, 0o755);
  for (const name of ['www', 'db', 'legacy']) {
    await mkdir(join(work, 'data', name), { recursive: true });
    await writeFile(join(work, 'data', name, 'file.txt'), `${name}\n`);
  }
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** A config (and its file) backing up www, db and legacy into `name/store`. */
async function setup(
  name: string,
  retention: Record<string, number>,
): Promise<{ config: Config; file: string; store: string }> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  const document = {
    host: 'web-01',
    state_dir: join(dir, 'state'),
    destination: { type: 'local', path: join(dir, 'store') },
    retention,
    assets: ['www', 'db', 'legacy'].map((asset) => ({
      name: asset,
      type: 'files',
      paths: [join(work, 'data', asset)],
    })),
  };
  const file = join(dir, 'config.yml');
  await writeFile(file, stringify(document));
  return { config: parseConfig(stringify(document), file, {}), file, store: join(dir, 'store') };
}

/** Every file under `root`, relative, sorted. */
async function files(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

const run = (config: Config, iso: string, options: { assets?: string[]; dryRun?: boolean } = {}) =>
  writeRun(config, { signal: new AbortController().signal, logger: silentLogger, now: new Date(iso), ...options });

/** A run written at `iso` that prunes nothing itself (writeRun prunes only its configured destination, not a given one). */
const seed = (config: Config, iso: string, assets: string[]) => {
  if (config.destination.type !== 'local') throw new Error('local destinations only');
  return writeRun(config, {
    signal: new AbortController().signal,
    logger: silentLogger,
    now: new Date(iso),
    assets,
    destination: createLocalDestination(config.destination),
  });
};

describe('retention on a local destination', () => {
  it("removes exactly the runs older than their tier's days; a partial run prunes nothing; the newest complete backup of an asset stays", async () => {
    const { config, store } = await setup('tiers', { daily: 7, weekly: 28, monthly: 90 });
    const seeds: [string, string[], string][] = [
      ['2026-08-01T03:00:00Z', ['www', 'db'], 'monthly'], // 131 days old at the end: > 90
      ['2026-09-01T03:00:00Z', ['legacy'], 'monthly'], // 100 days > 90, but legacy's newest complete backup
      ['2026-11-01T03:00:00Z', ['www', 'db'], 'monthly'], // 39 days
      ['2026-11-08T03:00:00Z', ['www', 'db'], 'weekly'], // 32 days > 28
      ['2026-11-15T03:00:00Z', ['www', 'db'], 'weekly'], // 25 days
      ['2026-12-02T03:00:00Z', ['www', 'db'], 'daily'], // 8 days > 7
      ['2026-12-03T03:00:00Z', ['www', 'db'], 'daily'], // exactly 7 days: kept
    ];
    for (const [iso, assets, tier] of seeds) {
      const report = await seed(config, iso, assets);
      expect({ iso, tier: report.tier, status: report.status }).toEqual({ iso, tier, status: 'ok' });
    }
    const seeded = await files(store);
    expect(seeded).toHaveLength(6 * 3 + 2);

    // A partial run (one path gone) on 2026-12-05, when much has expired: nothing is pruned.
    const partialConfig = {
      ...config,
      assets: config.assets.map((a) =>
        a.name === 'db' && a.type === 'files' ? { ...a, paths: [...a.paths, join(work, 'gone')] } : a,
      ),
    };
    const partial = await run(partialConfig, '2026-12-05T03:00:00Z', { assets: ['www', 'db'] });
    expect(partial.status).toBe('partial');
    expect(partial.retention).toEqual({
      removed: [],
      kept: [],
      warnings: [],
      skipped: 'the run was partial: only a complete run prunes',
    });
    expect(await files(store)).toEqual(expect.arrayContaining(seeded));

    const expired = [
      'monthly/2026-08-01/20260801T030000Z',
      'weekly/2026-11-08/20261108T030000Z',
      'daily/2026-12-02/20261202T030000Z',
    ];
    const dry = await run(config, '2026-12-10T03:00:00Z', { assets: ['www', 'db'], dryRun: true });
    expect(dry.retention!.removed.map((r) => r.run)).toEqual(expired);
    expect(dry.retention!.kept).toEqual([
      {
        run: 'monthly/2026-09-01/20260901T030000Z',
        reason:
          'monthly run of 2026-09-01 03:00Z is 100 days old; monthly keeps 90 days, but it holds the newest complete backup of legacy',
      },
    ]);
    const beforeFinal = await files(store);

    const final = await run(config, '2026-12-10T03:00:00Z', { assets: ['www', 'db'] });
    expect(final.status).toBe('ok');
    expect(final.retention!.removed.map((r) => r.run)).toEqual(expired);
    expect(final.retention!.warnings).toEqual([]);
    const after = await files(store);
    const expiredDays = expired.map((id) => `${id.split('/').slice(0, 2).join('/')}/`);
    expect(beforeFinal.filter((f) => !after.includes(f))).toEqual(
      beforeFinal.filter((f) => expiredDays.some((d) => f.startsWith(d))),
    );
    expect(beforeFinal.filter((f) => expiredDays.some((d) => f.startsWith(d)))).toHaveLength(9);
    expect(after.filter((f) => f.startsWith('daily/2026-12-10/'))).toHaveLength(3);
    // Empty day folders go with their runs; tier folders stay.
    expect((await readdir(join(store, 'monthly'))).sort()).toEqual(['2026-09-01', '2026-11-01']);
    expect((await readdir(join(store, 'weekly'))).sort()).toEqual(['2026-11-15']);
    expect((await readdir(join(store, 'daily'))).sort()).toEqual(['2026-12-03', '2026-12-05', '2026-12-10']);
  });

  it('the CLI: run --dry-run lists what would be pruned; run prunes it; a removal that fails is a warning, exit 0', async () => {
    const { config, file, store } = await setup('cli', { daily: 7 });
    const day = 86_400_000;
    const old = await seed(config, new Date(Date.now() - 30 * day).toISOString(), ['www', 'legacy']);
    const older = await seed(config, new Date(Date.now() - 20 * day).toISOString(), ['www']);
    const recent = await seed(config, new Date(Date.now() - 2 * day).toISOString(), ['www']);
    const id = (r: typeof old) =>
      `daily/${r.started_at.slice(0, 10)}/${r.started_at.slice(0, 19).replace(/[-:]/g, '')}Z`;

    const dry = await runCli(['run', '-c', file, '--asset', 'www', '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`  plan: retention would remove ${id(older)} (2 files): daily run of `);
    expect(dry.stdout).toContain(`  plan: retention keeps ${id(old)}: daily run of `);
    expect(dry.stdout).toContain('but it holds the newest complete backup of legacy');
    expect(dry.stdout).not.toContain(id(recent));
    const before = await files(store);
    expect(before.filter((f) => f.startsWith(`daily/${older.started_at.slice(0, 10)}/`))).toHaveLength(2);

    // As the backup user, with the older run's folder not writable by it: the run succeeds, pruning warns.
    await execa('chown', ['-R', 'nobody:nogroup', join(work, 'cli')]);
    const locked = join(store, 'daily', older.started_at.slice(0, 10), 'web-01');
    await chown(locked, 0, 0);
    await chmod(locked, 0o755); // readable, so the run is listed; not writable, so its files cannot be removed
    await requireTool('setpriv');
    const asUser = await execa(
      'setpriv',
      ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', BIN, 'run', '-c', file, '--asset', 'www'],
      { reject: false },
    );
    expect(asUser.exitCode, asUser.stderr).toBe(0);
    expect(asUser.stdout).toContain(
      `retention warning: cannot remove ${join(locked, `${id(older).split('/')[2]}.manifest.json`)}: EACCES; the run ${id(older)} is kept`,
    );
    expect(await files(store)).toEqual(expect.arrayContaining(before));

    await chown(locked, 65534, 65534);
    const pruned = await runCli(['run', '-c', file, '--asset', 'www']);
    expect(pruned.exitCode, pruned.stderr).toBe(0);
    expect(pruned.stdout).toContain(`pruned ${id(older)} (2 files): daily run of `);
    expect(pruned.stdout).toContain(`kept ${id(old)}: `);
    const after = await files(store);
    expect(before.filter((f) => !after.includes(f))).toEqual(
      before.filter((f) => f.startsWith(`daily/${older.started_at.slice(0, 10)}/`)),
    );
  });
});
