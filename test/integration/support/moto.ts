// Starts a real moto S3 with IAM enforced, so integration tests meet genuine SigV4 checks and put-only denials.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { assertMotoInstalled, launchMoto, terminate } from './moto-process.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const REGION = 'us-east-1';
/** Werkzeug request line: `127.0.0.1 - - [date] "PUT /b/k HTTP/1.1" 403 -`. */
const REQUEST_LINE = /^\S+ - - \[[^\]]*\] ".*" (\d{3}) \S+$/gm;

/** An access key pair for the moto server. */
export interface MotoCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Options for {@link startMoto}; all optional. */
export interface MotoOptions {
  /** Bucket to create (default `backup-agent-test`). */
  bucket?: string;
  /** Key prefix the put-only user may write under (default `backups/`). */
  prefix?: string;
  /** Python interpreter (default `python3`). */
  python?: string;
  /** How long to wait for moto to answer (default 30 s). */
  startTimeoutMs?: number;
}

/** A running moto server with a bucket, an admin user and a put-only user; IAM is enforced. */
export interface MotoServer {
  /** `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  /** Prefix the put-only user may write under, e.g. `backups/`. */
  readonly prefix: string;
  /** Credentials of an IAM user allowed `*` on `*`. */
  readonly admin: MotoCredentials;
  /** Credentials of an IAM user allowed only `s3:PutObject` on `arn:aws:s3:::BUCKET/PREFIX*`. */
  readonly putOnly: MotoCredentials;
  /** S3 client signed as {@link MotoServer.admin}; destroyed by `stop()`. */
  adminClient(): S3Client;
  /** S3 client (path style) signed with `creds`; destroyed by `stop()`. */
  clientFor(creds: MotoCredentials, config?: Partial<S3ClientConfig>): S3Client;
  /** Writes an AWS INI key file (`[default]`, mode 0600) into `dir`; resolves to its path. */
  writeKeyFile(creds: MotoCredentials, dir: string): Promise<string>;
  /** moto's stdout and stderr so far (one request line per request, written before the response). */
  log(): string;
  /** Number of requests moto has answered with 403 so far. */
  count403(): number;
  /** Number of requests moto has answered with `status` so far. */
  countStatus(status: number): number;
  /** All object keys (optionally under `prefix`), listed as admin. */
  listKeys(prefix?: string): Promise<string[]>;
  /** An object's body, fetched as admin. */
  getObject(key: string): Promise<Buffer>;
  /** Multipart uploads still open in the bucket, listed as admin. */
  listMultipartUploads(): Promise<{ Key: string; UploadId: string }[]>;
  /** Kills moto, destroys the clients handed out and removes its temp dir (log() keeps working). Idempotent. */
  stop(): Promise<void>;
}

function s3(endpoint: string, credentials: MotoCredentials, config?: Partial<S3ClientConfig>): S3Client {
  return new S3Client({ region: REGION, endpoint, forcePathStyle: true, credentials, ...config });
}

async function createUser(iam: IAMClient, name: string, statement: object): Promise<MotoCredentials> {
  await iam.send(new CreateUserCommand({ UserName: name }));
  const PolicyDocument = JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
  await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: `${name}-policy`, PolicyDocument }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) throw new Error(`moto gave ${name} no access key`);
  return { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
}

