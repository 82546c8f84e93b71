// The read-side stores (local directory, S3 on moto with a read-only user) keep one contract; denials are explained.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalStore } from '../../src/destinations/local-store.js';
import { createS3Store } from '../../src/destinations/s3-store.js';
import { createS3Client } from '../../src/destinations/s3-client.js';
import type { S3DestinationConfig } from '../../src/config/schema.js';
import { restorePolicy } from '../../src/destinations/s3-policy.js';
import { startMoto, type MotoCredentials, type MotoServer } from './support/moto.js';
import { createIamUser } from './support/iam.js';
import { describeStoreContract } from './support/store-contract.js';
import { ifStarted } from './support/if-started.js';

let moto: MotoServer;
let work: string;
let reader: MotoCredentials;

function destination(): S3DestinationConfig {
  return {
    type: 's3',
    bucket: moto.bucket,
    region: moto.region,
    prefix: moto.prefix,
    endpoint: moto.endpoint,
    force_path_style: true,
    write_once: true,
    upload: { part_size: 16 * 1024 * 1024, queue_size: 4 },
    timeouts: { connect: 10_000, idle: 60_000 },
    retry: { budget: 60_000 },
  };
}

function s3Store(creds: MotoCredentials, pageSize?: number) {
  const config = destination();
  const client = createS3Client({
    ...config,
    credentials: { access_key_id: creds.accessKeyId, secret_access_key: creds.secretAccessKey },
  });
  return createS3Store(config, client, 'the test key', pageSize ? { pageSize } : {});
}

beforeAll(async () => {
  moto = await startMoto();
  work = await mkdtemp(join(tmpdir(), 'ba-store-'));
  reader = await createIamUser(moto, 'restorer', restorePolicy(destination()).Statement);
});
afterAll(async () => {
  await ifStarted(moto)?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describeStoreContract('local', async () => {
  const root = join(work, randomBytes(4).toString('hex'));
  const store = createLocalStore(root);
  // An unfinished write of the local destination is never listed.
  await mkdir(join(root, 'p/daily/2026-11-01/web-1'), { recursive: true });
  await writeFile(join(root, 'p/daily/2026-11-01/web-1/.x.manifest.json.partial-0123456789ab'), 'half');
  return {
    store,
    root: 'p/',
    async put(key, body) {
      await mkdir(dirname(join(root, key)), { recursive: true });
      await writeFile(join(root, key), body);
    },
  };
});

describeStoreContract('s3 (moto, read-only user from `policy --restore`, pages of 2 keys)', () => {
  const root = `${moto.prefix}${randomBytes(4).toString('hex')}/`;
  return {
    store: s3Store(reader, 2),
    root,
    async put(key, body) {
      await moto.adminClient().send(new PutObjectCommand({ Bucket: moto.bucket, Key: key, Body: body }));
    },
  };
});

describe('s3 store with the put-only host key', () => {
  it('cannot list or read: AccessDenied names the permission, the resource and where the credentials came from', async () => {
    const key = `${moto.prefix}daily/2026-11-01/h/a.tar.zst`;
    await moto.adminClient().send(new PutObjectCommand({ Bucket: moto.bucket, Key: key, Body: 'x' }));
    const store = s3Store(moto.putOnly);
    const listing = (async () => {
      for await (const _ of store.list(moto.prefix, { signal: AbortSignal.timeout(30_000) })) {
        /* denied */
      }
    })();
    await expect(listing).rejects.toMatchObject({
      code: 'DESTINATION_DENIED',
      message: expect.stringContaining(
        `s3://${moto.bucket}/${moto.prefix}: ListObjectsV2 denied (AccessDenied) for the credentials from the test key: they need s3:ListBucket on arn:aws:s3:::${moto.bucket}`,
      ) as string,
    });
    await expect(store.open(key, AbortSignal.timeout(30_000))).rejects.toMatchObject({
      code: 'DESTINATION_DENIED',
      message: expect.stringContaining(
        `GetObject denied (AccessDenied) for the credentials from the test key: they need s3:GetObject on arn:aws:s3:::${moto.bucket}/${moto.prefix}*`,
      ) as string,
    });
    await expect(store.stat(key, AbortSignal.timeout(30_000))).rejects.toMatchObject({
      code: 'DESTINATION_DENIED',
      message: expect.stringContaining('HeadObject denied') as string,
    });
  });
});
