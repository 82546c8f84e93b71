// MySQL assets end to end: real MariaDB, real moto as the put-only user, the CLI as users run it.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type MotoServer } from './support/moto.js';
import { FIXTURE_BIN, runCli, startCli, writeConfig } from './support/cli.js';
import { startMariaDb, type MariaDb } from './support/mariadb.js';
import { restoreDump } from './support/mariadb-restore.js';
import { holdTableLock } from './support/mariadb-lock.js';
import { ifStarted } from './support/if-started.js';

const PASSWORD = 'S3cr3t-pw#with "quotes" and \\ spaces';
let moto: MotoServer;
let db: MariaDb;
let work: string;
let keyFile: string;

beforeAll(async () => {
  [moto, db] = await Promise.all([startMoto(), startMariaDb()]);
  work = await mkdtemp(join(tmpdir(), 'ba-mysql-'));
  keyFile = await moto.writeKeyFile(moto.putOnly, work);
  await db.createFixtureDatabase('shop');
  await db.createFixtureDatabase('billing');
  await db.createBackupUser('backup', PASSWORD);
});
afterAll(async () => {
  await Promise.all([ifStarted(moto)?.stop(), ifStarted(db)?.stop()]);
  if (work) await rm(work, { recursive: true, force: true });
});

function mysqlAsset(name: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    type: 'mysql',
    databases: ['shop'],
    host: '127.0.0.1',
    port: db.port,
    user: 'backup',
    password: '${DB_PASSWORD}',
    ...extra,
  };
}

async function configFile(name: string, assets: unknown[]): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  return writeConfig(dir, {
    host: name,
    state_dir: join(dir, 'state'),
    destination: {
      type: 's3',
      bucket: moto.bucket,
      endpoint: moto.endpoint,
      force_path_style: true,
      prefix: moto.prefix,
      credentials: { key_file: keyFile },
      upload: { part_size: '5MiB', queue_size: 2 },
    },
    assets,
  });
}

interface Report {
  status: string;
  manifest_key: string;
  artifacts: { asset: string; label: string; key: string; status: string; error?: string; sha256: string }[];
}

async function restoreFromS3(key: string, into: string): Promise<void> {
  const path = join(work, `${into}.sql`);
  const { stdout } = await execa('zstd', ['-d', '-c'], { input: await moto.getObject(key), encoding: 'buffer' });
  await writeFile(path, stdout);
  await restoreDump(db.rootDefaultsFile, path, { from: /--(\w+)\.sql\.zst$/.exec(key)![1]!, to: into });
}