/** Creates bucket and users with dummy credentials (moto accepts any before reset-auth), then enforces IAM. */
async function provision(endpoint: string, bucket: string, prefix: string) {
  const dummy = { accessKeyId: 'test', secretAccessKey: 'test' };
  const setup = s3(endpoint, dummy);
  const iam = new IAMClient({ region: REGION, endpoint, credentials: dummy });
  try {
    await setup.send(new CreateBucketCommand({ Bucket: bucket }));
    const admin = await createUser(iam, 'harness-admin', { Effect: 'Allow', Action: '*', Resource: '*' });
    const putOnly = await createUser(iam, 'harness-put-only', {
      Effect: 'Allow',
      Action: 's3:PutObject',
      Resource: `arn:aws:s3:::${bucket}/${prefix}*`,
    });
    const res = await fetch(`${endpoint}/moto-api/reset-auth`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: '0',
    });
    if (!res.ok) throw new Error(`moto reset-auth answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer().catch(() => undefined);
    return { admin, putOnly };
  } finally {
    setup.destroy();
    iam.destroy();
  }
}

/**
 * Starts moto (via test/fixtures/moto-launcher.py) on a free port, creates the bucket, an admin
 * user and a put-only user, then turns IAM enforcement on. Throws if moto is not installed.
 */
export async function startMoto(options: MotoOptions = {}): Promise<MotoServer> {
  const python = options.python ?? 'python3';
  const bucket = options.bucket ?? 'backup-agent-test';
  const prefix = options.prefix ?? 'backups/';
  assertMotoInstalled(python);
  const dir = mkdtempSync(join(tmpdir(), 'moto-harness-'));
  const logPath = join(dir, 'moto.log');
  const { child, endpoint } = await launchMoto(python, logPath, options.startTimeoutMs ?? 30_000).catch(
    (e: unknown) => {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    },
  );
  const clients: S3Client[] = [];
  let stopped = false;
  let finalLog: string | undefined;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const c of clients.splice(0)) c.destroy();
    await terminate(child);
    finalLog = readFileSync(logPath, 'utf8');
    rmSync(dir, { recursive: true, force: true });
  };
  let users: Awaited<ReturnType<typeof provision>>;
  try {
    users = await provision(endpoint, bucket, prefix);
  } catch (e) {
    const log = readFileSync(logPath, 'utf8');
    await stop();
    throw new Error(`moto setup failed: ${(e as Error).message}\n${log.slice(-2000)}`, { cause: e });
  }
  const { admin, putOnly } = users;
  const clientFor = (creds: MotoCredentials, config?: Partial<S3ClientConfig>): S3Client => {
    const c = s3(endpoint, creds, config);
    clients.push(c);
    return c;
  };
  const adminS3 = clientFor(admin);
  const log = (): string => finalLog ?? readFileSync(logPath, 'utf8');
  const countStatus = (status: number): number =>
    [...log().matchAll(REQUEST_LINE)].filter((m) => m[1] === String(status)).length;

  return {
    endpoint,
    region: REGION,
    bucket,
    prefix,
    admin,
    putOnly,
    adminClient: () => adminS3,
    clientFor,
    async writeKeyFile(creds, keyDir) {
      const path = join(keyDir, `aws-keys-${creds.accessKeyId}.ini`);
      const ini = `[default]\naws_access_key_id=${creds.accessKeyId}\naws_secret_access_key=${creds.secretAccessKey}\n`;
      await writeFile(path, ini, { mode: 0o600 });
      await chmod(path, 0o600); // mode is ignored when the file already existed
      return path;
    },
    log,
    count403: () => countStatus(403),
    countStatus,
    async listKeys(keyPrefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await adminS3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: keyPrefix, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys;
    },
    async getObject(key) {
      const res = await adminS3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!res.Body) throw new Error(`moto returned no body for ${key}`);
      return Buffer.from(await res.Body.transformToByteArray());
    },
    async listMultipartUploads() {
      const out: { Key: string; UploadId: string }[] = [];
      let KeyMarker: string | undefined;
      let UploadIdMarker: string | undefined;
      for (;;) {
        const page = await adminS3.send(new ListMultipartUploadsCommand({ Bucket: bucket, KeyMarker, UploadIdMarker }));
        for (const u of page.Uploads ?? []) if (u.Key && u.UploadId) out.push({ Key: u.Key, UploadId: u.UploadId });
        if (!page.IsTruncated || (!page.NextKeyMarker && !page.NextUploadIdMarker)) return out;
        KeyMarker = page.NextKeyMarker;
        UploadIdMarker = page.NextUploadIdMarker;
      }
    },
    stop,
  };
}
