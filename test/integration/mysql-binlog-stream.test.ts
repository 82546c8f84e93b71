// The binlog stream end to end: a real mariadbd (--log-bin, ROW), `backup-agent binlog` through the built
// CLI into real moto as the put-only user, with a binlog account holding only REPLICATION SLAVE and
// BINLOG MONITOR. Writes and rotations become numbered segments; the streamer is SIGKILLed mid-way and
// restarted; SIGTERM ships what is there and exits 130. The series is then contiguous (no gap, no
// overlap) and its bytes, file by file, are the server's own binlog files.
import { mkdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, writeConfig } from './support/cli.js';
import { startMariaDb, type MariaDb } from './support/mariadb.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { putOnlyDestination } from './support/s3-config.js';
import { shippedSegments, waitFor } from './support/binlog-segments.js';

const PASSWORD = 'Binlog-Stream-1';
let moto: MotoServer;
let db: MariaDb;
let work: string;
let config: string;

const insert = (n: number) =>
  db.query(`INSERT INTO shop.orders (note) SELECT CONCAT('order-', seq) FROM seq_1_to_${n};`, 'shop');

/** The segment manifests of the one series, in segment order. */
const segments = () => shippedSegments(moto, `${moto.prefix}binlog/db-1/shop-binlog/`);

beforeAll(async () => {
  [moto, db] = await Promise.all([
    startMoto(),
    startMariaDb({ serverArgs: ['--log-bin=binlog', '--server-id=7', '--binlog-format=ROW'] }),
  ]);
  work = await mkdtemp(join(tmpdir(), 'ba-binlog-stream-'));
  await db.query(
    [
      'CREATE DATABASE shop;',
      'CREATE TABLE shop.orders (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(64), at TIMESTAMP(6) DEFAULT CURRENT_TIMESTAMP(6));',
      `CREATE USER 'binlog'@'%' IDENTIFIED BY '${PASSWORD}';`,
      "GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'binlog'@'%';",
    ].join('\n'),
  );
  await mkdir(join(work, 'metrics'));
  config = await writeConfig(work, {
    host: 'db-1',
    state_dir: join(work, 'state'),
    metrics: { textfile: join(work, 'metrics', 'backup_agent.prom') },
    destination: await putOnlyDestination(moto, work),
    assets: [
      {
        name: 'shop-binlog',
        type: 'mysql-binlog',
        host: '127.0.0.1',
        port: db.port,
        user: 'binlog',
        password: PASSWORD,
        upload_interval: '1s',
      },
    ],
  });
});
afterAll(async () => {
  await Promise.all([moto.stop(), db.stop()]);
  await rm(work, { recursive: true, force: true });
});

describe('backup-agent binlog', () => {
  it('ships writes and rotations as contiguous segments across a SIGKILL and a SIGTERM', async () => {
    const check = await execa('bin/backup-agent', ['-c', config, 'check'], { reject: false });
    expect(check.stdout).toMatch(/ok {4}mysql-binlog "shop-binlog": mariadb-binlog: .*server_id 7.*binlog_format ROW/);

    const first = startCli(['-c', config, 'binlog']);
    await insert(200);
    await waitFor('a first segment', async () => (await segments()).length > 0);
    await db.query('FLUSH BINARY LOGS');
    await insert(300);
    // Killed mid-way, with writes going on: the next start resumes from the position in state_dir.
    await waitFor('binlog.000002 shipped', async () => (await segments()).some((s) => s.file === 'binlog.000002'));
    const writing = insert(5000);
    first.kill('SIGKILL');
    expect((await first).signal).toBe('SIGKILL');
    await writing;

    const second = startCli(['-c', config, 'binlog']);
    await db.query('FLUSH BINARY LOGS');
    await insert(100);
    const [[file = '', size = '0']] = [(await db.query('SHOW MASTER STATUS')).split('\t')];
    await waitFor('the last write shipped', async () =>
      (await segments()).some((s) => s.file === file && s.to >= Number(size)),
    ).catch(async (error: unknown) => {
      second.kill('SIGKILL');
      const shipped = (await segments()).map((s) => `${s.file} ${s.from}-${s.to}`).join(', ');
      throw new Error(
        `${(error as Error).message} (${file} ${size}; shipped ${shipped}); log:\n${(await second).stderr}`,
      );
    });
    // Everything shipped: the next round reports the stream caught up in its textfile, beside the run's.
    const lastShipped = Date.now();
    const sample = (text: string, name: string) =>
      Number(new RegExp(`^${name}\\{host="db-1",asset="shop-binlog"\\} (\\S+)$`, 'm').exec(text)?.[1]);
    let metrics = '';
    await waitFor('caught up in backup_agent-binlog.prom', async () => {
      metrics = await readFile(join(work, 'metrics', 'backup_agent-binlog.prom'), 'utf8').catch(() => '');
      return sample(metrics, 'backup_agent_binlog_caught_up_timestamp_seconds') * 1000 >= lastShipped - 500;
    });
    expect(sample(metrics, 'backup_agent_binlog_lag_seconds')).toBeLessThan(5);
    expect(sample(metrics, 'backup_agent_binlog_last_shipped_timestamp_seconds') * 1000).toBeGreaterThan(
      lastShipped - 60_000,
    );
    // `status` judges the stream by its state (it has no runs): caught up, so healthy, exit 0.
    const status = await execa('bin/backup-agent', ['-c', config, 'status'], { reject: false });
    expect(status.stdout).toMatch(/^OK {4}shop-binlog: stream caught up 0m ago at binlog\.000003 byte \d+$/m);
    expect(status.exitCode, status.stdout).toBe(0);
    second.kill('SIGTERM');
    const stopped = await second;
    expect(stopped.exitCode, stopped.stderr).toBe(130);

    const series = await segments();
    expect(series.map((s) => s.segment)).toEqual(series.map((_, i) => i + 1));
    const files = [...new Set(series.map((s) => s.file))];
    expect(files).toEqual(['binlog.000001', 'binlog.000002', 'binlog.000003']);
    for (const name of files) {
      const parts = series.filter((s) => s.file === name);
      expect(parts[0]?.from).toBe(0);
      parts.slice(1).forEach((part, i) => expect(part.from, `${name} segment ${part.segment}`).toBe(parts[i]?.to));
      const shipped = Buffer.concat(await Promise.all(parts.map(async (p) => zstdOf(await moto.getObject(p.key)))));
      const server = await readFile(join(db.datadir, name));
      // Byte 21 is the server's "file in use" flag of its open binlog; the copy has it clear.
      server[21] = shipped[21] ?? 0;
      expect(shipped.equals(server), `${name}: shipped bytes equal the server's`).toBe(true);
    }
  }, 60_000);
});

/** zstd-decompressed bytes (the zstd binary: Node 20 has no zstd in zlib). */
async function zstdOf(bytes: Buffer): Promise<Buffer> {
  const { stdout } = await execa('zstd', ['-dc'], { input: bytes, encoding: 'buffer' });
  return Buffer.from(stdout);
}
