// S3 destination: streamed multipart uploads through a fixed buffer pool; the first cause always wins.
import { AbortMultipartUploadCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { S3DestinationConfig } from '../config/schema.js';
import type { Logger } from '../shared/logger.js';
import type { Destination, WriteOptions } from './destination.js';
import { createS3Client } from './s3-client.js';
import { explainS3Error, isS3Error, RetriesExhaustedError } from './s3-errors.js';
import { MultipartUploadError, uploadStream } from './multipart-upload.js';
import { createS3Retry, retryPolicyOf } from './s3-retry.js';

/** Creates the S3 destination. `client` may be injected (tests); otherwise it is built from config. */
export function createS3Destination(
  config: S3DestinationConfig,
  logger: Logger,
  client: S3Client = createS3Client(config),
): Destination {
  const context = (key: string) => ({
    bucket: config.bucket,
    key,
    prefix: config.prefix,
    endpoint: config.endpoint,
    region: config.region,
  });
  const retry = createS3Retry(retryPolicyOf(config), logger);
  return {
    type: 's3',
    locate: (key) => `s3://${config.bucket}/${key}`,
    async write(key: string, body: Readable, options: WriteOptions): Promise<void> {
      const params = {
        Bucket: config.bucket,
        Key: key,
        ContentType: options.contentType,
        ...(config.storage_class ? { StorageClass: config.storage_class } : {}),
        ...serverSideParams(config),
        // Sent on PutObject, or on CompleteMultipartUpload: a duplicate key fails at the end, before it is visible.
        ...(config.write_once ? { IfNoneMatch: '*' } : {}),
      };
      // A body read to its end is being committed: the upload lets that request finish (see COMMIT_GRACE_MS).
      const onAbort = () => {
        if (!body.readableEnded) body.destroy(Object.assign(new Error('interrupted'), { name: 'AbortError' }));
      };
      options.signal.addEventListener('abort', onAbort, { once: true });
      try {
        if (options.signal.aborted) onAbort();
        await uploadStream(client, params, body, {
          partSize: config.upload.part_size,
          queueSize: config.upload.queue_size,
          retry,
          signal: options.signal,
        });
      } catch (error) {
        const failure = error instanceof MultipartUploadError ? error : new MultipartUploadError(undefined, error);
        const cause = failure.cause;
        // An endpoint that did not answer for a whole retry budget would not answer the abort either.
        if (failure.uploadId)
          await abandon(client, failure.uploadId, config.bucket, key, logger, cause instanceof RetriesExhaustedError);
        throw isS3Error(cause) ? explainS3Error(cause, context(key)) : cause;
      } finally {
        options.signal.removeEventListener('abort', onAbort);
      }
    },
  };
}

/**
 * SSE and object-lock parameters, sent on PutObject and CreateMultipartUpload (parts inherit them);
 * the retention date is computed per write.
 */
export function serverSideParams(config: S3DestinationConfig, now = new Date()): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  if (config.sse) {
    params.ServerSideEncryption = config.sse.type;
    if (config.sse.kms_key_id) params.SSEKMSKeyId = config.sse.kms_key_id;
    if (config.sse.bucket_key !== undefined) params.BucketKeyEnabled = config.sse.bucket_key;
  }
  if (config.object_lock) {
    params.ObjectLockMode = config.object_lock.mode;
    params.ObjectLockRetainUntilDate = new Date(now.getTime() + config.object_lock.retain_days * 86_400_000);
  }
  return params;
}

/** How long the best-effort AbortMultipartUpload after a failure may take (the run is ending). */
const ABANDON_TIMEOUT_MS = 5_000;

/**
 * Best-effort AbortMultipartUpload: one attempt within {@link ABANDON_TIMEOUT_MS}, or none when the
 * endpoint stopped answering (`unreachable`); put-only credentials are expected to be denied.
 */
async function abandon(
  client: S3Client,
  uploadId: string,
  bucket: string,
  key: string,
  logger: Logger,
  unreachable: boolean,
): Promise<void> {
  try {
    if (unreachable) throw new Error('not tried: the endpoint stopped answering');
    const abortSignal = AbortSignal.timeout(ABANDON_TIMEOUT_MS);
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }), { abortSignal })
      .catch((error: unknown) => {
        throw abortSignal.aborted ? new Error(`no answer within ${ABANDON_TIMEOUT_MS / 1000}s`) : error;
      });
    logger.info(`s3://${bucket}/${key}: unfinished multipart upload aborted`, { upload_id: uploadId });
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    logger.warn(
      `s3://${bucket}/${key}: an unfinished multipart upload may remain (abort ${status === 403 ? 'denied, as expected for put-only credentials' : `failed: ${(error as Error).message}`}); no object exists at the key, and a lifecycle rule AbortIncompleteMultipartUpload cleans such parts up`,
      { upload_id: uploadId },
    );
  }
}
