// The operator's side of the tests: a read-only IAM user made from `backup-agent policy --restore`, and
// helpers to craft backups (archive + manifest) as an admin would upload them.
import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { runCli } from './cli.js';
import { createIamUser, type Statement } from './iam.js';
import type { MotoServer } from './moto.js';

/** Creates an IAM user with exactly the policy `policy --restore -c config` prints; resolves to its key file in `dir`. */
export async function createRestorer(
  moto: MotoServer,
  config: string,
  dir: string,
  name = 'restorer',
): Promise<string> {
  const printed = await runCli(['policy', '--restore', '-c', config]);
  if (printed.exitCode !== 0) throw new Error(`policy --restore failed: ${printed.stderr}`);
  const { Statement } = JSON.parse(printed.stdout) as { Statement: Statement[] };
  return moto.writeKeyFile(await createIamUser(moto, name, Statement), dir);
}

/** Uploads `body` at `key` and a manifest of host `host` recording it (as an admin could); resolves to the manifest key. */
export async function uploadWithManifest(
  moto: MotoServer,
  options: {
    host: string;
    asset: string;
    type: string;
    key: string;
    body: Buffer;
    label?: string;
    startedAt: string;
    tier?: string;
  },
): Promise<string> {
  const { host, asset, type, key, body, label, startedAt } = options;
  const tier = options.tier ?? 'daily';
  const stamp = `${startedAt.slice(0, 19).replace(/[-:]/g, '')}Z`;
  const manifestKey = `${moto.prefix}${tier}/${startedAt.slice(0, 10)}/${host}/${stamp}.manifest.json`;
  const manifest = {
    format: 'backup-agent-manifest',
    version: 1,
    run_id: 'crafted',
    host,
    tier,
    started_at: startedAt,
    finished_at: startedAt,
    status: 'ok',
    artifacts: [
      {
        asset,
        type,
        ...(label ? { label } : {}),
        key,
        status: 'ok',
        bytes_read: body.length,
        bytes_stored: body.length,
        sha256: createHash('sha256').update(body).digest('hex'),
        compression: 'none',
        duration_ms: 1,
        skipped: [],
        warnings: [],
        omitted: 0,
      },
    ],
  };
  const admin = moto.adminClient();
  await admin.send(new PutObjectCommand({ Bucket: moto.bucket, Key: key, Body: body }));
  await admin.send(new PutObjectCommand({ Bucket: moto.bucket, Key: manifestKey, Body: JSON.stringify(manifest) }));
  return manifestKey;
}

/** Replaces the object at `key` with its bytes where the byte at `offset` is flipped (as admin). */
export async function corruptObject(moto: MotoServer, key: string, offset: number): Promise<void> {
  const bytes = await moto.getObject(key);
  bytes[offset] = bytes[offset]! ^ 0xff;
  await moto.adminClient().send(new PutObjectCommand({ Bucket: moto.bucket, Key: key, Body: bytes }));
}