describe('mysql asset to S3 as a put-only user', () => {
  it('dumps each database to its own object that restores with identical CHECKSUM TABLE and every object; no secret leaks', async () => {
    const record = join(work, 'record');
    await mkdir(record, { recursive: true });
    const file = await configFile('roundtrip', [
      mysqlAsset('shop-db', {
        databases: ['shop', 'billing'],
        dump_binary: join(FIXTURE_BIN, 'recording-dump'),
        extra_options: [`--record-dir=${record}`],
        concurrency: 2,
      }),
    ]);
    const before = moto.count403();
    const result = await runCli(['run', '-c', file, '--json'], { DB_PASSWORD: PASSWORD });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(moto.count403() - before).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.artifacts.map((a) => [a.label, a.status])).toEqual([
      ['shop', 'ok'],
      ['billing', 'ok'],
    ]);
    expect(report.artifacts[0]!.key).toMatch(
      /^backups\/\w+\/\d{4}-\d{2}-\d{2}\/roundtrip\/shop-db\/\d{8}T\d{6}Z--shop\.sql\.zst$/,
    );

    for (const name of ['shop', 'billing']) {
      const key = report.artifacts.find((a) => a.label === name)!.key;
      await restoreFromS3(key, `${name}_restored`);
      expect(await db.checksums(`${name}_restored`)).toEqual(await db.checksums(name));
      expect(await db.objects(`${name}_restored`)).toEqual(await db.objects(name));
    }
    const objects = await db.objects('shop_restored');
    for (const list of [objects.routines, objects.triggers, objects.events, objects.views])
      expect(list.length).toBeGreaterThan(0);

    // The password reached the dump only through a 0600 options file, which is gone now.
    const recorded = await readdir(record);
    expect(recorded.filter((f) => f.startsWith('argv.'))).toHaveLength(2);
    for (const f of recorded) {
      const text = await readFile(join(record, f), 'utf8');
      expect(text).not.toContain('S3cr3t');
      if (f.startsWith('options-mode.')) expect(text.trim()).toBe('600 root');
      // Run under coreutils stdbuf: 64 KiB stdout writes instead of 4 KiB (docs/design.md).
      if (f.startsWith('environ.'))
        expect(text.split('\n')).toEqual(
          expect.arrayContaining(['_STDBUF_O=65536', expect.stringMatching(/^LD_PRELOAD=.*libstdbuf\.so$/)]),
        );
      if (f.startsWith('argv.')) {
        const optionsFile = text.split('\n')[1]!.replace('--defaults-extra-file=', '');
        expect(text.split('\n')[1]).toMatch(/^--defaults-extra-file=\//);
        expect(existsSync(optionsFile)).toBe(false);
      }
    }
    expect(result.stdout + result.stderr).not.toContain('S3cr3t');
    const manifest = (await moto.getObject(report.manifest_key)).toString('utf8');
    expect(manifest).not.toContain('S3cr3t');
  });

  it('dry run connects and resolves databases: all (without system databases)', async () => {
    const file = await configFile('dryrun', [mysqlAsset('all-db', { databases: 'all' })]);
    const result = await runCli(['run', '-c', file, '--dry-run'], { DB_PASSWORD: PASSWORD });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`plan: all-db: mariadb-dump on 127.0.0.1:${db.port}:`);
    expect(result.stdout).toMatch(/all-db\/billing\s+planned/);
    expect(result.stdout).toMatch(/all-db\/shop\s+planned/);
    expect(result.stdout).not.toMatch(/all-db\/(mysql|sys|information_schema|performance_schema)\s/);
  });

  it('gives one clear line per failure, uploads nothing for it, and still backs up the rest (exit 3)', async () => {
    const file = await configFile('failures', [
      mysqlAsset('down', { port: 1 }),
      mysqlAsset('badpw', { password: 'wrong' }),
      mysqlAsset('unknown', { databases: ['nope'] }),
      mysqlAsset('nobinary', { dump_binary: '/nonexistent/mysqldump' }),
      mysqlAsset('truncated', { dump_binary: join(FIXTURE_BIN, 'truncated-dump') }),
      mysqlAsset('good'),
    ]);
    const result = await runCli(['run', '-c', file, '--json'], { DB_PASSWORD: PASSWORD });
    expect(result.exitCode).toBe(3);
    const report = JSON.parse(result.stdout) as Report;
    const error = (asset: string) => report.artifacts.find((a) => a.asset === asset)!.error;
    expect(error('down')).toMatch(
      /^mysql "down": cannot connect to 127\.0\.0\.1:1: .*Can't connect to server on '127\.0\.0\.1'.* \(is the server running\? check host, port, socket\)$/,
    );
    expect(error('badpw')).toMatch(
      /^mysql "badpw": access denied by 127\.0\.0\.1:\d+: ERROR 1045 \(28000\): Access denied for user 'backup'.* \(check user and password, password_file or defaults_file\)$/,
    );
    expect(error('unknown')).toBe(
      `mysql "unknown": mariadb-dump exited 2: mariadb-dump: Got error: 1049: "Unknown database 'nope'" when selecting the database`,
    );
    expect(error('nobinary')).toBe(
      'mysql "nobinary": dump_binary /nonexistent/mysqldump not found or not executable (install mariadb-client or set dump_binary)',
    );
    expect(error('truncated')).toBe(
      'mysql "truncated": truncated-dump exited 0 but its output lacks the "-- Dump completed" footer: the dump is incomplete',
    );
    expect(report.artifacts.find((a) => a.asset === 'good')!.status).toBe('ok');
    const stored = await moto.listKeys(moto.prefix);
    for (const asset of ['down', 'badpw', 'unknown', 'nobinary', 'truncated']) {
      expect(stored.filter((k) => k.includes(`/failures/${asset}/`))).toEqual([]);
    }
    expect(result.stdout + result.stderr).not.toContain('S3cr3t');
  });
});

