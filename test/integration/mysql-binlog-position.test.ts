// Every logical dump records where it stands in the binary log: a real mariadbd with --log-bin, writes
// quiesced, SHOW MASTER STATUS and @@gtid_binlog_pos against the manifest of a `run` through the CLI,
// by a backup user with only the dump's usual privileges. A server without log_bin records nothing and
// still backs up.
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, writeConfig } from './support/cli.js';
import { startMariaDb, type MariaDb } from './support/mariadb.js';

const PASSWORD = 'Binlog-pw-1';
let logged: MariaDb;
let plain: MariaDb;
const servers: MariaDb[] = [];
let work: string;

/** Backs up `db`'s shop and billing into a local store under `work/name`; resolves to the manifest's artifacts. */
async function backup(db: MariaDb, name: string): Promise<Record<string, unknown>[]> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  const config = await writeConfig(dir, {
    host: name,
    state_dir: 'state',
    destination: { type: 'local', path: 'store' },
    retention: { daily: 7 },
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
  });
  const run = await runCli(['run', '-c', config]);
  expect(run.exitCode, run.stderr).toBe(0);
  const files = (await readdir(join(dir, 'store'), { recursive: true })).filter((f) => f.endsWith('.json'));
  const [only] = files;
  expect(files).toHaveLength(1);
  const manifest = JSON.parse(await readFile(join(dir, 'store', String(only)), 'utf8')) as {
    artifacts: Record<string, unknown>[];
  };
  return manifest.artifacts;
}

async function prepare(db: MariaDb): Promise<void> {
  await db.query(
    [
      'CREATE DATABASE shop; CREATE DATABASE billing;',
      'CREATE TABLE shop.orders (id INT AUTO_INCREMENT PRIMARY KEY, at TIMESTAMP(6) DEFAULT CURRENT_TIMESTAMP(6));',
      'CREATE TABLE billing.invoices (id INT PRIMARY KEY);',
      'INSERT INTO shop.orders () VALUES (), (), ();',
      'INSERT INTO billing.invoices VALUES (1), (2);',
    ].join('\n'),
  );
  await db.createBackupUser('backup', PASSWORD);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ba-binlog-pos-'));
  const started = (db: MariaDb) => (servers.push(db), db);
  [logged, plain] = await Promise.all([
    startMariaDb({ serverArgs: ['--log-bin=binlog', '--server-id=1', '--binlog-format=ROW'] }).then(started),
    startMariaDb().then(started),
  ]);
  await Promise.all([prepare(logged), prepare(plain)]);
});
afterAll(async () => {
  await Promise.all(servers.map((db) => db.stop()));
  if (work) await rm(work, { recursive: true, force: true });
});

describe('binlog position of a dump', () => {
  it('the manifest records the file, position and GTID SHOW MASTER STATUS gives while writes are quiesced', async () => {
    const [file, position] = (await logged.query('SHOW MASTER STATUS')).split('\t');
    const gtid = await logged.query('SELECT @@gtid_binlog_pos');
    expect(gtid).toMatch(/^0-1-\d+$/);
    const artifacts = await backup(logged, 'logged');
    expect(artifacts.map((a) => [a.label, a.binlog]).sort()).toEqual([
      ['billing', { file, position: Number(position), gtid }],
      ['shop', { file, position: Number(position), gtid }],
    ]);
    // The backup user has SELECT, SHOW VIEW, TRIGGER, EVENT only: no RELOAD, no BINLOG MONITOR, no global lock.
    expect(await logged.query("SHOW GRANTS FOR 'backup'@'%'")).not.toMatch(/RELOAD|BINLOG|SUPER/);
  });

  it('a server without log_bin records no position and the backup still succeeds', async () => {
    const artifacts = await backup(plain, 'plain');
    expect(artifacts).toHaveLength(2);
    for (const artifact of artifacts) {
      expect(artifact.status).toBe('ok');
      expect(artifact).not.toHaveProperty('binlog');
    }
  });
});
