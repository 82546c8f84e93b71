// Least-privilege IAM documents derived from the config: the host's put-only policy, a bucket policy
// that forces write-once, and the read-only policy an operator needs to restore.
import type { S3DestinationConfig } from '../config/schema.js';

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Record<string, unknown>[];
}

const objects = (config: S3DestinationConfig) => `arn:aws:s3:::${config.bucket}/${config.prefix}*`;

/** KMS key resource for the policy: the configured ARN, else every key (with a warning to narrow it). */
function kmsResource(config: S3DestinationConfig, warn: (message: string) => void): string {
  const id = config.sse?.kms_key_id;
  if (id?.startsWith('arn:')) return id;
  warn(
    id
      ? `sse.kms_key_id "${id}" is not an ARN: the policy allows every KMS key; replace "*" with the key's ARN`
      : 'sse uses the AWS-managed key: the KMS statement allows "*"; narrow it if you use a customer key',
  );
  return '*';
}

/**
 * The host's policy: `s3:PutObject` on the prefix only, plus exactly what enabled options need:
 * `s3:PutObjectRetention` for object_lock; `kms:GenerateDataKey` and `kms:Decrypt` for SSE-KMS
 * (multipart uploads with SSE-KMS need Decrypt to combine the parts' data keys).
 */
export function hostPolicy(
  config: S3DestinationConfig,
  warn: (message: string) => void = () => undefined,
): PolicyDocument {
  const actions = ['s3:PutObject', ...(config.object_lock ? ['s3:PutObjectRetention'] : [])];
  const statements: Record<string, unknown>[] = [
    { Sid: 'BackupAgentWriteNewBackups', Effect: 'Allow', Action: actions, Resource: objects(config) },
  ];
  if (config.sse?.type === 'aws:kms') {
    statements.push({
      Sid: 'BackupAgentEncryptWithKms',
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: kmsResource(config, warn),
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * A bucket policy that denies object writes under the prefix without `If-None-Match`, so no key
 * there can be overwritten by anyone. CreateMultipartUpload/UploadPart cannot carry the header and
 * are exempt via `s3:ObjectCreationOperation` (false for them, true for PutObject/CompleteMultipartUpload).
 */
export function writeOncePolicy(config: S3DestinationConfig): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyOverwritingBackups',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: objects(config),
        Condition: { Null: { 's3:if-none-match': 'true' }, Bool: { 's3:ObjectCreationOperation': 'true' } },
      },
    ],
  };
}

/** The operator's read-only policy for list, check, restore and verify (age decryption needs only the key file). */
export function restorePolicy(
  config: S3DestinationConfig,
  warn: (message: string) => void = () => undefined,
): PolicyDocument {
  const statements: Record<string, unknown>[] = [
    {
      Sid: 'BackupAgentListBackups',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: `arn:aws:s3:::${config.bucket}`,
      ...(config.prefix ? { Condition: { StringLike: { 's3:prefix': `${config.prefix}*` } } } : {}),
    },
    {
      Sid: 'BackupAgentReadBackups',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:GetObjectRetention'],
      Resource: objects(config),
    },
  ];
  if (config.sse?.type === 'aws:kms') {
    statements.push({
      Sid: 'BackupAgentDecryptWithKms',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: kmsResource(config, warn),
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}
