// verify of a binlog series end to end: a real mariadbd (--log-bin, ROW), a dump that records its position
// and `backup-agent binlog` shipping segments into real moto as the put-only user, with accounts made from
// what `policy --mysql` prints. verify (read-only restorer credentials) passes and prints the recovery
// window, from the dump to the last shipped event; once an admin deletes one segment, verify fails naming
// the file and the bytes missing.
import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, writeConfig } from './support/cli.js';
import { startMariaDb, type MariaDb } from './support/mariadb.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { createRestorer } from './support/operator.js';
import { putOnlyDestination } from './support/s3-config.js';
import { shippedSegments, waitFor } from './support/binlog-segments.js';

const PASSWORD = 'Binlog-Verify-1';
let moto: MotoServer;
let db: MariaDb;
let work: string;
let config: string;

const insert = (n: number) =>
  db.query(`INSERT INTO shop.orders (note) SELECT CONCAT('order-', seq) FROM seq_1_to_${n};`, 'shop');
const folder = () => `${moto.prefix}binlog/db-1/shop-binlog/`;

/** The segment manifests of the one series, in segment order. */
const segments = () => shippedSegments(moto, folder());

/** Inserts, then waits until the server's current position is shipped. */
async function insertAndShip(n: number): Promise<void> {
  await insert(n);
  const [file = '', size = '0'] = (await db.query('SHOW MASTER STATUS')).split('\t');
  await waitFor(`${file} ${size} shipped`, async () =>
    (await segments()).some((s) => s.file === file && s.to >= Number(size)),
  );
}

beforeAll(async () => {
  [moto, db] = await Promise.all([
    startMoto(),
    startMariaDb({ serverArgs: ['--log-bin=binlog', '--server-id=7', '--binlog-format=ROW'] }),
  ]);
  work = await mkdtemp(join(tmpdir(), 'ba-binlog-verify-'));
  await chmod(work, 0o755);
  await db.query(
    [
      'CREATE DATABASE shop;',
      'CREATE TABLE shop.orders (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(64), at TIMESTAMP(6) DEFAULT CURRENT_TIMESTAMP(6));',
    ].join('\n'),
  );
  await db.createBackupUser('backup', PASSWORD, { databases: ['shop'] });
  const connection = { host: '127.0.0.1', port: db.port, password: PASSWORD };
  config = await writeConfig(work, {
    host: 'db-1',
    state_dir: join(work, 'state'),
    destination: await putOnlyDestination(moto, work),
    assets: [
      { name: 'shop-db', type: 'mysql', databases: ['shop'], user: 'backup', ...connection },
      { name: 'shop-binlog', type: 'mysql-binlog', user: 'binlog', upload_interval: '1s', ...connection },
    ],
  });
});
afterAll(async () => {
  await Promise.all([moto.stop(), db.stop()]);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('verify of binlog series', () => {
  it('the binlog account policy --mysql prints is what the stream needs, and check names a missing privilege', async () => {
    const policy = await runCli(['policy', '--mysql', '-c', config]);
    expect(policy.exitCode, policy.stderr).toBe(0);
    const grants = policy.stdout.split('\n').filter((line) => line.includes("'binlog'@'%'"));
    expect(grants).toEqual([
      "-- mysql-binlog \"shop-binlog\": 'binlog'@'%'",
      "CREATE USER IF NOT EXISTS 'binlog'@'%' IDENTIFIED BY <password from the options file>;",
      "GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'binlog'@'%';",
    ]);
    await db.query(grants.slice(1).join('\n').replace('<password from the options file>', `'${PASSWORD}'`));
    await db.query("REVOKE BINLOG MONITOR ON *.* FROM 'binlog'@'%';");
    const lacking = await runCli(['check', '-c', config]);
    expect(lacking.stdout).toMatch(
      /FAIL {2}mysql-binlog "shop-binlog": binlog@% lacks BINLOG MONITOR \(SHOW BINARY LOGS.*\): GRANT BINLOG MONITOR ON \*\.\* TO 'binlog'@'%'/,
    );
    await db.query("GRANT BINLOG MONITOR ON *.* TO 'binlog'@'%';");
    const check = await runCli(['check', '-c', config]);
    expect(check.stdout).toMatch(/ok {4}mysql-binlog "shop-binlog": mariadb-binlog: .*server_id 7.*binlog_format ROW/);
  }, 20_000);

  it('passes a shipped series with its recovery window, then names the gap a deleted segment leaves', async () => {
    await insert(50);
    const run = await runCli(['run', '-c', config, '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const dump = (
      JSON.parse(run.stdout) as { artifacts: { key: string; binlog?: { file: string; position: number } }[] }
    ).artifacts[0];
    expect(dump?.binlog?.file).toBe('binlog.000001');

    const streamer = startCli(['-c', config, 'binlog']);
    try {
      for (const rows of [100, 100, 100]) await insertAndShip(rows);
      await db.query('FLUSH BINARY LOGS');
      await insertAndShip(100);
    } finally {
      streamer.kill('SIGTERM');
    }
    expect((await streamer).exitCode).toBe(130);
    const lastWrite = new Date();

    const reader = await createRestorer(moto, config, work);
    const verify = () => runCli(['verify', '-c', config, '--credentials-file', reader, '--host', 'db-1']);
    const good = await verify();
    expect(good.exitCode, good.stdout + good.stderr).toBe(0);
    const line = new RegExp(
      String.raw`^OK    db-1 shop-binlog binlog series 7-\d{8}T\d{6}Z: (\d+) segments contiguous, binlog\.000001 0 \.\. binlog\.000002 \d+; sizes and sha256 match; recovery window (\S+) \(dump (\S+) at binlog\.000001:(\d+)\) \.\. (\S+) \(last shipped event\)$`,
      'm',
    );
    const [, count = '', from = '', key = '', position = '', to = ''] = line.exec(good.stdout) ?? [];
    expect(good.stdout).toMatch(line);
    const shipped = await segments();
    expect(Number(count)).toBe(shipped.length);
    expect([key, Number(position)]).toEqual([dump?.key, dump?.binlog?.position]);
    expect(Date.parse(from)).toBeLessThan(Date.parse(to));
    // Event times are whole seconds: the last one is within the second of the last write.
    expect(Math.abs(Date.parse(to) - lastWrite.getTime())).toBeLessThan(3_000);

    // An admin deletes a segment in the middle of binlog.000001, its object and its manifest.
    const first = shipped.filter((s) => s.file === 'binlog.000001');
    expect(first.length).toBeGreaterThanOrEqual(3);
    const gone = first[1]!;
    await moto.adminClient().send(
      new DeleteObjectsCommand({
        Bucket: moto.bucket,
        Delete: { Objects: [{ Key: gone.key }, { Key: gone.manifest }] },
      }),
    );
    const bad = await verify();
    expect(bad.exitCode, bad.stdout).toBe(1);
    expect(bad.stdout).toMatch(
      new RegExp(
        String.raw`^FAIL  db-1 shop-binlog binlog series 7-\S+: s3://\S+: ${shipped.length - 1} segments: gap: binlog\.000001 bytes ${gone.from}-${gone.to} are missing: segment ${gone.segment - 1} \(binlog\.000001 ${first[0]?.from}-${gone.from}\) ends at ${gone.from}, segment ${gone.segment + 1} \(binlog\.000001 ${gone.to}-\d+\) begins at ${gone.to}$`,
        'm',
      ),
    );
  }, 40_000);
});
