// Encrypted backups end to end (age binary and JS engine), restored with Debian's stock `age -d`,
// and the secrets check: a full run with known secrets prints and stores none of them.
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type MotoServer } from './support/moto.js';
import { runCli, writeConfig } from './support/cli.js';
import { startMariaDb, type MariaDb } from './support/mariadb.js';
import { describeTree, makeTree } from './support/tree.js';
import { requireTool } from './support/require-tool.js';
import { ifStarted } from './support/if-started.js';

let moto: MotoServer;
let db: MariaDb;
let work: string;
let identity: string;
let recipient: string;

beforeAll(async () => {
  await requireTool('age', 'age-keygen', 'zstd', 'tar');
  [moto, db] = await Promise.all([startMoto(), startMariaDb()]);
  work = await mkdtemp(join(tmpdir(), 'ba-enc-'));
  identity = join(work, 'operator-key.txt'); // the operator's key: never on the backup host in real life
  await execa('age-keygen', ['-o', identity]);
  recipient = (await execa('age-keygen', ['-y', identity])).stdout.trim();
  await makeTree(join(work, 'src'));
  await db.createFixtureDatabase('shop');
  await db.createBackupUser('backup', 'Db-Pa55-known-secret');
});
afterAll(async () => {
  await Promise.all([ifStarted(moto)?.stop(), ifStarted(db)?.stop()]);
  if (work) await rm(work, { recursive: true, force: true });
});

interface Report {
  manifest_key: string;
  artifacts: { asset: string; key: string; status: string; encryption?: string }[];
}

async function decrypt(key: string): Promise<Buffer> {
  const { stdout } = await execa('age', ['-d', '-i', identity], {
    input: await moto.getObject(key),
    encoding: 'buffer',
  });
  return Buffer.from(stdout);
}

async function backup(
  name: string,
  env: Record<string, string>,
  extra: Record<string, unknown> = {},
): Promise<{ report: Report; stdout: string; stderr: string }> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  const file = await writeConfig(dir, {
    host: name,
    state_dir: join(dir, 'state'),
    destination: {
      type: 's3',
      bucket: moto.bucket,
      endpoint: moto.endpoint,
      force_path_style: true,
      prefix: moto.prefix,
      credentials: { access_key_id: '${S3_KEY_ID}', secret_access_key: '${S3_SECRET}' },
    },
    encryption: { age_recipients: [recipient] },
    assets: [{ name: 'www', type: 'files', paths: [join(work, 'src/www')] }],
    ...extra,
  });
  const result = await runCli(['run', '-c', file, '--json'], {
    S3_KEY_ID: moto.putOnly.accessKeyId,
    S3_SECRET: moto.putOnly.secretAccessKey,
    ...env,
  });
  expect(result.exitCode, result.stderr).toBe(0);
  return { report: JSON.parse(result.stdout) as Report, stdout: result.stdout, stderr: result.stderr };
}

async function expectRestorable(report: Report, into: string): Promise<void> {
  const www = report.artifacts.find((a) => a.asset === 'www')!;
  expect(www.key).toMatch(/\.tar\.zst\.age$/);
  expect(report.manifest_key).toMatch(/\.manifest\.json\.age$/);
  const tarData = (await execa('zstd', ['-d', '-c'], { input: await decrypt(www.key), encoding: 'buffer' })).stdout;
  await mkdir(into, { recursive: true });
  await execa('tar', ['-x', '-C', into], { input: tarData });
  expect(await describeTree(join(into, work.slice(1), 'src/www'))).toEqual(await describeTree(join(work, 'src/www')));
  const manifest = JSON.parse((await decrypt(report.manifest_key)).toString('utf8')) as Report;
  expect(manifest.artifacts.map((a) => a.key)).toContain(www.key);
  // Without the key the object is opaque.
  expect((await moto.getObject(www.key)).subarray(0, 22).toString()).toBe('age-encryption.org/v1\n');
}

describe('age encryption', () => {
  it('encrypts artifacts and the manifest with the age binary; the stock age CLI restores them', async () => {
    const { report } = await backup('enc-binary', {});
    expect(report.artifacts[0]!.encryption).toMatch(/^age binary .*\/age, 1 recipient/);
    await expectRestorable(report, join(work, 'restored-binary'));
  });

  it('falls back to the JS engine without an age binary; the stock age CLI still restores', async () => {
    const bin = join(work, 'bin-without-age');
    await mkdir(bin, { recursive: true });
    for (const tool of ['tar', 'zstd']) await symlink(`/usr/bin/${tool}`, join(bin, tool));
    await symlink(process.execPath, join(bin, 'node'));
    const { report } = await backup('enc-js', { PATH: bin });
    expect(report.artifacts[0]!.encryption).toMatch(/^age-encryption \(JS\)/);
    await expectRestorable(report, join(work, 'restored-js'));
  });

  it('a full run with known secrets (S3 secret, DB password) shows none in output, manifest or logs', async () => {
    const { report, stdout, stderr } = await backup(
      'secrets',
      { DB_PASSWORD: 'Db-Pa55-known-secret' },
      {
        assets: [
          { name: 'www', type: 'files', paths: [join(work, 'src/www')] },
          {
            name: 'shop-db',
            type: 'mysql',
            databases: ['shop'],
            host: '127.0.0.1',
            port: db.port,
            user: 'backup',
            password: '${DB_PASSWORD}',
          },
        ],
      },
    );
    expect(report.artifacts.map((a) => a.status)).toEqual(['ok', 'ok']);
    const manifest = (await decrypt(report.manifest_key)).toString('utf8');
    const validate = await runCli(['validate', '-c', join(work, 'secrets/config.yml')], {
      S3_KEY_ID: moto.putOnly.accessKeyId,
      S3_SECRET: moto.putOnly.secretAccessKey,
      DB_PASSWORD: 'Db-Pa55-known-secret',
    });
    expect(validate.exitCode, validate.stderr).toBe(0);
    const state = await readFile(join(work, 'secrets/state/last-run.json'), 'utf8');
    for (const secret of [
      moto.putOnly.secretAccessKey,
      'Db-Pa55-known-secret',
      await readFile(identity, 'utf8').then((k) => /AGE-SECRET-KEY-\S+/.exec(k)![0]),
    ]) {
      for (const [where, text] of Object.entries({
        stdout,
        stderr,
        manifest,
        validate: validate.stdout + validate.stderr,
        state,
      })) {
        expect(text.includes(secret), `${where} contains a secret`).toBe(false);
      }
    }
    // The database dump itself restores from the encrypted object.
    const dump = (
      await execa('zstd', ['-d', '-c'], { input: await decrypt(report.artifacts[1]!.key), encoding: 'buffer' })
    ).stdout;
    expect(Buffer.from(dump).toString('utf8')).toMatch(/-- Dump completed/);
  });
});
