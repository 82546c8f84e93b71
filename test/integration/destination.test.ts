// The write-side destinations (memory, local directory, S3 on moto with the put-only user) keep one contract.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { S3DestinationConfig } from '../../src/config/schema.js';
import { createLocalDestination } from '../../src/destinations/local-destination.js';
import { createMemoryDestination } from '../../src/destinations/memory-destination.js';
import { createS3Client } from '../../src/destinations/s3-client.js';
import { createS3Destination } from '../../src/destinations/s3-destination.js';
import { captureLogger } from '../fixtures/notify/notify-fixtures.js';
import { describeDestinationContract } from './support/destination-contract.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { ifStarted } from './support/if-started.js';

let moto: MotoServer;
let work: string;

beforeAll(async () => {
  moto = await startMoto();
  work = await mkdtemp(join(tmpdir(), 'ba-destination-'));
});
afterAll(async () => {
  await ifStarted(moto)?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describeDestinationContract('memory', () => {
  const destination = createMemoryDestination();
  const root = 'backups/';
  return {
    destination,
    root,
    read: (key) => Promise.resolve(destination.objects.get(key)?.body),
    entries: () => Promise.resolve([...destination.objects.keys()].sort()),
  };
});

describeDestinationContract('local', () => {
  const path = join(work, randomBytes(4).toString('hex'));
  const root = 'backups/';
  return {
    destination: createLocalDestination({ type: 'local', path, prefix: root }),
    root,
    read: (key) => readFile(join(path, key)).catch(() => undefined),
    // Recursive, hidden files included: a leftover .partial file is an entry too.
    entries: async () => {
      const found = await readdir(path, { recursive: true, withFileTypes: true }).catch(() => []);
      return found
        .filter((e) => e.isFile())
        .map((e) => relative(path, join(e.parentPath, e.name)))
        .sort();
    },
  };
});

describeDestinationContract('s3 (moto, the put-only user; objects read back as admin)', () => {
  const root = `${moto.prefix}${randomBytes(4).toString('hex')}/`;
  const config: S3DestinationConfig = {
    type: 's3',
    bucket: moto.bucket,
    region: moto.region,
    prefix: moto.prefix,
    endpoint: moto.endpoint,
    force_path_style: true,
    write_once: true,
    upload: { part_size: 5 * 1024 * 1024, queue_size: 2 },
    timeouts: { connect: 10_000, idle: 60_000 },
    retry: { budget: 10_000 },
  };
  const client = createS3Client({
    ...config,
    credentials: { access_key_id: moto.putOnly.accessKeyId, secret_access_key: moto.putOnly.secretAccessKey },
  });
  const log = captureLogger();
  return {
    destination: createS3Destination(config, log.logger, client),
    root,
    read: (key) =>
      moto.getObject(key).catch((error: unknown) => {
        if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
        throw error;
      }),
    entries: async () => (await moto.listKeys(root)).sort(),
    openUploads: {
      count: async (key) => (await moto.listMultipartUploads()).filter((u) => u.Key === key).length,
      afterBodyError: 1,
      warnings: () =>
        log
          .lines()
          .filter((l) => l.level === 'warn')
          .map((l) => l.msg),
    },
  };
});
