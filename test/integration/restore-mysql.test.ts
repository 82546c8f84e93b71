// restore of MySQL backups end to end: real MariaDB dumps through the put-only writer, restored by the
// read-only restorer into a new database (CHECKSUM TABLE identical) or a .sql file.
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type MotoServer } from './support/moto.js';
import { runCli, writeConfig } from './support/cli.js';
import { startMariaDb, type MariaDb } from './support/mariadb.js';
import { writeCounters } from './support/mariadb-fingerprint.js';
import { corruptObject, createRestorer } from './support/operator.js';
import { ifStarted } from './support/if-started.js';

const PASSWORD = 'Backup-pw-123';
let moto: MotoServer;
let db: MariaDb;
let work: string;
let readerKey: string;
let config: string;
let keys: Record<string, string>;

async function hostConfig(host: string, extra: Record<string, unknown> = {}): Promise<string> {
  const dir = join(work, host);
  await mkdir(dir, { recursive: true });
  return writeConfig(dir, {
    host,
    state_dir: join(dir, 'state'),
    destination: {
      type: 's3',
      bucket: moto.bucket,
      endpoint: moto.endpoint,
      force_path_style: true,
      prefix: moto.prefix,
      credentials: { key_file: await moto.writeKeyFile(moto.putOnly, dir) },
    },
    assets: [
      {
        name: 'shop-db',
        type: 'mysql',
        databases: ['shop', 'billing'],
        host: '127.0.0.1',
        port: db.port,
        user: 'backup',
        password: PASSWORD,
      },
    ],
    ...extra,
  });
}

async function backup(file: string): Promise<Record<string, string>> {
  const run = await runCli(['run', '-c', file, '--json']);
  expect(run.exitCode, run.stderr).toBe(0);
  const report = JSON.parse(run.stdout) as { artifacts: { label: string; key: string }[] };
  return Object.fromEntries(report.artifacts.map((a) => [a.label, a.key]));
}

const restore = (...args: string[]) => runCli(['restore', '-c', config, '--credentials-file', readerKey, ...args]);
const exists = async (name: string) =>
  (await db.query(`SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${name}'`)) === '1';

beforeAll(async () => {
  [moto, db] = await Promise.all([startMoto(), startMariaDb()]);
  work = await mkdtemp(join(tmpdir(), 'ba-restore-db-'));
  await chmod(work, 0o755);
  await db.createFixtureDatabase('shop');
  await db.createFixtureDatabase('billing');
  await db.createBackupUser('backup', PASSWORD);
  config = await hostConfig('db-1');
  readerKey = await createRestorer(moto, config, work);
  keys = await backup(config);
});
afterAll(async () => {
  await Promise.all([ifStarted(moto)?.stop(), ifStarted(db)?.stop()]);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('restore of a mysql backup', () => {
  it('--latest --database shop --into-database: CHECKSUM TABLE and every routine, trigger, event and view identical', async () => {
    const result = await restore(
      '--asset',
      'shop-db',
      '--latest',
      '--database',
      'shop',
      '--into-database',
      'shop_restored',
      '--db-defaults-file',
      db.rootDefaultsFile,
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('restored mysql "shop-db" (shop) of db-1');
    expect(await db.checksums('shop_restored')).toEqual(await db.checksums('shop'));
    expect(await db.objects('shop_restored')).toEqual(await db.objects('shop'));
    expect(Object.keys(await db.checksums('shop_restored')).length).toBeGreaterThan(3);

    // The same name again: refused (exit 2), the restored database untouched.
    const again = await restore(
      keys.shop!,
      '--into-database',
      'shop_restored',
      '--db-defaults-file',
      db.rootDefaultsFile,
    );
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain(
      '--into-database shop_restored: the database exists: restore into a new name, or pass --force',
    );
  });

  it('--into-database with two databases in the run asks for --database', async () => {
    const result = await restore(
      '--asset',
      'shop-db',
      '--latest',
      '--into-database',
      'x',
      '--db-defaults-file',
      db.rootDefaultsFile,
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      'restore: mysql "shop-db" has 2 databases in that run (billing, shop): pick one with --database NAME',
    );
  });

  it('--to FILE.sql writes the complete dump (0600) that restores like the original', async () => {
    const path = join(work, 'billing.sql');
    const result = await restore(keys.billing!, '--to', path);
    expect(result.exitCode, result.stderr).toBe(0);
    const text = await readFile(path, 'utf8');
    expect(text).toMatch(/-- Dump completed on [^\n]*\n$/);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(text).toContain('CREATE DATABASE /*!32312 IF NOT EXISTS*/ `billing`');
    const dir = join(work, 'dumps');
    const all = await restore('--asset', 'shop-db', '--latest', '--to', dir);
    expect(all.exitCode, all.stderr).toBe(0);
    expect(await readFile(join(dir, 'billing.sql'), 'utf8')).toBe(text);
    expect(existsSync(join(dir, 'shop.sql'))).toBe(true);
  });

  it('a user without SUPER restores views, triggers and routines only with --strip-definers; the failed try is dropped', async () => {
    await db.query(
      "CREATE USER 'dbrestore'@'%' IDENTIFIED BY 'Restore-pw-1'; GRANT ALL PRIVILEGES ON `shop_nodef`.* TO 'dbrestore'@'%';",
    );
    const login = await db.writeDefaultsFile('dbrestore', 'Restore-pw-1');
    const refused = await restore(keys.shop!, '--into-database', 'shop_nodef', '--db-defaults-file', login);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(
      /restore of s3:\/\/\S+ into shop_nodef: mariadb exited 1: .*ERROR 1227 .*\(the dump's DEFINER clauses need SUPER or SET USER: restore as a user who has it, or pass --strip-definers\)/,
    );
    expect(refused.stderr).toContain('the partly restored database shop_nodef was dropped');
    expect(await exists('shop_nodef')).toBe(false);
    const stripped = await restore(
      keys.shop!,
      '--into-database',
      'shop_nodef',
      '--db-defaults-file',
      login,
      '--strip-definers',
    );
    expect(stripped.exitCode, stripped.stderr).toBe(0);
    expect(await db.checksums('shop_nodef')).toEqual(await db.checksums('shop'));
    expect(await db.objects('shop_nodef')).toEqual(await db.objects('shop'));
  });

  it('a corrupted dump is refused before anything is written: sha256 mismatch, exit 1, no database created', async () => {
    const file = await hostConfig('db-2', { compression: { algorithm: 'none' } });
    const plain = await backup(file);
    await corruptObject(moto, plain.shop!, 3000);
    const counters = await writeCounters(db);
    const result = await runCli([
      'restore',
      plain.shop!,
      '-c',
      file,
      '--credentials-file',
      readerKey,
      '--into-database',
      'shop_corrupt',
      '--db-defaults-file',
      db.rootDefaultsFile,
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`s3://${moto.bucket}/${plain.shop}: sha256 mismatch`);
    expect(result.stderr).not.toContain('dropped');
    expect(await writeCounters(db)).toBe(counters);
    expect(await exists('shop_corrupt')).toBe(false);
  });
});
