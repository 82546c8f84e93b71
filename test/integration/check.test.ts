// `backup-agent check` as users run it: real moto with IAM enforced (put-only, admin, no-PutObject
// users), real MariaDB (wrong password, unknown database), unreadable files as an ordinary user.
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIamUser } from './support/iam.js';
import { startMariaDb, type MariaDb } from './support/mariadb.js';
import { holdTableLock } from './support/mariadb-lock.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { BIN, runCli, writeConfig } from './support/cli.js';
import { requireTool } from './support/require-tool.js';
import { ifStarted } from './support/if-started.js';

let moto: MotoServer;
let db: MariaDb;
let work: string;
let data: string;
const keys: Record<'putOnly' | 'admin' | 'noPut', string> = { putOnly: '', admin: '', noPut: '' };

beforeAll(async () => {
  [moto, db] = await Promise.all([startMoto(), startMariaDb()]);
  work = await mkdtemp(join(tmpdir(), 'ba-check-'));
  data = join(work, 'data');
  await mkdir(join(data, 'sub'), { recursive: true });
  await writeFile(join(data, 'a.txt'), 'check me\n');
  await writeFile(join(data, 'sub/b.bin'), Buffer.alloc(4096, 7));
  const reader = await createIamUser(moto, 'reader-no-put', [
    {
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: [`arn:aws:s3:::${moto.bucket}`, `arn:aws:s3:::${moto.bucket}/*`],
    },
  ]);
  keys.putOnly = await moto.writeKeyFile(moto.putOnly, work);
  keys.admin = await moto.writeKeyFile(moto.admin, work);
  keys.noPut = await moto.writeKeyFile(reader, work);
  await db.createFixtureDatabase('shop');
  await db.createBackupUser('backup', 'right-password');
});
afterAll(async () => {
  await Promise.all([ifStarted(moto)?.stop(), ifStarted(db)?.stop()]);
  if (work) await rm(work, { recursive: true, force: true });
});

async function config(
  name: string,
  options: { key?: string; assets?: unknown[]; destination?: Record<string, unknown> } = {},
): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  return writeConfig(dir, {
    host: name,
    state_dir: join(dir, 'state'),
    destination: options.destination ?? {
      type: 's3',
      bucket: moto.bucket,
      endpoint: moto.endpoint,
      force_path_style: true,
      prefix: moto.prefix,
      credentials: { key_file: options.key ?? keys.putOnly },
    },
    assets: options.assets ?? [{ name: 'www', type: 'files', paths: [data] }],
  });
}

interface Checks {
  ok: boolean;
  exit_code: number;
  checks: { check: string; status: string; message: string }[];
}
const line = (stdout: string, check: string) =>
  stdout.split('\n').find((l) => l.slice(6).startsWith(`${check}: `)) ?? `(no ${check} line)`;

