// The read side of the S3 destination: paginated ListObjectsV2, HeadObject and streamed GetObject,
// with errors that name the bucket, the key and the permission the operator's credentials lack.
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { S3DestinationConfig } from '../config/schema.js';
import { BackupError } from '../shared/backup-error.js';
import type { Logger } from '../shared/logger.js';
import type { BackupStore, ListOptions, StoredObject } from './backup-store.js';
import { explainS3Error, isAccessDenied, type SdkError } from './s3-errors.js';
import { createS3Retry, NO_RETRY, retryPolicyOf } from './s3-retry.js';

/** Which S3 call failed, and the IAM action it needs. */
type ReadAction =
  | { call: 'ListObjectsV2'; permission: 's3:ListBucket' }
  | { call: 'GetObject' | 'HeadObject'; permission: 's3:GetObject' };
const LIST: ReadAction = { call: 'ListObjectsV2', permission: 's3:ListBucket' };
const GET: ReadAction = { call: 'GetObject', permission: 's3:GetObject' };
const HEAD: ReadAction = { call: 'HeadObject', permission: 's3:GetObject' };

/**
 * Creates the S3 store. `credentialSource` says where the client's credentials came from
 * (`--credentials-file`, `restore.credentials`, `default chain`), for denial messages. With `logger`,
 * requests are retried as the destination's are (`destination.retry`), each retry a warning there.
 * `pageSize` (default: S3's 1000) exists for tests of pagination.
 */
export function createS3Store(
  config: S3DestinationConfig,
  client: S3Client,
  credentialSource: string,
  tuning: { pageSize?: number; logger?: Logger } = {},
): BackupStore {
  const explain = (error: unknown, key: string, action: ReadAction) =>
    explainS3ReadError(error, config, key, action, credentialSource);
  const retry = tuning.logger ? createS3Retry(retryPolicyOf(config), tuning.logger) : NO_RETRY;
  const request = <T>(action: ReadAction, key: string, signal: AbortSignal, call: () => Promise<T>) =>
    retry(`s3://${config.bucket}/${key}: ${action.call}`, signal, call);
  return {
    type: 's3',
    locate: (key) => `s3://${config.bucket}/${key}`,
    async *list(prefix: string, options: ListOptions): AsyncIterable<StoredObject> {
      let token: string | undefined;
      do {
        let page;
        try {
          const input = {
            Bucket: config.bucket,
            Prefix: prefix,
            ContinuationToken: token,
            ...(tuning.pageSize ? { MaxKeys: tuning.pageSize } : {}),
            ...(token === undefined && options.startAfter !== undefined ? { StartAfter: options.startAfter } : {}),
          };
          page = await request(LIST, prefix, options.signal, () =>
            client.send(new ListObjectsV2Command(input), { abortSignal: options.signal }),
          );
        } catch (error) {
          throw explain(error, prefix, LIST);
        }
        for (const o of page.Contents ?? []) if (o.Key !== undefined) yield { key: o.Key, size: o.Size ?? 0 };
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
    },
    async stat(key: string, signal: AbortSignal): Promise<StoredObject> {
      try {
        const head = await request(HEAD, key, signal, () =>
          client.send(new HeadObjectCommand({ Bucket: config.bucket, Key: key }), { abortSignal: signal }),
        );
        return { key, size: head.ContentLength ?? 0 };
      } catch (error) {
        throw explain(error, key, HEAD);
      }
    },
    async open(key: string, signal: AbortSignal): Promise<Readable> {
      try {
        const object = await request(GET, key, signal, () =>
          client.send(new GetObjectCommand({ Bucket: config.bucket, Key: key }), { abortSignal: signal }),
        );
        if (!object.Body) throw new Error('GetObject returned no body');
        return object.Body as Readable;
      } catch (error) {
        throw explain(error, key, GET);
      }
    },
  };
}

/** Explains a failed read as a BackupError: not found, denied (with the permission), else as the write side does. */
export function explainS3ReadError(
  error: unknown,
  config: S3DestinationConfig,
  key: string,
  action: ReadAction,
  credentialSource: string,
): BackupError {
  const e = (error ?? {}) as SdkError;
  const name = e.Code ?? e.name ?? '';
  const status = e.$metadata?.httpStatusCode;
  const where = `s3://${config.bucket}/${key}`;
  if (name === 'NoSuchKey' || (action.call === 'HeadObject' && (status === 404 || name === 'NotFound'))) {
    return new BackupError(
      'DESTINATION_NOT_FOUND',
      `${where}: no such object (it was deleted, expired by a lifecycle rule, or never uploaded)`,
      { cause: error },
    );
  }
  if (isAccessDenied(error)) {
    const resource =
      action.permission === 's3:ListBucket'
        ? `arn:aws:s3:::${config.bucket}`
        : `arn:aws:s3:::${config.bucket}/${config.prefix}*`;
    return new BackupError(
      'DESTINATION_DENIED',
      `${where}: ${action.call} denied (AccessDenied) for the credentials from ${credentialSource}: they need ${action.permission} on ${resource} ` +
        '(`backup-agent policy --restore` prints the read-only policy; the put-only host key can never read backups)',
      { cause: error },
    );
  }
  const explained = explainS3Error(error, {
    bucket: config.bucket,
    key,
    prefix: config.prefix,
    endpoint: config.endpoint,
    region: config.region,
  });
  if (explained.code !== 'DESTINATION_FAILED' && explained.code !== 'DESTINATION_DENIED') return explained;
  const detail = [name, e.message].filter(Boolean).join(': ') || String(error);
  return new BackupError(
    'DESTINATION_FAILED',
    `${where}: ${action.call} failed${status ? ` (HTTP ${status})` : ''}: ${detail}`,
    { cause: error },
  );
}
