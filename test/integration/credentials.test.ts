// Credential sources without STS (inline ${ENV} keys, key files) and the secret-file mode check, through the CLI.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { expectLanded, expectNoSecrets } from './support/landed.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { writePrivateFile, writeS3Config } from './support/s3-config.js';
import { ifStarted } from './support/if-started.js';

let moto: MotoServer;
let work: string;
let data: string;
let secrets: string[];

beforeAll(async () => {
  moto = await startMoto();
  work = await mkdtemp(join(tmpdir(), 'ba-credentials-'));
  data = join(work, 'data');
  await mkdir(data, { recursive: true });
  await writeFile(join(data, 'a.txt'), 'hello\n');
  secrets = [moto.admin.secretAccessKey, moto.putOnly.secretAccessKey];
});
afterAll(async () => {
  await ifStarted(moto)?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const configFile = (name: string, credentials: Record<string, unknown>) =>
  writeS3Config(moto, work, name, [data], { credentials });

describe('credential sources', () => {
  it('inline keys from ${ENV} config values: the backup lands and the secret is printed nowhere, validate included', async () => {
    const file = await configFile('inline', { access_key_id: '${S3_KEY_ID}', secret_access_key: '${S3_SECRET}' });
    const env = { S3_KEY_ID: moto.putOnly.accessKeyId, S3_SECRET: moto.putOnly.secretAccessKey };
    await expectLanded(moto, await runCli(['run', '-c', file, '--json'], env), secrets);
    const validate = await runCli(['validate', '-c', file], env);
    expect(validate.exitCode).toBe(0);
    expect(validate.stdout).toContain('secret_access_key: "[redacted]"');
    expectNoSecrets(validate, secrets);
  });

  it('key_file with a [backup] section and profile: backup, ignoring AWS_PROFILE, AWS_CONFIG_FILE and the other sections', async () => {
    const dir = join(work, 'keyfile');
    await mkdir(dir, { recursive: true });
    const keyFile = await writePrivateFile(
      join(dir, 's3-credentials'),
      [
        '[default]',
        'aws_access_key_id = AKIADEFAULTSECTION00',
        'aws_secret_access_key = not-this-one',
        '',
        '[backup]',
        `aws_access_key_id = ${moto.putOnly.accessKeyId}`,
        `aws_secret_access_key = ${moto.putOnly.secretAccessKey}`,
        '',
      ].join('\n'),
    );
    // Were the user's shared config consulted, this profile would turn the key file into an AssumeRole that fails.
    const hijack = await writePrivateFile(
      join(dir, 'aws-config'),
      '[profile backup]\nrole_arn = arn:aws:iam::123456789012:role/not-this\nsource_profile = backup\n',
    );
    const env = {
      AWS_PROFILE: 'elsewhere',
      AWS_CONFIG_FILE: hijack,
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'missing'),
    };
    const file = await configFile('keyfile', { key_file: keyFile, profile: 'backup' });
    const logBefore = moto.log().length;
    await expectLanded(moto, await runCli(['run', '-c', file, '--json'], env), [...secrets, 'not-this-one']);
    expect(moto.log().slice(logBefore)).not.toContain('"POST / HTTP'); // no STS call was made
  });

  it('a key file without the section names the key file and section', async () => {
    const keyFile = await writePrivateFile(
      join(work, 'no-section.ini'),
      `[default]\naws_access_key_id = ${moto.putOnly.accessKeyId}\naws_secret_access_key = ${moto.putOnly.secretAccessKey}\n`,
    );
    const result = await runCli(['run', '-c', await configFile('nosection', { key_file: keyFile, profile: 'backup' })]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      `credentials from key_file ${keyFile} [backup]: Could not resolve credentials using profile: [backup]`,
    );
    expectNoSecrets(result, secrets);
  });
});

describe('secret file permissions', () => {
  it('a key_file readable by others stops run and validate with exit 2 and the chmod that fixes it', async () => {
    const dir = join(work, 'open-key');
    await mkdir(dir, { recursive: true });
    const keyFile = await writePrivateFile(
      join(dir, 's3-credentials'),
      `[default]\naws_access_key_id = ${moto.putOnly.accessKeyId}\naws_secret_access_key = ${moto.putOnly.secretAccessKey}\n`,
      0o644,
    );
    const file = await configFile('open-key', { key_file: keyFile });
    const line = `key_file ${keyFile} is accessible by group/others (mode 0644): run chmod 600 ${keyFile}`;
    for (const command of ['run', 'validate']) {
      const result = await runCli([command, '-c', file]);
      expect(result.exitCode, command).toBe(2);
      expect(result.stderr).toBe(`backup-agent: secret files: 1 problem\n  ${line}`);
      expect(result.stdout).toBe('');
    }
    expect(await moto.listKeys(`${moto.prefix}open-key/`)).toEqual([]);
    await chmod(keyFile, 0o600);
    await expectLanded(moto, await runCli(['run', '-c', file, '--json']), secrets);
  });
});