describe('backup-agent check', () => {
  it('put-only host: put allowed, list/head/get/delete denied is healthy, exit 0; the object stays under _check/', async () => {
    const before = await moto.listKeys(`${moto.prefix}_check/put-only/`);
    const result = await runCli(['check', '-c', await config('put-only')]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(line(result.stdout, 's3 put')).toMatch(
      /^ok {4}s3 put: allowed: wrote s3:\/\/backup-agent-test\/backups\/_check\/put-only\/\d{8}T\d{6}Z--[0-9a-f]{16}\.txt with If-None-Match/,
    );
    expect(line(result.stdout, 's3 write-once')).toMatch(/^ok {4}.*refused a second write/);
    for (const op of ['list', 'head', 'get'])
      expect(line(result.stdout, `s3 ${op}`)).toBe(`ok    s3 ${op}: denied, as it should be for a put-only host`);
    expect(line(result.stdout, 's3 delete')).toContain(
      'denied, as it should be for a put-only host; the check object remains at s3://backup-agent-test/backups/_check/put-only/',
    );
    expect(line(result.stdout, 's3 delete')).toContain(
      '`backup-agent lifecycle` includes a rule expiring backups/_check/ after 1 day',
    );
    expect(result.stdout).toContain('ok    s3 put-only: good: this host cannot read, list or delete backups');
    // File data versus what run reports as READ: 2 files and 2 directories as a tar archive.
    expect(line(result.stdout, 'files "www"')).toBe(
      'ok    files "www": 1 path, 2 files, 2 directories, 4.0 KiB of file data (~20.0 KiB as a tar archive: run\'s READ), all readable',
    );
    expect(result.stdout).toMatch(/\ncheck passed: a backup would succeed$/);
    expect((await moto.listKeys(`${moto.prefix}_check/put-only/`)).length).toBe(before.length + 1);
    // No backup was uploaded: the host's only objects are check objects.
    expect(
      (await moto.listKeys(moto.prefix)).filter(
        (k) => k.includes('/put-only/') && !k.startsWith(`${moto.prefix}_check/`),
      ),
    ).toEqual([]);

    // Every check writes a new key, so write-once never refuses the next one.
    const json = await runCli(['check', '--json', '-c', await config('put-only')]);
    expect(json.exitCode).toBe(0);
    const parsed = JSON.parse(json.stdout) as Checks;
    expect(parsed).toMatchObject({ ok: true, exit_code: 0 });
    expect(parsed.checks.find((c) => c.check === 's3 get')).toEqual({
      check: 's3 get',
      status: 'ok',
      message: 'denied, as it should be for a put-only host',
    });
    expect((await moto.listKeys(`${moto.prefix}_check/put-only/`)).length).toBe(before.length + 2);
  });

  it('an admin key is over-privileged: warnings for list/head/get/delete, exit 0, check object cleaned up', async () => {
    const result = await runCli(['check', '-c', await config('admin-host', { key: keys.admin })]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(line(result.stdout, 's3 put')).toMatch(/^ok {4}s3 put: allowed/);
    expect(line(result.stdout, 's3 list')).toMatch(
      /^WARN {2}s3 list: allowed: this key can list backups .*backup-agent policy/,
    );
    expect(line(result.stdout, 's3 get')).toMatch(/^WARN {2}s3 get: allowed: this key can read backups/);
    expect(line(result.stdout, 's3 delete')).toMatch(
      /^WARN {2}s3 delete: allowed: this key can delete backups: a compromised host could destroy its own history; .*the check object was deleted$/,
    );
    expect(result.stdout).not.toContain('good: this host cannot');
    expect(result.stdout).toMatch(/\ncheck passed: a backup would succeed \(4 warnings\)$/);
    expect(await moto.listKeys(`${moto.prefix}_check/admin-host/`)).toEqual([]);
  });

  it('a key without s3:PutObject fails the check, exit 1, naming the permission', async () => {
    const result = await runCli(['check', '-c', await config('no-put', { key: keys.noPut })]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(1);
    expect(line(result.stdout, 's3 put')).toMatch(
      new RegExp(
        `^FAIL {2}s3 put: s3://${moto.bucket}/backups/_check/no-put/\\S+: PutObject denied \\(AccessDenied\\): the credentials need s3:PutObject on arn:aws:s3:::${moto.bucket}/backups/\\*$`,
      ),
    );
    expect(line(result.stdout, 's3 get')).toMatch(/^WARN {2}s3 get: allowed/);
    expect(line(result.stdout, 's3 delete')).toBe('ok    s3 delete: denied, as it should be for a put-only host');
    expect(result.stdout).toMatch(/\ncheck failed: 1 problem would make a backup fail or be partial \(3 warnings\)$/);
    expect(await moto.listKeys(`${moto.prefix}_check/no-put/`)).toEqual([]);
  });

  it('a missing bucket fails the put and leaves the other operations untested', async () => {
    const file = await config('no-bucket', {
      destination: {
        type: 's3',
        bucket: 'no-such-bucket',
        endpoint: moto.endpoint,
        force_path_style: true,
        prefix: moto.prefix,
        credentials: { key_file: keys.admin },
      },
    });
    const result = await runCli(['check', '-c', file]);
    expect(result.exitCode).toBe(1);
    expect(line(result.stdout, 's3 put')).toBe(
      'FAIL  s3 put: s3://no-such-bucket: bucket does not exist (region us-east-1, endpoint ' +
        moto.endpoint +
        '): check destination.bucket (list, head, get and delete not tested)',
    );
    expect(result.stdout).not.toContain('s3 list');
  });

  it('mysql: reachable with the right credentials; wrong password and unknown database fail with the fix', async () => {
    const asset = (name: string, extra: Record<string, unknown>) => ({
      name,
      type: 'mysql',
      host: '127.0.0.1',
      port: db.port,
      user: 'backup',
      databases: ['shop'],
      ...extra,
    });
    const good = await runCli([
      'check',
      '-c',
      await config('db-ok', { assets: [asset('db', { password: 'right-password' })] }),
    ]);
    expect(good.exitCode, good.stdout + good.stderr).toBe(0);
    expect(line(good.stdout, 'mysql "db"')).toMatch(
      /^ok {4}mysql "db": mariadb-dump \(\/\S+\) on 127\.0\.0\.1:\d+: shop reachable, schema dump succeeds$/,
    );

    const wrong = await runCli([
      'check',
      '--json',
      '-c',
      await config('db-wrong', { assets: [asset('db', { password: 'wrong-password' })] }),
    ]);
    expect(wrong.exitCode).toBe(1);
    const failed = (JSON.parse(wrong.stdout) as Checks).checks.find((c) => c.check === 'mysql "db"')!;
    expect(failed.status).toBe('fail');
    expect(failed.message).toMatch(
      /^access denied by 127\.0\.0\.1:\d+: .*Access denied for user 'backup'.*\(check user and password, password_file or defaults_file\)$/,
    );
    expect(wrong.stdout).not.toContain('wrong-password');

    const unknown = await runCli([
      'check',
      '-c',
      await config('db-unknown', {
        assets: [asset('db', { password: 'right-password', databases: ['shop', 'nope'] })],
      }),
    ]);
    expect(unknown.exitCode).toBe(1);
    expect(line(unknown.stdout, 'mysql "db"')).toMatch(
      /^FAIL {2}mysql "db": database "nope" not found on 127\.0\.0\.1:\d+: it does not exist or this user has no privileges on it \(SHOW DATABASES lists: .*shop.*\)/,
    );

    const noDump = await runCli([
      'check',
      '-c',
      await config('db-nodump', {
        assets: [asset('db', { password: 'right-password', dump_binary: '/nonexistent/mysqldump' })],
      }),
    ]);
    expect(noDump.exitCode).toBe(1);
    expect(line(noDump.stdout, 'mysql "db"')).toBe(
      'FAIL  mysql "db": dump_binary /nonexistent/mysqldump not found or not executable (install mariadb-client or set dump_binary)',
    );
  });

  it('mysql: a schema dump blocked by a lock fails within lock_wait_timeout, naming the wait', async () => {
    // --flush-logs with --single-transaction makes the dump run FLUSH TABLES WITH READ LOCK (root may), which
    // waits for another session's LOCK TABLES ... WRITE: the schema-only dump of `check` would wait a day.
    const asset = {
      name: 'db',
      type: 'mysql',
      databases: ['shop'],
      defaults_file: db.rootDefaultsFile,
      extra_options: ['--flush-logs'],
      lock_wait_timeout: '2s',
    };
    const lock = await holdTableLock(db.rootDefaultsFile, 'shop', 'orders');
    let result;
    const started = Date.now();
    try {
      result = await runCli(['check', '-c', await config('db-locked', { assets: [asset] })]);
    } finally {
      await lock.release();
    }
    expect(result.exitCode, result.stdout + result.stderr).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(line(result.stdout, 'mysql "db"')).toMatch(
      /^FAIL {2}mysql "db": schema dump of "shop" failed: database "shop": waited \d+s for a lock \(FLUSH TABLES WITH READ LOCK\) \(Waiting for backup lock\), longer than lock_wait_timeout \(2s\): another session holds it/,
    );
  });

  it('changes nothing on the host: a missing state_dir and destination are reported, not created; probe files and folders are removed', async () => {
    const dir = join(work, 'untouched');
    await mkdir(join(dir, 'store'), { recursive: true });
    const cfg = await config('untouched', { destination: { type: 'local', path: join(dir, 'store'), prefix: 'p/' } });
    const result = await runCli(['check', '-c', cfg]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(line(result.stdout, 'state_dir')).toBe(
      `ok    state_dir: ${join(work, 'untouched', 'state')} does not exist yet: the first run creates it (mode 0700) in ${join(work, 'untouched')}, which is writable`,
    );
    expect(line(result.stdout, 'local destination')).toBe(
      `ok    local destination: ${join(dir, 'store')} is writable (a test file was written atomically and removed)`,
    );
    expect((await readdir(join(work, 'untouched'))).sort()).toEqual(['config.yml', 'store']);
    expect(await readdir(join(dir, 'store'))).toEqual([]);

    // Under a file: the first run could not create it.
    const blocked = join(dir, 'a-file/store');
    await writeFile(join(dir, 'a-file'), '');
    const missing = await runCli([
      'check',
      '-c',
      await config('untouched-blocked', { destination: { type: 'local', path: blocked } }),
    ]);
    expect(missing.exitCode).toBe(1);
    expect(line(missing.stdout, 'local destination')).toBe(
      `FAIL  local destination: ${blocked} does not exist and cannot be created in ${join(dir, 'a-file')}: ENOTDIR (destination.path must be writable by the backup user)`,
    );
  });

  it('fails on the placeholders init wrote, saying what belongs there, and leaves S3 alone', async () => {
    const etc = join(work, 'init-stub');
    const init = await runCli(['init', '--dir', etc, '--host', 'stub-host']);
    expect(init.exitCode, init.stderr).toBe(0);
    const text = await readFile(join(etc, 'config.yml'), 'utf8');
    // The state_dir under the test's directory; everything else as init wrote it (AWS endpoint: never contacted).
    await writeFile(
      join(etc, 'config.yml'),
      text
        .replace('state_dir: /var/lib/backup-agent', `state_dir: ${join(etc, 'state')}`)
        .replace('paths: [/etc]', `paths: [${data}]`)
        .replace('#   defaults_file:', '  defaults_file:')
        .replace('# - name: mysql', '- name: mysql')
        .replace('#   type: mysql', '  type: mysql')
        .replace('#   databases: all', '  databases: all'),
    );
    const result = await runCli(['check', '--json', '-c', join(etc, 'config.yml')]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(1);
    const checks = (JSON.parse(result.stdout) as Checks).checks;
    expect(checks.filter((c) => c.check === 'secret files')).toEqual([
      {
        check: 'secret files',
        status: 'fail',
        message: `key_file ${join(etc, 's3-credentials')} still holds the REPLACE_ME placeholder written by \`backup-agent init\`: put the access key of the put-only IAM user (aws_access_key_id and aws_secret_access_key under [default]; \`backup-agent policy\` prints its policy) there`,
      },
      {
        check: 'secret files',
        status: 'fail',
        message: `mysql "mysql" defaults_file ${join(etc, 'my.cnf')} still holds the REPLACE_ME placeholder written by \`backup-agent init\`: put the user and password of the MySQL backup user (GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON *.*) there`,
      },
    ]);
    expect(checks.find((c) => c.check === 'destination')).toEqual({
      check: 'destination',
      status: 'fail',
      message:
        'destination.bucket is still "replace-me-backup-bucket", the placeholder written by `backup-agent init`: set the bucket the backups go to',
    });
    expect(checks.some((c) => c.check.startsWith('s3 '))).toBe(false);
    await expect(readdir(join(etc, 'state'))).rejects.toThrow(/ENOENT/);

    // With a real bucket but the stub key: still no request with the made-up key.
    await writeFile(
      join(etc, 'config.yml'),
      (await readFile(join(etc, 'config.yml'), 'utf8')).replace('"replace-me-backup-bucket"', `"${moto.bucket}"`),
    );
    const stubKey = await runCli(['check', '-c', join(etc, 'config.yml')]);
    expect(stubKey.exitCode).toBe(1);
    expect(line(stubKey.stdout, 'destination')).toBe(
      "FAIL  destination: not tried while the credentials are init's placeholders (see secret files above)",
    );
  });

  it('files: a missing path and a file this user cannot read fail; a group-readable key file fails with the chmod', async () => {
    const dir = join(work, 'as-nobody');
    await mkdir(join(dir, 'tree'), { recursive: true });
    await writeFile(join(dir, 'tree/ok.txt'), 'fine\n');
    await writeFile(join(dir, 'tree/secret.key'), 'root only\n');
    const cfg = await config('as-nobody-cfg', {
      destination: { type: 'local', path: join(dir, 'store') },
      assets: [{ name: 'www', type: 'files', paths: [join(dir, 'tree'), join(dir, 'missing')] }],
    });
    await execa('chown', ['-R', 'nobody:nogroup', dir, join(work, 'as-nobody-cfg')]);
    await chmod(work, 0o755); // mkdtemp made it 0700: nobody must be able to reach its own dirs
    await chmod(join(dir, 'tree/secret.key'), 0o000);
    // A name that is not UTF-8: found (not "no such file") and shown escaped.
    await writeFile(Buffer.concat([Buffer.from(join(dir, 'tree/caf')), Buffer.of(0xe9)]), 'x', { mode: 0o000 });
    // As root everything is readable: run as an ordinary user so the unreadable file is real.
    await requireTool('setpriv');
    const result = await execa(
      'setpriv',
      ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', BIN, 'check', '-c', cfg],
      { reject: false },
    );
    expect(result.exitCode, result.stdout + result.stderr).toBe(1);
    expect(line(result.stdout, 'files "www"')).toBe(
      `FAIL  files "www": 3 paths cannot be read: ${join(dir, 'missing')} (no such file or directory), ${join(dir, 'tree/caf\\xe9')} (permission denied), ${join(dir, 'tree/secret.key')} (permission denied); the backup would be partial (exit 3): fix the paths, grant read access (the systemd unit's CAP_DAC_READ_SEARCH) or add them to exclude (1 path, 3 files, 1 directory, 16 B of file data (~10.0 KiB as a tar archive: run's READ))`,
    );
    expect(line(result.stdout, 'local destination')).toBe(
      `ok    local destination: ${join(dir, 'store')} does not exist yet: the first run creates it (mode 0700) in ${dir}, which is writable`,
    );

    const loose = join(work, 'loose-key.ini');
    await writeFile(loose, await readFile(keys.putOnly));
    await chmod(loose, 0o644);
    const secrets = await runCli(['check', '-c', await config('loose', { key: loose })]);
    expect(secrets.exitCode).toBe(1);
    expect(line(secrets.stdout, 'secret files')).toBe(
      `FAIL  secret files: key_file ${loose} is accessible by group/others (mode 0644): run chmod 600 ${loose}`,
    );
  });
});
