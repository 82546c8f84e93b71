// Proves the moto harness: IAM is enforced, put-only is really put-only, and the launcher's SigV4 fix works.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { fromIni } from '@aws-sdk/credential-providers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type MotoServer } from './support/moto.js';
import { ifStarted } from './support/if-started.js';

interface SdkError extends Error {
  $metadata?: { httpStatusCode?: number };
}

/** Awaits a request that must fail and returns the SDK error. */
async function failure(request: Promise<unknown>): Promise<SdkError> {
  try {
    await request;
  } catch (e) {
    return e as SdkError;
  }
  throw new Error('request unexpectedly succeeded');
}

describe('moto harness (IAM enforced)', () => {
  let moto: MotoServer;
  let putOnly: S3Client;
  let admin: S3Client;

  beforeAll(async () => {
    moto = await startMoto();
    putOnly = moto.clientFor(moto.putOnly);
    admin = moto.adminClient();
  });

  afterAll(async () => {
    await ifStarted(moto)?.stop();
  });

  it('exposes endpoint, region, bucket, prefix and two distinct users', () => {
    expect(moto.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(moto.region).toBe('us-east-1');
    expect(moto.prefix).toBe('backups/');
    expect(moto.putOnly.accessKeyId).not.toBe(moto.admin.accessKeyId);
    expect(moto.log()).toMatch(/"POST \/moto-api\/reset-auth HTTP\/1\.1" 200/);
  });

  it('lets put-only write under the prefix, and admin read it back; no 403', async () => {
    const before = moto.count403();
    const Key = `${moto.prefix}plain/one.txt`;
    await putOnly.send(new PutObjectCommand({ Bucket: moto.bucket, Key, Body: 'hello' }));
    expect((await moto.getObject(Key)).toString()).toBe('hello');
    expect(await moto.listKeys(`${moto.prefix}plain/`)).toEqual([Key]);
    expect(moto.count403() - before).toBe(0);
  });

  it('denies put-only everything but PutObject under the prefix, and counts each 403', async () => {
    const before = moto.count403();
    const Bucket = moto.bucket;
    const Key = `${moto.prefix}plain/one.txt`;
    await putOnly.send(new PutObjectCommand({ Bucket, Key, Body: 'x' }));
    const { UploadId } = await putOnly.send(
      new CreateMultipartUploadCommand({ Bucket, Key: `${moto.prefix}mp-abort` }),
    );

    const errors = {
      get: await failure(putOnly.send(new GetObjectCommand({ Bucket, Key }))),
      head: await failure(putOnly.send(new HeadObjectCommand({ Bucket, Key }))),
      list: await failure(putOnly.send(new ListObjectsV2Command({ Bucket, Prefix: moto.prefix }))),
      delete: await failure(putOnly.send(new DeleteObjectCommand({ Bucket, Key }))),
      abort: await failure(
        putOnly.send(new AbortMultipartUploadCommand({ Bucket, Key: `${moto.prefix}mp-abort`, UploadId })),
      ),
      outside: await failure(putOnly.send(new PutObjectCommand({ Bucket, Key: 'elsewhere/x', Body: 'x' }))),
      root: await failure(putOnly.send(new PutObjectCommand({ Bucket, Key: 'backupsX', Body: 'x' }))),
    };
    for (const [op, e] of Object.entries(errors)) {
      expect(e.$metadata?.httpStatusCode, op).toBe(403);
    }
    expect(errors.head.name).toBe('Unknown');
    expect(errors.get.name).toBe('AccessDenied');
    expect(moto.count403() - before).toBe(Object.keys(errors).length);

    // The denied abort left the upload open; admin can see and abort it.
    expect(await moto.listMultipartUploads()).toContainEqual({ Key: `${moto.prefix}mp-abort`, UploadId });
    await admin.send(new AbortMultipartUploadCommand({ Bucket, Key: `${moto.prefix}mp-abort`, UploadId }));
    expect(await moto.listMultipartUploads()).toEqual([]);
    expect(await moto.listKeys('elsewhere/')).toEqual([]);
  });

  it('lets put-only complete a multipart upload', async () => {
    const before = moto.count403();
    const Bucket = moto.bucket;
    const Key = `${moto.prefix}multipart.bin`;
    const part1 = Buffer.alloc(5 * 1024 * 1024, 1);
    const part2 = Buffer.from('tail');
    const { UploadId } = await putOnly.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const p1 = await putOnly.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: part1 }));
    const p2 = await putOnly.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: part2 }));
    await putOnly.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: p1.ETag },
            { PartNumber: 2, ETag: p2.ETag },
          ],
        },
      }),
    );
    expect((await moto.getObject(Key)).equals(Buffer.concat([part1, part2]))).toBe(true);
    expect(await moto.listMultipartUploads()).toEqual([]);
    expect(moto.count403() - before).toBe(0);
  });

  it("answers 412 to a second PutObject with IfNoneMatch: '*'", async () => {
    const before403 = moto.count403();
    const before412 = moto.countStatus(412);
    const put = { Bucket: moto.bucket, Key: `${moto.prefix}once.txt`, IfNoneMatch: '*' };
    await putOnly.send(new PutObjectCommand({ ...put, Body: 'first' }));
    const e = await failure(putOnly.send(new PutObjectCommand({ ...put, Body: 'second' })));
    expect(e.$metadata?.httpStatusCode).toBe(412);
    expect((await moto.getObject(put.Key)).toString()).toBe('first');
    expect(moto.countStatus(412) - before412).toBe(1);
    expect(moto.count403() - before403).toBe(0);
  });

  it('signs keys with = + : % and non-ASCII, and prefixes with /, under enforcement', async () => {
    const before = moto.count403();
    const Bucket = moto.bucket;
    const keys = [`${moto.prefix}odd/a=b+c.txt`, `${moto.prefix}odd/t:1 50%.txt`, `${moto.prefix}odd/ünï.txt`];
    for (const Key of keys) await putOnly.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
    for (const Key of keys) {
      await admin.send(new HeadObjectCommand({ Bucket, Key }));
      expect((await moto.getObject(Key)).toString()).toBe(Key);
    }
    const listed = await admin.send(new ListObjectsV2Command({ Bucket, Prefix: `${moto.prefix}odd/` }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual([...keys].sort());
    expect((await moto.listKeys(`${moto.prefix}odd/`)).sort()).toEqual([...keys].sort());
    expect(moto.count403() - before).toBe(0);
  });

  it('writes a 0600 key file the SDK can load', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'moto-keys-'));
    try {
      const path = await moto.writeKeyFile(moto.putOnly, dir);
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      expect(await readFile(path, 'utf8')).toBe(
        `[default]\naws_access_key_id=${moto.putOnly.accessKeyId}\naws_secret_access_key=${moto.putOnly.secretAccessKey}\n`,
      );
      const creds = await fromIni({ filepath: path, configFilepath: join(dir, 'none'), profile: 'default' })();
      const client = moto.clientFor(creds);
      await client.send(new PutObjectCommand({ Bucket: moto.bucket, Key: `${moto.prefix}ini.txt`, Body: 'ini' }));
      expect((await moto.getObject(`${moto.prefix}ini.txt`)).toString()).toBe('ini');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails (never skips) with a clear error when moto cannot be imported', async () => {
    await expect(startMoto({ python: 'python3-that-does-not-exist' })).rejects.toThrow(
      /moto is not installed: pip install 'moto\[server\]'/,
    );
  });
});
