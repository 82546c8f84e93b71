import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupError } from '../shared/backup-error.js';
import { parseConfig } from './load-config.js';
import { checkSecretFiles } from './secret-files.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ba-secret-files-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function secret(name: string, mode: number): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, 'secret\n');
  await chmod(path, mode);
  return path;
}

function config(files: { key?: string; password?: string; defaults?: string; passphrase?: string }) {
  const text = JSON.stringify({
    destination: { type: 's3', bucket: 'acme-backups', ...(files.key ? { credentials: { key_file: files.key } } : {}) },
    ...(files.passphrase ? { encryption: { passphrase_file: files.passphrase } } : {}),
    assets: [
      { name: 'www', type: 'files', paths: ['/srv/www'] },
      {
        name: 'shop',
        type: 'mysql',
        databases: ['shop'],
        ...(files.password ? { password_file: files.password } : {}),
        ...(files.defaults ? { defaults_file: files.defaults } : {}),
      },
    ],
  });
  return parseConfig(text, join(dir, 'config.yml'), {});
}

async function rejection(promise: Promise<void>): Promise<BackupError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BackupError);
  expect((error as BackupError).code).toBe('CONFIG_INVALID');
  expect((error as BackupError).exitCode).toBe(2);
  return error as BackupError;
}

describe('checkSecretFiles', () => {
  it('accepts secret files readable by their owner only (0600, 0400), and configs without any', async () => {
    const key = await secret('key-600', 0o600);
    const password = await secret('password-400', 0o400);
    await expect(checkSecretFiles(config({ key, password }))).resolves.toBeUndefined();
    await expect(checkSecretFiles(config({}))).resolves.toBeUndefined();
  });

  it('refuses a key file readable by others, quoting its mode and the chmod that fixes it', async () => {
    const key = await secret('s3-credentials', 0o644);
    const error = await rejection(checkSecretFiles(config({ key })));
    expect(error.message).toBe('secret files: 1 problem');
    expect(error.details).toEqual([`key_file ${key} is accessible by group/others (mode 0644): run chmod 600 ${key}`]);
  });

  it('refuses group-only access too (0640, 0660), as OpenSSH does for private keys', async () => {
    const passphrase = await secret('passphrase-640', 0o640);
    const defaults = await secret('my-660.cnf', 0o660);
    const error = await rejection(checkSecretFiles(config({ passphrase, defaults })));
    expect(error.details).toEqual([
      `mysql "shop" defaults_file ${defaults} is accessible by group/others (mode 0660): run chmod 600 ${defaults}`,
      `encryption.passphrase_file ${passphrase} is accessible by group/others (mode 0640): run chmod 600 ${passphrase}`,
    ]);
  });

  it('lists every problem at once: missing, a directory, and too open', async () => {
    const missing = join(dir, 'no-such-key');
    const directory = join(dir, 'a-directory');
    await mkdir(directory, { recursive: true });
    const password = await secret('password-604', 0o604);
    const error = await rejection(checkSecretFiles(config({ key: missing, defaults: directory, password })));
    expect(error.message).toBe('secret files: 3 problems');
    expect(error.details).toEqual([
      `cannot read key_file ${missing}: ENOENT`,
      `mysql "shop" password_file ${password} is accessible by group/others (mode 0604): run chmod 600 ${password}`,
      `cannot read mysql "shop" defaults_file ${directory}: EISDIR`,
    ]);
  });
});

describe('secretFilesOf', () => {
  it('lists every secret-bearing file of a config, including the SMTP password file', async () => {
    const { secretFilesOf } = await import('./secret-files.js');
    const config = parseConfig(
      `
destination: { type: s3, bucket: acme, credentials: { key_file: /k } }
encryption: { passphrase_file: /p }
notify: { email: { to: [ops@example.com], smtp: { host: mail, password_file: /s } } }
assets: [{ name: db, type: mysql, databases: [shop], password_file: /d, defaults_file: /c }]
`,
      '/etc/ba/config.yml',
      {},
    );
    expect(
      secretFilesOf(config)
        .map((f) => f.path)
        .sort(),
    ).toEqual(['/c', '/d', '/k', '/p', '/s']);
  });
});
