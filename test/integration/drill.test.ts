// `backup-agent drill` end to end: real backups through the put-only writer into moto, drilled with the
// read-only operator credentials of `policy --restore`: a files asset restored into a scratch directory
// and a mysql asset into a throwaway mariadbd the drill starts itself, checked against the manifest.
import { readdir, mkdir, mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, writeConfig } from './support/cli.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { FIXTURE_OBJECTS, FIXTURE_TABLES, startMariaDb, type MariaDb } from './support/mariadb.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { corruptObject, createRestorer } from './support/operator.js';
import { putOnlyDestination } from './support/s3-config.js';

const PASSWORD = 'Backup-pw-123';
let moto: MotoServer;
let db: MariaDb;
let work: string;
let config: string;
let readerKey: string;
let metrics: string;
/** What afterAll undoes: only what beforeAll got to start. */
const cleanups: (() => Promise<void>)[] = [];
let manifest: { artifacts: { asset: string; key: string; contents?: Record<string, unknown> }[] };

interface DrillJson {
  ok: boolean;
  drills: { host: string; asset: string; ok: boolean; restore_seconds: number; checks: string[]; problems: string[] }[];
}

const drill = (...args: string[]) =>
  runCli(['drill', '-c', config, '--credentials-file', readerKey, '--results', join(work, 'drills.json'), ...args]);

/** The manifest's record of `asset`. */
const artifactOf = (asset: string) => {
  const found = manifest.artifacts.find((a) => a.asset === asset);
  if (found === undefined) throw new Error(`the manifest has no artifact of ${asset}`);
  return found;
};

/** Names of the scratch directories a drill may leave in the temp dir (none, when it cleans up). */
const leftovers = async () => (await readdir(tmpdir())).filter((n) => n.startsWith('backup-agent-drill-'));

/** Processes whose command line names a drill scratch directory (its throwaway mariadbd): none after a drill. */
const drillServers = async () => {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('backup-agent-drill-')) found.push(`${pid}: ${cmdline.replaceAll('\0', ' ')}`);
  }
  return found;
};

beforeAll(async () => {
  [moto, db] = await Promise.all([startMoto(), startMariaDb()]);
  work = await mkdtemp(join(tmpdir(), 'ba-drill-cli-'));
  cleanups.push(
    () => moto.stop(),
    () => db.stop(),
    () => rm(work, { recursive: true, force: true }),
  );
  await chmod(work, 0o755);
  await db.createFixtureDatabase('shop');
  await db.createBackupUser('backup', PASSWORD);
  const files = join(work, 'www');
  await mkdir(join(files, 'html/css'), { recursive: true });
  await writeFile(join(files, 'html/index.html'), '<h1>drill</h1>\n'.repeat(300));
  await writeFile(join(files, 'html/css/site.css'), 'body{}\n');
  await writeFile(join(files, 'app.bin'), Buffer.from(Array.from({ length: 40_000 }, (_, i) => (i * 7) % 256)));
  metrics = join(work, 'textfile', 'backup_agent.prom');
  config = await writeConfig(work, {
    host: 'db-1',
    state_dir: join(work, 'state'),
    metrics: { textfile: metrics },
    destination: await putOnlyDestination(moto, work),
    assets: [
      { name: 'www', type: 'files', paths: [files] },
      {
        name: 'shop-db',
        type: 'mysql',
        databases: ['shop'],
        host: '127.0.0.1',
        port: db.port,
        user: 'backup',
        password: PASSWORD,
      },
    ],
  });
  const run = await runCli(['run', '-c', config, '--json']);
  expect(run.exitCode, run.stderr).toBe(0);
  readerKey = await createRestorer(moto, config, work);
  const listed = await runCli(['list', '-c', config, '--credentials-file', readerKey, '--json']);
  const [newest] = JSON.parse(listed.stdout) as { manifest_key: string }[];
  if (newest === undefined) throw new Error(`list found no backup: ${listed.stderr}`);
  const manifestKey = newest.manifest_key;
  manifest = JSON.parse((await moto.getObject(manifestKey)).toString('utf8')) as typeof manifest;
}, 120_000);
afterAll(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
});

