// What the host's own S3 credentials can do, tested for real under `{prefix}_check/`: put must work;
// list, head, get and delete should be denied (a put-only host cannot read or destroy its history).
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { S3DestinationConfig } from '../config/schema.js';
import { checkPrefix } from '../layout/keys.js';
import { CHECK_EXPIRY_DAYS } from '../layout/lifecycle-rules.js';
import { BackupError } from '../shared/backup-error.js';
import { errorText, fail, ok, warn, type CheckResult } from '../shared/check-result.js';
import type { Logger } from '../shared/logger.js';
import { createS3Client } from './s3-client.js';
import { createS3Destination } from './s3-destination.js';
import { explainS3Error, isAccessDenied, type SdkError } from './s3-errors.js';

type Outcome = { allowed: true; value: unknown } | { allowed: false; denied: boolean; error: unknown };

const POLICY_FIX = 'give the host only the policy printed by `backup-agent policy`';
/** `check` is interactive: its test write is retried for at most this long, not a whole outage. */
const PROBE_RETRY_BUDGET_MS = 30_000;

/** Runs one S3 call; "allowed" also when S3 answered 404 (the permission was granted, the object is missing). */
async function attempt(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { allowed: true, value: await call() };
  } catch (error) {
    const e = error as SdkError;
    if (e.$metadata?.httpStatusCode === 404 || e.name === 'NoSuchKey' || e.name === 'NotFound')
      return { allowed: true, value: undefined };
    return { allowed: false, denied: isAccessDenied(error), error };
  }
}

/**
 * Writes a small object at `key` (unique, under `{prefix}_check/`) exactly as backups are written
 * (same destination code: If-None-Match, SSE, object lock, storage class), then tries list, head,
 * get and delete with the same credentials. Put denied or failing is a fail; any of the others
 * allowed is a warning (over-privileged); all denied is the healthy put-only outcome.
 */
export async function probeS3(
  config: S3DestinationConfig,
  key: string,
  logger: Logger,
  signal: AbortSignal,
): Promise<CheckResult[]> {
  let client: S3Client;
  try {
    client = createS3Client(config);
  } catch (error) {
    return [fail('s3 put', errorText(error))];
  }
  try {
    return await probeWith(client, config, key, logger, signal);
  } finally {
    client.destroy();
  }
}

async function probeWith(
  client: S3Client,
  config: S3DestinationConfig,
  key: string,
  logger: Logger,
  signal: AbortSignal,
): Promise<CheckResult[]> {
  const where = `s3://${config.bucket}/${key}`;
  const body = `backup-agent check ${new Date().toISOString()}\n`;
  const destination = createS3Destination(
    { ...config, retry: { budget: Math.min(config.retry.budget, PROBE_RETRY_BUDGET_MS) } },
    logger,
    client,
  );
  const write = () => destination.write(key, Readable.from([Buffer.from(body)]), { signal, contentType: 'text/plain' });
  const results: CheckResult[] = [];
  let putError: unknown;
  try {
    await write();
    results.push(
      ok(
        's3 put',
        `allowed: wrote ${where}${config.write_once ? ' with If-None-Match: * (as every backup write)' : ' (write_once is off: backups may overwrite each other)'}`,
      ),
    );
  } catch (error) {
    putError = error;
  }
  if (putError !== undefined) {
    // After a denied put the other permissions are still worth knowing; after any other failure they cannot be tested.
    const denial = putError instanceof BackupError && putError.code === 'DESTINATION_DENIED';
    results.push(fail('s3 put', `${errorText(putError)}${denial ? '' : ' (list, head, get and delete not tested)'}`));
    if (!denial) return results;
  }
  if (putError === undefined && config.write_once) {
    // Some S3-compatible stores ignore conditional writes: then write_once protects nothing.
    const again = await write().then(
      () => undefined,
      (error: unknown) => error,
    );
    results.push(
      again instanceof BackupError && again.code === 'DESTINATION_EXISTS'
        ? ok(
            's3 write-once',
            'the store refused a second write to the same key (412): existing backups cannot be overwritten',
          )
        : again === undefined
          ? warn(
              's3 write-once',
              `the store accepted a second write to ${where} despite If-None-Match: *: it ignores conditional writes, so backups could be overwritten (use object_lock, or a store that honours If-None-Match)`,
            )
          : warn('s3 write-once', `could not test: ${errorText(again)}`),
    );
  }
  const bucket = config.bucket;
  const operations: { name: string; call: () => Promise<unknown>; risk: string }[] = [
    {
      name: 'list',
      call: () =>
        client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: checkPrefix(config.prefix), MaxKeys: 1 }), {
          abortSignal: signal,
        }),
      risk: 'list backups (names reveal hosts, assets and dates)',
    },
    {
      name: 'head',
      call: () => client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal }),
      risk: 'read backup metadata (s3:GetObject)',
    },
    {
      name: 'get',
      call: () =>
        client
          .send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal })
          .then((r) => r.Body?.transformToString()),
      risk: 'read backups: a compromised host could read its whole history',
    },
    {
      name: 'delete',
      call: () => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal }),
      risk: 'delete backups: a compromised host could destroy its own history',
    },
  ];
  const allowed: string[] = [];
  for (const op of operations) {
    const outcome = await attempt(op.call);
    const check = `s3 ${op.name}`;
    if (outcome.allowed) {
      allowed.push(op.name);
      const deleted = op.name === 'delete' && putError === undefined ? '; the check object was deleted' : '';
      results.push(warn(check, `allowed: this key can ${op.risk}; ${POLICY_FIX}${deleted}`));
    } else if (outcome.denied) {
      const remains =
        op.name === 'delete' && putError === undefined
          ? `; the check object remains at ${where}: \`backup-agent lifecycle\` includes a rule expiring ${checkPrefix(config.prefix)} after ${CHECK_EXPIRY_DAYS} day`
          : '';
      results.push(ok(check, `denied, as it should be for a put-only host${remains}`));
    } else {
      const explained = explainS3Error(outcome.error, {
        bucket,
        key,
        prefix: config.prefix,
        endpoint: config.endpoint,
        region: config.region,
      });
      results.push(warn(check, `could not test: ${explained.message}`));
    }
  }
  const untested = results.some((r) => r.status === 'warn' && r.check !== 's3 write-once');
  if (putError === undefined && allowed.length === 0 && !untested) {
    results.push(ok('s3 put-only', 'good: this host cannot read, list or delete backups'));
  }
  return results;
}
