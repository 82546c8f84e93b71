// Point-in-time restore end to end: a real mariadbd (--log-bin, ROW) with a writer inserting a row every
// ~100 ms; a dump through the built CLI into real moto as the put-only user, then `backup-agent binlog`
// shipping segments (age-encrypted, across a rotation); T remembered mid-way; the server SIGKILLed. `restore --until T` by the read-only
// restorer into a fresh server (renamed, so --rewrite-db is exercised) holds exactly the rows the
// writer saw committed before T. A deleted segment makes the restore refuse before writing, naming it.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, writeConfig } from './support/cli.js';
import { startMariaDb, type MariaDb } from './support/mariadb.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { createRestorer } from './support/operator.js';
import { requireTool } from './support/require-tool.js';
import { putOnlyDestination } from './support/s3-config.js';

let moto: MotoServer;
let source: MariaDb;
let target: MariaDb;
let work: string;
let config: string;
let readerKey: string;
/** The operator's age identity: backups and segments are encrypted to its recipient. */
let identity: string;
/** T, a whole second (binlog events carry seconds). */
let until: Date;
/** What the writer saw committed: id and the row's timestamp (epoch seconds, with micros). */
const written: { id: number; at: number }[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Inserts a row about every 100 ms until the server goes away; resolves to how it ended. */
async function writer(): Promise<string> {
  for (;;) {
    const started = Date.now();
    try {
      const out = await source.query(
        'INSERT INTO orders () VALUES (); SELECT id, UNIX_TIMESTAMP(at) FROM orders WHERE id = LAST_INSERT_ID();',
        'shop',
      );
      const [id = '', at = ''] = out.trim().split('\t');
      written.push({ id: Number(id), at: Number(at) });
    } catch (error) {
      return (error as Error).message;
    }
    await sleep(Math.max(0, 100 - (Date.now() - started)));
  }
}

const restore = (...args: string[]) =>
  runCli([
    'restore',
    '-c',
    config,
    '--credentials-file',
    readerKey,
    '--asset',
    'shop-db',
    '--until',
    until.toISOString().replace(/\.000Z$/, 'Z'),
    '--db-defaults-file',
    target.rootDefaultsFile,
    '--identity',
    identity,
    ...args,
  ]);
const schemas = async () => (await target.query('SHOW DATABASES')).split('\n');

beforeAll(async () => {
  [moto, source, target] = await Promise.all([
    startMoto(),
    startMariaDb({ serverArgs: ['--log-bin=binlog', '--server-id=11', '--binlog-format=ROW'] }),
    startMariaDb(),
  ]);
  work = await mkdtemp(join(tmpdir(), 'ba-restore-until-'));
  await chmod(work, 0o755);
  await source.query(
    'CREATE DATABASE shop; CREATE TABLE shop.orders (id INT AUTO_INCREMENT PRIMARY KEY, at TIMESTAMP(6) DEFAULT CURRENT_TIMESTAMP(6));',
  );
  await requireTool('age-keygen');
  identity = join(work, 'operator-key.txt');
  await execa('age-keygen', ['-o', identity]);
  const recipient = (await execa('age-keygen', ['-y', identity])).stdout.trim();
  const login = { host: '127.0.0.1', port: source.port, user: 'root', password: source.rootPassword };
  config = await writeConfig(work, {
    host: 'db-1',
    state_dir: join(work, 'state'),
    destination: await putOnlyDestination(moto, work),
    encryption: { age_recipients: [recipient] },
    assets: [
      { name: 'shop-db', type: 'mysql', databases: ['shop'], ...login },
      { name: 'shop-binlog', type: 'mysql-binlog', ...login, upload_interval: '1s' },
    ],
  });
  readerKey = await createRestorer(moto, config, work);
}, 60_000);
afterAll(async () => {
  // Whatever beforeAll got to start (it may have failed half-way).
  const started = [moto, source, target] as ({ stop(): Promise<void> } | undefined)[];
  await Promise.all(started.map((server) => server?.stop() ?? Promise.resolve()));
  if (work) await rm(work, { recursive: true, force: true });
});

describe('restore --until', () => {
  it('restores the dump and replays the shipped binlog up to T: exactly the rows committed before T', async () => {
    const writing = writer();
    await sleep(800);
    const run = await runCli(['run', '-c', config, '--asset', 'shop-db']);
    expect(run.exitCode, run.stderr).toBe(0);
    await sleep(500);
    const streamer = startCli(['-c', config, 'binlog']);
    const folder = `${moto.prefix}binlog/db-1/shop-binlog/`;
    for (const end = Date.now() + 20_000; (await moto.listKeys(folder)).length === 0; await sleep(200))
      if (Date.now() > end) throw new Error('the streamer shipped nothing within 20 s');
    await source.query('FLUSH BINARY LOGS'); // the replay crosses a rotation
    until = new Date(Math.ceil((Date.now() + 2_000) / 1000) * 1000);
    while (Date.now() < until.getTime() + 2_500) await sleep(100);
    await source.kill();
    expect(await writing).toMatch(/./);
    await sleep(2_500); // the streamer's client sees the server gone and ships what it wrote
    streamer.kill('SIGTERM');
    const stopped = await streamer;
    expect(stopped.exitCode, stopped.stderr).toBe(130);

    const before = written.filter((w) => w.at < until.getTime() / 1000).map((w) => w.id);
    const after = written.filter((w) => w.at >= until.getTime() / 1000);
    expect(before.length).toBeGreaterThan(10);
    expect(after.length).toBeGreaterThanOrEqual(3);

    // Rows after T were shipped too: the replay has to stop at T, not at the end of what it has.
    const manifests = (await moto.listKeys(folder)).filter((k) => k.endsWith('.json'));
    const shippedAt = await Promise.all(
      manifests.map(async (k) =>
        Date.parse((JSON.parse((await moto.getObject(k)).toString()) as { shipped_at: string }).shipped_at),
      ),
    );
    expect(Math.max(...shippedAt)).toBeGreaterThan(until.getTime() + 1_000);

    const plan = await restore('--into-database', 'shop_at_t', '--dry-run');
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/dump: {4}s3:\/\/.*shop-db.*database shop.* at binlog\.000001 byte \d+/);
    expect(plan.stdout).toMatch(
      /binlog: {2}series 11-\d{8}T\d{6}Z of mysql-binlog "shop-binlog": segments 1-\d+ of binlog\.000001, binlog\.000002, \d+ bytes/,
    );
    expect(plan.stdout).toMatch(/window: {2}from \S+ \(the dump\) to \S+/);
    expect(plan.stdout).toContain("--database=shop '--rewrite-db=shop->shop_at_t' binlog.000001 binlog.000002 |");
    expect(await schemas()).not.toContain('shop_at_t');

    const started = Date.now();
    const result = await restore('--into-database', 'shop_at_t');
    expect(result.exitCode, result.stderr).toBe(0);
    console.log(`restore --until: ${Date.now() - started} ms, ${before.length} rows before T, ${after.length} after`);
    expect(result.stdout).toContain('restored mysql "shop-db" (shop) into database shop_at_t');
    const restored = (await target.query('SELECT id FROM orders ORDER BY id', 'shop_at_t')).split('\n').filter(Boolean);
    expect(restored.map(Number)).toEqual(before);
  }, 60_000);

  it('refuses before writing anything when a segment is missing, naming the gap', async () => {
    const manifests = (await moto.listKeys(`${moto.prefix}binlog/db-1/shop-binlog/`)).filter((k) =>
      k.endsWith('.json'),
    );
    const segments = await Promise.all(
      manifests.map(
        async (k) =>
          JSON.parse((await moto.getObject(k)).toString()) as { segment: number; key: string; shipped_at: string },
      ),
    );
    const shipped = segments
      .filter((s) => Date.parse(s.shipped_at) < until.getTime())
      .sort((a, b) => a.segment - b.segment);
    expect(shipped.length).toBeGreaterThan(1);
    const victim = shipped[1]!;
    expect(victim.key).toMatch(/--binlog\.\d+--\d+-\d+\.binlog\.zst\.age$/);
    await moto.adminClient().send(new DeleteObjectCommand({ Bucket: moto.bucket, Key: victim.key }));
    await target.query(
      'CREATE DATABASE shop_gap; CREATE TABLE shop_gap.marker (n INT); INSERT INTO shop_gap.marker VALUES (7);',
    );

    const result = await restore('--into-database', 'shop_gap', '--force');
    expect(result.exitCode).toBe(1);
    const number = String(victim.segment).padStart(8, '0');
    expect(result.stderr).toMatch(
      new RegExp(`segment ${number} missing \\(no data object\\): binlog\\.\\d+ bytes \\d+-\\d+; nothing was restored`),
    );
    expect(await target.query('SHOW TABLES', 'shop_gap')).toBe('marker');
    expect(await target.query('SELECT n FROM marker', 'shop_gap')).toBe('7');
  }, 30_000);
});