describe('backup-agent drill', () => {
  it('the manifest records what the dump holds, counted at dump time', () => {
    const dump = artifactOf('shop-db');
    expect(dump.contents).toMatchObject({
      tables: FIXTURE_TABLES.length,
      views: FIXTURE_OBJECTS.views.length,
      triggers: FIXTURE_OBJECTS.triggers.length,
      routines: FIXTURE_OBJECTS.routines.length,
      events: FIXTURE_OBJECTS.events.length,
    });
    expect(Object.keys(dump.contents?.rows ?? {}).sort()).toEqual([...FIXTURE_TABLES].sort());
    // www/, html/, html/css/, and three files: what tar wrote, from its own listing.
    expect(artifactOf('www').contents).toEqual({ members: 6 });
  });

  it('passes on good backups even after the source server changed; metrics and results are written', async () => {
    // Today's server differs from the backup: the drill checks the backup.
    await db.query(
      'DELETE FROM shop.orders; ALTER TABLE shop.customers ADD COLUMN drill_extra INT; DROP VIEW shop.customer_totals',
    );
    const result = await drill('--json');
    expect(result.exitCode, `${result.stderr}\n${result.stdout}`).toBe(0);
    const report = JSON.parse(result.stdout) as DrillJson;
    expect(report.ok).toBe(true);
    expect(report.drills.map((d) => [d.asset, d.ok])).toEqual([
      ['shop-db', true],
      ['www', true],
    ]);
    const [mysql, www] = ['shop-db', 'www'].map((asset) => report.drills.find((d) => d.asset === asset));
    expect(mysql?.checks.join('\n')).toMatch(/CHECKSUM TABLE clean on 6 tables/);
    expect(mysql?.checks.join('\n')).toMatch(/6 tables, 1 views, 1 triggers, 2 routines, 1 events/);
    expect(www?.checks.join('\n')).toMatch(/\d+ members as recorded/);
    const text = await readFile(join(work, 'textfile', 'backup_agent-drill.prom'), 'utf8');
    for (const name of [
      'backup_agent_drill_success',
      'backup_agent_drill_last_timestamp_seconds',
      'backup_agent_drill_restore_seconds',
    ])
      for (const asset of ['www', 'shop-db'])
        expect(text).toMatch(new RegExp(`^${name}\\{host="db-1",asset="${asset}"\\} [0-9.e+]+$`, 'm'));
    expect(text).toMatch(/^backup_agent_drill_success\{host="db-1",asset="shop-db"\} 1$/m);
    expect(await leftovers()).toEqual([]);
    expect(await drillServers()).toEqual([]);
  });

  it('SIGINT while the throwaway server runs: exit 130, server killed, scratch removed', async () => {
    const child = startCli([
      'drill',
      '-c',
      config,
      '--credentials-file',
      readerKey,
      '--asset',
      'shop-db',
      '--results',
      join(work, 'drills.json'),
    ]);
    for (let i = 0; i < 300 && (await drillServers()).length === 0; i++) await sleep(100);
    expect(await drillServers()).not.toEqual([]);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode, result.stderr).toBe(130);
    expect(await drillServers()).toEqual([]);
    expect(await leftovers()).toEqual([]);
  });

  it('a byte flipped in a stored object: exit 1 naming the object, metrics say 0', async () => {
    const dump = artifactOf('shop-db');
    await corruptObject(moto, dump.key, 100);
    const result = await drill('--asset', 'shop-db');
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^FAIL {2}db-1 mysql "shop-db"/m);
    expect(result.stdout).toContain(dump.key);
    const text = await readFile(join(work, 'textfile', 'backup_agent-drill.prom'), 'utf8');
    expect(text).toMatch(/^backup_agent_drill_success\{host="db-1",asset="shop-db"\} 0$/m);
    expect(text).toMatch(/^backup_agent_drill_success\{host="db-1",asset="www"\} 1$/m);
    expect(await leftovers()).toEqual([]);
    expect(await drillServers()).toEqual([]);
  });
});
