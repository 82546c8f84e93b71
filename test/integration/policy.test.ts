// `backup-agent policy` prints policies that really work: a user created with exactly the host policy
// backs up and can do nothing else; SSE and object lock headers reach S3.
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type MotoCredentials, type MotoServer } from './support/moto.js';
import { runCli, writeConfig } from './support/cli.js';
import { ifStarted } from './support/if-started.js';

let moto: MotoServer;
let work: string;

beforeAll(async () => {
  moto = await startMoto();
  work = await mkdtemp(join(tmpdir(), 'ba-policy-'));
  await mkdir(join(work, 'data'), { recursive: true });
  await writeFile(join(work, 'data/a.txt'), 'policy test\n');
});
afterAll(async () => {
  await ifStarted(moto)?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Creates an IAM user (as admin) whose only policy is `document`; returns a key file for it. */
async function userWithPolicy(name: string, document: unknown): Promise<{ creds: MotoCredentials; keyFile: string }> {
  const iam = new IAMClient({ region: moto.region, endpoint: moto.endpoint, credentials: moto.admin });
  try {
    await iam.send(new CreateUserCommand({ UserName: name }));
    await iam.send(
      new PutUserPolicyCommand({ UserName: name, PolicyName: 'printed', PolicyDocument: JSON.stringify(document) }),
    );
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    const creds = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    const dir = join(work, name);
    await mkdir(dir, { recursive: true });
    return { creds, keyFile: await moto.writeKeyFile(creds, dir) };
  } finally {
    iam.destroy();
  }
}

async function configFile(name: string, destination: Record<string, unknown>): Promise<string> {
  const dir = join(work, `cfg-${name}`);
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
      ...destination,
    },
    assets: [{ name: 'data', type: 'files', paths: [join(work, 'data')] }],
  });
}

/** The HTTP status an S3 call ended with (200 when it succeeded). */
const status = (call: () => Promise<unknown>) =>
  call().then(
    () => 200,
    (e: unknown) => (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode,
  );

describe('backup-agent policy', () => {
  it('prints a host policy with which a new IAM user backs up and is denied everything else', async () => {
    const printed = await runCli(['policy', '-c', await configFile('print', {})]);
    expect(printed.exitCode, printed.stderr).toBe(0);
    const document = JSON.parse(printed.stdout) as { Statement: { Action: string[]; Resource: string }[] };
    expect(document.Statement).toEqual([
      {
        Sid: 'BackupAgentWriteNewBackups',
        Effect: 'Allow',
        Action: ['s3:PutObject'],
        Resource: `arn:aws:s3:::${moto.bucket}/${moto.prefix}*`,
      },
    ]);

    const { creds, keyFile } = await userWithPolicy('printed-host', document);
    const before = moto.count403();
    const run = await runCli([
      'run',
      '-c',
      await configFile('printed-host', { credentials: { key_file: keyFile } }),
      '--json',
    ]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(moto.count403() - before).toBe(0);
    const key = (JSON.parse(run.stdout) as { artifacts: { key: string }[] }).artifacts[0]!.key;

    const host = moto.clientFor(creds);
    expect(await status(() => host.send(new GetObjectCommand({ Bucket: moto.bucket, Key: key })))).toBe(403);
    expect(await status(() => host.send(new ListObjectsV2Command({ Bucket: moto.bucket })))).toBe(403);
    expect(await status(() => host.send(new DeleteObjectCommand({ Bucket: moto.bucket, Key: key })))).toBe(403);
    expect(await moto.listKeys(key)).toEqual([key]);
  });

  it('adds exactly what object_lock and SSE-KMS need, and the write-once bucket policy exempts part uploads', async () => {
    const file = await configFile('options', {
      object_lock: { mode: 'GOVERNANCE', retain_days: 30 },
      sse: { type: 'aws:kms', kms_key_id: 'arn:aws:kms:us-east-1:123456789012:key/abc' },
    });
    const host = JSON.parse((await runCli(['policy', '-c', file])).stdout) as { Statement: unknown[] };
    expect(host.Statement).toEqual([
      {
        Sid: 'BackupAgentWriteNewBackups',
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:PutObjectRetention'],
        Resource: `arn:aws:s3:::${moto.bucket}/${moto.prefix}*`,
      },
      {
        Sid: 'BackupAgentEncryptWithKms',
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: 'arn:aws:kms:us-east-1:123456789012:key/abc',
      },
    ]);
    const bucket = JSON.parse((await runCli(['policy', '--bucket-policy', '-c', file])).stdout) as {
      Statement: { Condition: unknown; Effect: string }[];
    };
    expect(bucket.Statement[0]).toMatchObject({
      Effect: 'Deny',
      Action: 's3:PutObject',
      Resource: `arn:aws:s3:::${moto.bucket}/${moto.prefix}*`,
      Condition: { Null: { 's3:if-none-match': 'true' }, Bool: { 's3:ObjectCreationOperation': 'true' } },
    });
    const restore = await runCli(['policy', '--restore', '-c', file]);
    expect(JSON.parse(restore.stdout)).toMatchObject({
      Statement: [
        { Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': `${moto.prefix}*` } } },
        { Action: ['s3:GetObject', 's3:GetObjectRetention'] },
        { Action: 'kms:Decrypt' },
      ],
    });
  });

  it('a restore user with the printed --restore policy can list and read but not write or delete', async () => {
    const file = await configFile('restore', {});
    const { creds } = await userWithPolicy(
      'printed-restore',
      JSON.parse((await runCli(['policy', '--restore', '-c', file])).stdout),
    );
    const key = (await moto.listKeys(moto.prefix))[0]!;
    const reader = moto.clientFor(creds);
    expect(await status(() => reader.send(new GetObjectCommand({ Bucket: moto.bucket, Key: key })))).toBe(200);
    expect(
      await status(() => reader.send(new ListObjectsV2Command({ Bucket: moto.bucket, Prefix: moto.prefix }))),
    ).toBe(200);
    expect(
      await status(() =>
        reader.send(new PutObjectCommand({ Bucket: moto.bucket, Key: `${moto.prefix}intruder`, Body: 'x' })),
      ),
    ).toBe(403);
    expect(await status(() => reader.send(new DeleteObjectCommand({ Bucket: moto.bucket, Key: key })))).toBe(403);
  });

  it('sends SSE and object-lock retention with every write (admin sees them on the object)', async () => {
    const admin = moto.adminClient();
    await admin.send(new CreateBucketCommand({ Bucket: 'locked-backups', ObjectLockEnabledForBucket: true }));
    const keyFile = await moto.writeKeyFile(moto.admin, join(work));
    const file = await configFile('locked', {
      bucket: 'locked-backups',
      credentials: { key_file: keyFile },
      sse: { type: 'AES256' },
      object_lock: { mode: 'GOVERNANCE', retain_days: 3 },
    });
    const run = await runCli(['run', '-c', file, '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const key = (JSON.parse(run.stdout) as { artifacts: { key: string }[] }).artifacts[0]!.key;
    const head = await admin.send(new HeadObjectCommand({ Bucket: 'locked-backups', Key: key }));
    expect(head.ServerSideEncryption).toBe('AES256');
    expect(head.ObjectLockMode).toBe('GOVERNANCE');
    const days = (head.ObjectLockRetainUntilDate!.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(2.9);
    expect(days).toBeLessThan(3.1);
  });
});
