// Reads and writes a bucket's lifecycle document (one per bucket, shared by every prefix in it),
// with errors that name the permission an operator's credentials lack.
import {
  GetBucketLifecycleConfigurationCommand,
  PutBucketLifecycleConfigurationCommand,
  type BucketLifecycleConfiguration,
  type LifecycleRule,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { S3DestinationConfig } from '../config/schema.js';
import { BackupError } from '../shared/backup-error.js';
import { explainS3Error, isAccessDenied, type SdkError } from './s3-errors.js';

const NEEDED = 's3:GetLifecycleConfiguration and s3:PutLifecycleConfiguration';

/** Explains a failed lifecycle call on the bucket; `action` is the S3 API name. */
function explain(error: unknown, config: S3DestinationConfig, action: string): BackupError {
  const e = (error ?? {}) as SdkError;
  const where = `s3://${config.bucket}`;
  if (isAccessDenied(error)) {
    return new BackupError(
      'DESTINATION_DENIED',
      `${where}: ${action} denied (AccessDenied): lifecycle --apply needs ${NEEDED} on arn:aws:s3:::${config.bucket}; use operator/admin credentials (--credentials-file, --profile or restore.credentials), never the host's put-only key`,
      { cause: error },
    );
  }
  const explained = explainS3Error(error, {
    bucket: config.bucket,
    key: '',
    prefix: config.prefix,
    endpoint: config.endpoint,
    region: config.region,
  });
  if (explained.code !== 'DESTINATION_FAILED')
    return new BackupError(explained.code, explained.message.replace(`${where}/: `, `${where}: ${action}: `), {
      cause: error,
    });
  return new BackupError(
    'DESTINATION_FAILED',
    `${where}: ${action} failed: ${[e.Code ?? e.name, e.message].filter(Boolean).join(': ')}`,
    { cause: error },
  );
}

/** The bucket's lifecycle rules, or [] when it has none. Throws BackupError naming the missing permission. */
export async function readLifecycleRules(
  client: S3Client,
  config: S3DestinationConfig,
  signal?: AbortSignal,
): Promise<LifecycleRule[]> {
  try {
    const result = await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: config.bucket }), {
      abortSignal: signal,
    });
    return result.Rules ?? [];
  } catch (error) {
    const name = (error as SdkError).Code ?? (error as SdkError).name;
    if (name === 'NoSuchLifecycleConfiguration') return [];
    throw explain(error, config, 'GetBucketLifecycleConfiguration');
  }
}

/** Replaces the bucket's whole lifecycle document with `configuration`. Throws BackupError naming the missing permission. */
export async function writeLifecycleRules(
  client: S3Client,
  config: S3DestinationConfig,
  configuration: BucketLifecycleConfiguration,
  signal?: AbortSignal,
): Promise<void> {
  try {
    await client.send(
      new PutBucketLifecycleConfigurationCommand({ Bucket: config.bucket, LifecycleConfiguration: configuration }),
      { abortSignal: signal },
    );
  } catch (error) {
    throw explain(error, config, 'PutBucketLifecycleConfiguration');
  }
}
