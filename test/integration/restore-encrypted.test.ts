// Encrypted backups read back: list, restore (age binary and JS engine), verify, with the operator's
// --identity; a missing or wrong identity is a clear error and leaves nothing behind.
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type MotoServer } from './support/moto.js';
import { runCli, writeConfig } from './support/cli.js';
import { startMariaDb, type MariaDb } from './support/mariadb.js';
import { createRestorer } from './support/operator.js';
import { describeTree, makeTree } from './support/tree.js';
import { requireTool } from './support/require-tool.js';
import { ifStarted } from './support/if-started.js';

let moto: MotoServer;
let db: MariaDb;
let work: string;
let identity: string;
let readerKey: string;
let config: string;
let source: string;

beforeAll(async () => {
  await requireTool('age-keygen');
  [moto, db] = await Promise.all([startMoto(), startMariaDb()]);
  work = await mkdtemp(join(tmpdir(), 'ba-restore-enc-'));
  await chmod(work, 0o755);
  identity = join(work, 'operator-key.txt');
  await execa('age-keygen', ['-o', identity]);
  const recipient = (await execa('age-keygen', ['-y', identity])).stdout.trim();
  source = await makeTree(join(work, 'src'));
  await db.createFixtureDatabase('shop');
  await db.createBackupUser('backup', 'Backup-pw-123');
  const dir = join(work, 'enc-1');
  await mkdir(dir);
  config = await writeConfig(dir, {
    host: 'enc-1',
    state_dir: join(dir, 'state'),
    destination: {
      type: 's3',
      bucket: moto.bucket,
      endpoint: moto.endpoint,
      force_path_style: true,
      prefix: moto.prefix,
      credentials: { key_file: await moto.writeKeyFile(moto.putOnly, dir) },
    },
    encryption: { age_recipients: [recipient] },
    assets: [
      { name: 'www', type: 'files', paths: [join(source, 'www')] },
      {
        name: 'shop-db',
        type: 'mysql',
        databases: ['shop'],
        host: '127.0.0.1',
        port: db.port,
        user: 'backup',
        password: 'Backup-pw-123',
      },
    ],
  });
  readerKey = await createRestorer(moto, config, work);
  const run = await runCli(['run', '-c', config, '--json']);
  expect(run.exitCode, run.stderr).toBe(0);
});
afterAll(async () => {
  await Promise.all([ifStarted(moto)?.stop(), ifStarted(db)?.stop()]);
  if (work) await rm(work, { recursive: true, force: true });
});

const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli([...args, '-c', config, '--credentials-file', readerKey], env);

describe('encrypted backups', () => {
  it('list needs --identity for the encrypted manifests (exit 2), and lists them with it', async () => {
    const without = await cli(['list']);
    expect(without.exitCode).toBe(2);
    expect(without.stderr).toMatch(/manifest s3:\/\/\S+\.manifest\.json\.age is age-encrypted: pass --identity FILE/);
    const listed = await cli(['list', '--identity', identity]);
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^ {2}www \(files\)\n.* {2}ok {7}\S+\.tar\.zst\.age$/m);
    expect(listed.stdout).toMatch(/^ {2}shop-db \(mysql\)\n.* {2}ok {7}shop {2}\S+--shop\.sql\.zst\.age$/m);
  });

  it('restores files identical with the age binary and with the JS engine (no age on PATH)', async () => {
    const expected = await describeTree(join(source, 'www'));
    const binary = join(work, 'restored-binary');
    const viaBinary = await cli(['restore', '--asset', 'www', '--latest', '--to', binary, '--identity', identity]);
    expect(viaBinary.exitCode, viaBinary.stderr).toBe(0);
    expect(await describeTree(join(binary, source.slice(1), 'www'))).toEqual(expected);

    const bin = join(work, 'bin-without-age');
    await mkdir(bin, { recursive: true });
    for (const tool of ['tar', 'zstd']) await symlink(`/usr/bin/${tool}`, join(bin, tool));
    await symlink(process.execPath, join(bin, 'node'));
    const js = join(work, 'restored-js');
    const viaJs = await cli(['restore', '--asset', 'www', '--latest', '--to', js, '--identity', identity], {
      PATH: bin,
    });
    expect(viaJs.exitCode, viaJs.stderr).toBe(0);
    expect(await describeTree(join(js, source.slice(1), 'www'))).toEqual(expected);
  });

  it('restores the encrypted dump into a new database with identical CHECKSUM TABLE', async () => {
    const result = await cli([
      'restore',
      '--asset',
      'shop-db',
      '--latest',
      '--into-database',
      'shop_enc',
      '--db-defaults-file',
      db.rootDefaultsFile,
      '--identity',
      identity,
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await db.checksums('shop_enc')).toEqual(await db.checksums('shop'));
  });

  it('a wrong identity is named as such, exit 1, nothing restored; verify with the right one passes', async () => {
    const other = join(work, 'other-key.txt');
    await execa('age-keygen', ['-o', other]);
    const target = join(work, 'wrong-identity');
    const wrong = await cli(['restore', '--asset', 'www', '--latest', '--to', target, '--identity', other]);
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toContain("the --identity does not match this backup's recipients");
    expect(existsSync(target)).toBe(false);

    const verified = await cli(['verify', '--host', 'enc-1', '--identity', identity]);
    expect(verified.exitCode, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/verified 2 artifacts in 1 manifest since .*: all good/);
    expect(verified.stdout).toContain('dump footer present');
    expect(verified.stdout).toMatch(
      /: size and sha256 match; decrypts and decompresses to the end \([1-9]\d* bytes\)$/m,
    );
  });

  it('refuses an identity file that others can read, or a recipient given as identity (exit 2)', async () => {
    const open = join(work, 'open-key.txt');
    await execa('cp', [identity, open]);
    await chmod(open, 0o644);
    const loose = await cli(['list', '--identity', open]);
    expect(loose.exitCode).toBe(2);
    expect(loose.stderr).toContain(
      `--identity ${open} is accessible by group/others (mode 0644): run chmod 600 ${open}`,
    );
    const pub = join(work, 'recipient.txt');
    await execa('sh', ['-c', `age-keygen -y "$1" > "$2" && chmod 600 "$2"`, 'sh', identity, pub]);
    const recipient = await cli(['list', '--identity', pub]);
    expect(recipient.exitCode).toBe(2);
    expect(recipient.stderr).toContain('holds a recipient (age1..., the public key)');
  });
});
