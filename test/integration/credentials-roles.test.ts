// Assumed roles (shared-config profiles with role_arn, and role_arn + external_id) through the CLI, against moto's STS and IAM.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { createIamRole, createIamUser, putOnlyStatement } from './support/iam.js';
import { expectLanded, expectNoSecrets } from './support/landed.js';
import { startMoto, type MotoCredentials, type MotoServer } from './support/moto.js';
import { writePrivateFile, writeS3Config } from './support/s3-config.js';
import { ifStarted } from './support/if-started.js';

const EXTERNAL_ID = 'ext-7f3a9c';

let moto: MotoServer;
let work: string;
let data: string;
let assumer: MotoCredentials & { arn: string };
let assumerKeyFile: string;
let roles: { writer: string; withExternalId: string; elsewhere: string };
let secrets: string[];

beforeAll(async () => {
  moto = await startMoto();
  work = await mkdtemp(join(tmpdir(), 'ba-roles-'));
  data = join(work, 'data');
  await mkdir(data, { recursive: true });
  await writeFile(join(data, 'a.txt'), 'hello\n');
  // The base identity may only assume roles: every write below is the role's.
  assumer = await createIamUser(moto, 'ba-assumer', [
    { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/ba-*' },
  ]);
  roles = {
    writer: await createIamRole(moto, 'ba-writer', assumer.arn, [putOnlyStatement(moto)]),
    withExternalId: await createIamRole(moto, 'ba-writer-ext', assumer.arn, [putOnlyStatement(moto)], EXTERNAL_ID),
    elsewhere: await createIamRole(moto, 'ba-elsewhere', assumer.arn, [putOnlyStatement(moto, 'elsewhere/')]),
  };
  assumerKeyFile = await moto.writeKeyFile(assumer, work);
  secrets = [moto.admin.secretAccessKey, moto.putOnly.secretAccessKey, assumer.secretAccessKey];
});
afterAll(async () => {
  await ifStarted(moto)?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const configFile = (name: string, credentials: Record<string, unknown>) =>
  writeS3Config(moto, work, name, [data], { credentials });

/** moto's request lines written while `run` ran. */
async function requestsDuring<T>(run: () => Promise<T>): Promise<{ result: T; requests: string }> {
  const before = moto.log().length;
  const result = await run();
  return { result, requests: moto.log().slice(before) };
}

describe('assumed roles', () => {
  it('a shared-config profile with role_arn + source_profile (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE) assumes the role at the endpoint', async () => {
    const dir = join(work, 'profile');
    await mkdir(dir, { recursive: true });
    const env = {
      AWS_CONFIG_FILE: await writePrivateFile(
        join(dir, 'config'),
        `[profile backup]\nrole_arn = ${roles.writer}\nsource_profile = base\n`,
      ),
      AWS_SHARED_CREDENTIALS_FILE: await writePrivateFile(
        join(dir, 'credentials'),
        `[base]\naws_access_key_id = ${assumer.accessKeyId}\naws_secret_access_key = ${assumer.secretAccessKey}\n`,
      ),
      AWS_PROFILE: 'not-this-one',
    };
    const file = await configFile('profile', { profile: 'backup' });
    const { result, requests } = await requestsDuring(() => runCli(['run', '-c', file, '--json'], env));
    await expectLanded(moto, result, secrets);
    expect(requests).toMatch(/"POST \/ HTTP\/1\.1" 200/); // AssumeRole, answered by moto's STS
  });

  it('role_arn + external_id on top of a key_file: the backup lands as the role', async () => {
    const file = await configFile('external-id', {
      key_file: assumerKeyFile,
      role_arn: roles.withExternalId,
      external_id: EXTERNAL_ID,
    });
    const { result, requests } = await requestsDuring(() => runCli(['run', '-c', file, '--json']));
    await expectLanded(moto, result, secrets);
    expect(requests).toMatch(/"POST \/ HTTP\/1\.1" 200/);
  });

  it('a wrong external_id is explained as an AssumeRole denial of that role_arn, and nothing is written', async () => {
    const file = await configFile('wrong-external-id', {
      key_file: assumerKeyFile,
      role_arn: roles.withExternalId,
      external_id: 'not-the-id',
    });
    const result = await runCli(['run', '-c', file]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      `credentials from role_arn ${roles.withExternalId}: AssumeRole denied (AccessDenied: `,
    );
    expect(result.stdout).toContain("check the role's trust policy (principal, external_id)");
    expect(
      await moto.listKeys(`${moto.prefix}daily/`).then((keys) => keys.filter((k) => k.includes('/wrong-external-id/'))),
    ).toEqual([]);
    expectNoSecrets(result, secrets);
  });

  it("S3 enforces the assumed role's own policy: a role allowed only elsewhere/ is denied under the prefix", async () => {
    const file = await configFile('role-elsewhere', { key_file: assumerKeyFile, role_arn: roles.elsewhere });
    const result = await runCli(['run', '-c', file]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(
      /PutObject denied \(AccessDenied\): the credentials need s3:PutObject on arn:aws:s3:::backup-agent-test\/backups\/\*/,
    );
    expectNoSecrets(result, secrets);
  });

  it('the base identity alone (no role) is denied, so the writes above were made as the role', async () => {
    const result = await runCli(['run', '-c', await configFile('base-only', { key_file: assumerKeyFile })]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('PutObject denied (AccessDenied)');
  });
});