describe('the dump passes through Node to the compressor', () => {
  it('a good dump passes, records the exact dump size as bytes_read and restores', async () => {
    const file = await configFile('verify-good', [mysqlAsset('v')]);
    const result = await runCli(['run', '-c', file, '--json'], { DB_PASSWORD: PASSWORD });
    expect(result.exitCode, result.stderr).toBe(0);
    const artifact = (JSON.parse(result.stdout) as { artifacts: { key: string; bytes_read: number }[] }).artifacts[0]!;
    const { stdout } = await execa('zstd', ['-d', '-c'], {
      input: await moto.getObject(artifact.key),
      encoding: 'buffer',
      stripFinalNewline: false,
    });
    expect(artifact.bytes_read).toBe(stdout.length);
    expect(Buffer.from(stdout).subarray(-200).toString('latin1')).toMatch(/-- Dump completed on [^\n]*\n$/);
  });

  it('a compressor that fails mid-stream stops the dump, is named as the cause, and nothing is stored (exit 1)', async () => {
    await db.createFixtureDatabase('zbig');
    await db.fillBig('zbig', 20_000); // ~4 MB: the dump is still writing when the failing zstd dies after 64 KiB
    const file = await configFile('zstd-fails', [mysqlAsset('z', { databases: ['zbig'] })]);
    const result = await runCli(['run', '-c', file, '--json'], {
      DB_PASSWORD: PASSWORD,
      PATH: `${join(FIXTURE_BIN, '..', 'failing-zstd')}:${process.env.PATH}`,
    });
    expect(result.exitCode, result.stderr).toBe(1);
    const artifact = (JSON.parse(result.stdout) as Report).artifacts[0]!;
    expect(artifact.error).toBe(
      'mysql "z": compression failed: zstd exited 70: zstd: error 70 : Write error : cannot write block : No space left on device',
    );
    expect(await moto.listKeys(artifact.key)).toEqual([]);
  });

  // The compressor dies after the dump has exited, with some of the dump's output still unread in
  // socket buffers (150 kB) or with the dump still blocked writing (700 kB): the compressor's error,
  // no object, and no hang either way.
  for (const bytes of [150_000, 700_000]) {
    it(`a compressor that dies late (${bytes / 1000} kB dump) fails the artifact without hanging`, async () => {
      const file = await configFile(`zstd-late-${bytes}`, [
        mysqlAsset('late', {
          dump_binary: join(FIXTURE_BIN, 'sized-dump'),
          extra_options: [`--fixture-bytes=${bytes}`],
        }),
      ]);
      const result = await runCli(['run', '-c', file, '--json'], {
        DB_PASSWORD: PASSWORD,
        PATH: `${join(FIXTURE_BIN, '..', 'late-failing-zstd')}:${process.env.PATH}`,
      });
      expect(result.exitCode, result.stderr).toBe(1);
      const artifact = (JSON.parse(result.stdout) as Report).artifacts[0]!;
      expect(artifact.error).toBe(
        'mysql "late": compression failed: zstd exited 70: zstd: error 70 : Write error : cannot write block : No space left on device',
      );
      expect(await moto.listKeys(artifact.key)).toEqual([]);
    }, 60_000); // 16 s in a CI run, 21-26 s with the machine's 2 cores at load 9: a hang is still caught
  }

  it('without a working stdbuf the dump runs unbuffered, says so in --dry-run, and still backs up', async () => {
    const env = { DB_PASSWORD: PASSWORD, PATH: `${join(FIXTURE_BIN, '..', 'broken-stdbuf')}:${process.env.PATH}` };
    const file = await configFile('no-stdbuf', [mysqlAsset('n')]);
    const dry = await runCli(['run', '-c', file, '--dry-run'], env);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(
      'no working stdbuf (coreutils) on PATH: mariadb-dump writes 4 KiB at a time, which costs CPU',
    );
    const result = await runCli(['run', '-c', file, '--json'], env);
    expect(result.exitCode, result.stderr).toBe(0);
    const artifact = (JSON.parse(result.stdout) as Report).artifacts[0]!;
    const { stdout } = await execa('zstd', ['-d', '-c'], {
      input: await moto.getObject(artifact.key),
      encoding: 'buffer',
      stripFinalNewline: false,
    });
    expect(Buffer.from(stdout).subarray(-200).toString('latin1')).toMatch(/-- Dump completed on [^\n]*\n$/);
  });
});

describe('a dump killed mid-stream never becomes a backup', () => {
  for (const victim of ['dump process', 'server'] as const) {
    it(`kill the ${victim}: the dump's error is reported, no object at the key, exit 1`, async () => {
      const own = victim === 'server' ? await startMariaDb() : db;
      try {
        const name = victim === 'server' ? 'bigserver' : 'bigdump';
        await own.createFixtureDatabase(name);
        await own.fillBig(name, 400_000);
        if (own !== db) await own.createBackupUser('backup', PASSWORD);
        const file = await configFile(`kill-${name}`, [
          { ...mysqlAsset('big', { databases: [name] }), port: own.port },
        ]);
        const child = startCli(['run', '-c', file, '--json'], { DB_PASSWORD: PASSWORD });
        const deadline = Date.now() + 60_000;
        while (!new RegExp(`/kill-${name}/big/[^ ]*partNumber=1&`).test(moto.log())) {
          if (Date.now() > deadline) throw new Error('upload never started');
          await new Promise((r) => setTimeout(r, 20));
        }
        if (victim === 'server') await own.kill();
        else await execa('pkill', ['-KILL', '-f', '--', `--databases ${name}$`], { reject: false });
        const result = await child;
        expect(result.exitCode, result.stderr).toBe(1);
        const report = JSON.parse(result.stdout) as Report;
        expect(report.artifacts[0]!.status).toBe('failed');
        expect(report.artifacts[0]!.error).toMatch(
          victim === 'server'
            ? /^mysql "big": (mariadb-dump exited \d+: .*(Lost connection|Error 2013|2026|gone away)|cannot connect to .*)/
            : /^mysql "big": mariadb-dump was killed by SIGKILL/,
        );
        expect(report.artifacts[0]!.error).not.toMatch(/AccessDenied/);
        expect(await moto.listKeys(report.artifacts[0]!.key)).toEqual([]);
      } finally {
        if (own !== db) await own.stop();
      }
    });
  }
});

