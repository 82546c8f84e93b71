// Physical MySQL/MariaDB backups end to end: a real mariadbd with InnoDB tables and a steady writer,
// mariabackup full then differential through the CLI to real moto as the put-only user, and a restore
// by the operator (read-only credentials) prepared into a new datadir and proven by --start's CHECKSUM TABLE.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, writeConfig } from './support/cli.js';
import { startMariaDb, type MariaDb } from './support/mariadb.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { createRestorer } from './support/operator.js';
import { requireTool } from './support/require-tool.js';

const PASSWORD = 'phys-S3cr3t "pw"';
let moto: MotoServer;
let db: MariaDb;
let work: string;
let config: string;

/** One client connection inserting a row every ~50 ms until paused; pause() resolves once the last insert ran. */
function startWriter(defaultsFile: string): { pause(): Promise<void>; resume(): void; stop(): void } {
  const child: ChildProcess = spawn(
    'mariadb',
    [`--defaults-extra-file=${defaultsFile}`, '--unbuffered', '-N', '-B', 'shop'],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  let paused = false;
  let n = 0;
  const timer = setInterval(() => {
    if (!paused) child.stdin?.write(`INSERT INTO events (payload) VALUES (REPEAT('e', ${(n++ % 200) + 1}));\n`);
  }, 50);
  return {
    async pause() {
      paused = true;
      const marker = `paused-${n}`;
      child.stdin?.write(`SELECT '${marker}';\n`);
      while (!out.includes(marker)) await new Promise((r) => setTimeout(r, 20));
    },
    resume: () => (paused = false),
    stop() {
      clearInterval(timer);
      child.kill();
    },
  };
}

interface RunReport {
  artifacts: {
    key: string;
    status: string;
    error?: string;
    incremental?: { level: number; base?: { key: string } };
    physical?: { from_lsn: string; to_lsn: string; binlog_file?: string; gtid?: string };
  }[];
}

beforeAll(async () => {
  await requireTool('mariabackup', 'mbstream');
  [moto, db] = await Promise.all([startMoto(), startMariaDb({ serverArgs: ['--log-bin=binlog', '--server-id=1'] })]);
  work = await mkdtemp(join(tmpdir(), 'ba-physical-'));
  await db.query(
    [
      'CREATE DATABASE shop;',
      'CREATE TABLE shop.events (id BIGINT AUTO_INCREMENT PRIMARY KEY, payload TEXT, at TIMESTAMP(6) DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB;',
      'CREATE TABLE shop.stock (sku INT PRIMARY KEY, qty INT NOT NULL, note VARCHAR(100)) ENGINE=InnoDB;',
      'USE shop;',
      'INSERT INTO stock SELECT seq, seq % 97, CONCAT("sku-", seq) FROM seq_1_to_5000;',
      "CREATE USER 'physical'@'%' IDENTIFIED BY 'x';",
      "GRANT RELOAD, PROCESS, BINLOG MONITOR ON *.* TO 'physical'@'%';",
      `ALTER USER 'physical'@'%' IDENTIFIED BY '${PASSWORD.replace(/"/g, '\\"')}';`,
    ].join('\n'),
  );
  const dir = join(work, 'host');
  await mkdir(dir, { recursive: true });
  const passwordFile = join(dir, 'db-password');
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  config = await writeConfig(dir, {
    host: 'dbhost',
    state_dir: join(dir, 'state'),
    destination: {
      type: 's3',
      bucket: moto.bucket,
      endpoint: moto.endpoint,
      force_path_style: true,
      prefix: moto.prefix,
      credentials: { key_file: await moto.writeKeyFile(moto.putOnly, dir) },
      upload: { part_size: '5MiB', queue_size: 2 },
    },
    assets: [
      {
        name: 'db',
        type: 'mysql-physical',
        host: '127.0.0.1',
        port: db.port,
        user: 'physical',
        password_file: passwordFile,
        incremental: { full_every: '7d' },
      },
    ],
  });
}, 60_000);

afterAll(async () => {
  await Promise.all([moto.stop(), db.stop()]);
  await rm(work, { recursive: true, force: true });
});

async function run(): Promise<RunReport['artifacts'][number]> {
  const result = await runCli(['run', '-c', config, '--json']);
  expect(result.exitCode, result.stderr).toBe(0);
  const [artifact] = (JSON.parse(result.stdout) as RunReport).artifacts;
  if (artifact === undefined) throw new Error(`run reported no artifact: ${result.stdout}`);
  expect(artifact.status, artifact.error).toBe('ok');
  return artifact;
}

async function sourceChecksums(): Promise<Record<string, string>> {
  const out = await db.query('CHECKSUM TABLE shop.events, shop.stock');
  return Object.fromEntries(
    out
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\t') as [string, string]),
  );
}

describe('mysql-physical: mariabackup full + differential, restore --start', () => {
  it('check passes with the measured grants; full and differential land put-only; the operator restores the differential with every CHECKSUM equal to the source at its moment', async () => {
    const check = await runCli(['check', '-c', config]);
    expect(check.stdout + check.stderr).toMatch(/mysql-physical "db".*mariabackup 10\.\d+\.\d+.*privileges held/);

    const writer = startWriter(db.rootDefaultsFile);
    try {
      await new Promise((r) => setTimeout(r, 500));
      const before403 = moto.count403();
      const full = await run();
      expect(full.key).toMatch(/\/db\/\d{8}T\d{6}Z\.xbstream\.zst$/);
      expect(full.incremental?.level).toBe(0);
      expect(full.physical?.binlog_file).toMatch(/^binlog\.\d+$/);
      expect(full.physical?.gtid).toMatch(/^\d+-\d+-\d+$/);

      // More writes while the writer goes on, including changed rows, then a quiesced differential.
      await db.query('UPDATE shop.stock SET qty = qty + 1 WHERE sku % 10 = 0;');
      await new Promise((r) => setTimeout(r, 1000));
      await writer.pause();
      const diff = await run();
      const atDifferential = await sourceChecksums();
      writer.resume();
      expect(moto.count403() - before403).toBe(0);
      expect(diff.incremental?.level).toBe(1);
      expect(diff.incremental?.base?.key).toBe(full.key);
      expect(diff.physical?.from_lsn).toBe(full.physical?.to_lsn);
      await new Promise((r) => setTimeout(r, 300)); // writes after the differential must not show up in the restore

      const readerKey = await createRestorer(moto, config, work);
      const target = join(work, 'restored-datadir');
      const restored = await runCli([
        'restore',
        '-c',
        config,
        '--credentials-file',
        readerKey,
        '--asset',
        'db',
        '--latest',
        '--to',
        target,
        '--start',
      ]);
      expect(restored.exitCode, restored.stderr).toBe(0);
      expect(restored.stdout).toContain(`applied on its full ${full.key}`);
      const sums = Object.fromEntries(
        [...restored.stdout.matchAll(/^checksum shop\.(\w+) (\d+)$/gm)].map((m) => [`shop.${m[1]}`, m[2]]),
      );
      expect(sums).toEqual(atDifferential);
      expect(Object.keys(sums)).toHaveLength(2);
      expect(await readdir(target)).toContain('ibdata1');
      expect(restored.stdout).toMatch(/checked \d+ tables on a throwaway server .* it was stopped/);

      // Never into a running server's datadir, never into a non-empty directory.
      const refused = await runCli([
        'restore',
        '-c',
        config,
        '--credentials-file',
        readerKey,
        '--asset',
        'db',
        '--latest',
        '--to',
        db.datadir,
      ]);
      expect(refused.exitCode).not.toBe(0);
      expect(refused.stderr).toMatch(/datadir of a running server \((ibdata1|aria_log_control) is locked by pid \d+\)/);
      const again = await runCli([
        'restore',
        '-c',
        config,
        '--credentials-file',
        readerKey,
        '--asset',
        'db',
        '--latest',
        '--to',
        target,
      ]);
      expect(again.stderr).toMatch(/looks like a server's datadir/);
    } finally {
      writer.stop();
    }
  }, 90_000);

  it('a failed run leaves the state of the last full alone; lost state makes the next run a full, with a warning', async () => {
    const fullJson = join(work, 'host', 'state', 'mysql-physical', 'db', 'full', 'full.json');
    const before = await readFile(fullJson, 'utf8');
    await db.query("REVOKE BINLOG MONITOR ON *.* FROM 'physical'@'%';");
    const failed = await runCli(['run', '-c', config, '--json']);
    await db.query("GRANT BINLOG MONITOR ON *.* TO 'physical'@'%';");
    expect(failed.exitCode).not.toBe(0);
    expect(failed.stderr).toMatch(/BINLOG MONITOR/);
    expect(await readFile(fullJson, 'utf8')).toBe(before);
    expect((await run()).incremental?.level).toBe(1);

    await rm(join(work, 'host', 'state', 'mysql-physical', 'db', 'full'), { recursive: true });
    const result = await runCli(['run', '-c', config, '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const [artifact] = (JSON.parse(result.stdout) as RunReport).artifacts;
    expect(artifact?.incremental?.level).toBe(0);
    expect(result.stderr).toMatch(/the local state of the last full \([^)]*\) is missing: making a full/);
  }, 60_000);
});