describe('a dump never waits on a lock forever', () => {
  let lockdb: string;
  beforeAll(async () => {
    lockdb = 'lockdb';
    await db.createFixtureDatabase(lockdb);
  });

  it('LOCK TABLES ... WRITE held by another session: the database fails within lock_wait_timeout naming the table; the files asset is stored (exit 3)', async () => {
    const data = join(work, 'lock-data');
    await mkdir(data, { recursive: true });
    await writeFile(join(data, 'a.txt'), 'still backed up\n');
    const file = await configFile('lockwait', [
      { name: 'www', type: 'files', paths: [data] },
      mysqlAsset('locked', { databases: [lockdb], lock_wait_timeout: '2s' }),
    ]);
    const lock = await holdTableLock(db.rootDefaultsFile, lockdb, 'orders');
    let result;
    try {
      result = await runCli(['run', '-c', file, '--json'], { DB_PASSWORD: PASSWORD });
    } finally {
      await lock.release();
    }
    expect(result.exitCode, result.stderr).toBe(3);
    const report = JSON.parse(result.stdout) as Report & { artifacts: { duration_ms: number }[] };
    const [files, dump] = report.artifacts;
    expect(files).toMatchObject({ asset: 'www', status: 'ok' });
    expect(dump!.status).toBe('failed');
    expect(dump!.error).toMatch(
      new RegExp(
        `^mysql "locked": database "${lockdb}": waited \\d+s for a lock on table \`orders\` \\(Waiting for table metadata lock\\), longer than lock_wait_timeout \\(2s\\): another session holds it \\(LOCK TABLES \\.\\.\\. WRITE, .*\\); the dump was stopped and nothing was uploaded$`,
      ),
    );
    // Within the bound plus slack for polling (at most 1 s here), the client and a loaded machine.
    expect(dump!.duration_ms).toBeGreaterThanOrEqual(2000);
    expect(dump!.duration_ms).toBeLessThan(20_000);
    expect(await moto.listKeys(dump!.key)).toEqual([]);
    const manifest = JSON.parse((await moto.getObject(report.manifest_key)).toString('utf8')) as Report;
    expect(manifest.artifacts.map((a) => [a.asset, a.status])).toEqual([
      ['www', 'ok'],
      ['locked', 'failed'],
    ]);
  });

  it("a SIGKILLed run's options file (the password, in /dev/shm) is removed by the next run, never a live run's", async () => {
    const file = await configFile('killed', [mysqlAsset('killed', { databases: [lockdb] })]);
    const lock = await holdTableLock(db.rootDefaultsFile, lockdb, 'orders');
    let leftover: string | undefined;
    try {
      const child = startCli(['run', '-c', file], { DB_PASSWORD: PASSWORD });
      const deadline = Date.now() + 30_000;
      while (leftover === undefined) {
        if (Date.now() > deadline) throw new Error('no options directory appeared in /dev/shm');
        leftover = (await readdir('/dev/shm')).find((name) => name.startsWith(`backup-agent-${child.pid}-`));
        await new Promise((r) => setTimeout(r, 50));
      }
      // The dump waits on the lock now. Another config's run (its own state_dir and lock) sweeps /dev/shm
      // at its start and must leave this live run's directory alone.
      const data = join(work, 'killed-other-data');
      await mkdir(data, { recursive: true });
      await writeFile(join(data, 'x'), 'x');
      const other = await runCli([
        'run',
        '-c',
        await configFile('killed-other', [{ name: 'www', type: 'files', paths: [data] }]),
      ]);
      expect(other.exitCode, other.stderr).toBe(0);
      expect(existsSync(join('/dev/shm', leftover, 'client.cnf'))).toBe(true);
      child.kill('SIGKILL');
      await child;
      expect(existsSync(join('/dev/shm', leftover, 'client.cnf'))).toBe(true);
    } finally {
      await lock.release();
    }
    const next = await runCli(['run', '-c', file], { DB_PASSWORD: PASSWORD });
    expect(next.exitCode, next.stderr).toBe(0);
    expect(existsSync(join('/dev/shm', leftover))).toBe(false);
    const messages = next.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(messages).toContain(
      `removed /dev/shm/${leftover}, left by a run that was killed (PID ${leftover.split('-')[2]} is not running)`,
    );
    expect(
      messages.some(
        (m) => m.startsWith('took over a stale lock') && m.endsWith(`PID ${leftover.split('-')[2]} is not running`),
      ),
    ).toBe(true);
  });
});
