// Streams a body into one S3 object through a fixed pool of part buffers: memory is exactly
// (queueSize + 1) x partSize however fast the source or slow the network, and the first error wins.
// Replaces @aws-sdk/lib-storage's Upload, whose chunker concatenates and keeps each part's buffer alive
// through a leftover slice (measured: 215-235 MiB peak RSS at 16 MiB x 4 against 146 MiB with a pool),
// and whose abort replaces the real cause with the abort's AccessDenied for put-only users.
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { NO_RETRY, type S3Retry } from './s3-retry.js';

/** S3's limit of parts per upload. */
export const MAX_PARTS = 10_000;

export interface MultipartOptions {
  partSize: number;
  queueSize: number;
  /** Runs every request; the destination's retries what may succeed later (default: one attempt). */
  retry?: S3Retry;
  /** Aborts the requests in flight and any wait between attempts. */
  signal?: AbortSignal;
}

/** Object parameters sent on PutObject, CreateMultipartUpload and (IfNoneMatch) CompleteMultipartUpload. */
export type ObjectParams = Omit<PutObjectCommandInput, 'Body' | 'ContentLength'>;

/** Where a failed upload stands, so the caller can try AbortMultipartUpload. */
export class MultipartUploadError extends Error {
  override readonly name = 'MultipartUploadError';
  constructor(
    readonly uploadId: string | undefined,
    cause: unknown,
  ) {
    const message = typeof cause === 'object' && cause !== null && 'message' in cause ? cause.message : undefined;
    super(typeof message === 'string' ? message : String(cause), { cause });
  }
}

/**
 * Uploads all of `body` to `params.Key`: one PutObject when it fits in one part, else a multipart
 * upload with up to `queueSize` parts in flight. Every request goes through `options.retry`; a part
 * is re-sent from its buffer, which returns to the pool only when its request settled, so the body
 * is read once. Resolves when the object exists. Rejects with a MultipartUploadError whose `cause`
 * is the first failure (the body's own error when the body failed) after every request in flight
 * has settled; nothing is visible at the key then.
 */
export async function uploadStream(
  client: S3Client,
  params: ObjectParams,
  body: Readable,
  options: MultipartOptions,
): Promise<void> {
  const { partSize, queueSize, signal } = options;
  const retry = options.retry ?? NO_RETRY;
  const request = <T>(operation: string, call: () => Promise<T>, until = signal) =>
    retry(`s3://${params.Bucket}/${params.Key}: ${operation}`, until, call);
  const free: Buffer[] = [];
  const take = () => free.pop() ?? Buffer.allocUnsafe(partSize);
  const inFlight = new Set<Promise<void>>();
  const parts: (CompletedPart & { PartNumber: number })[] = [];
  let uploadId: string | undefined;
  // The first failure of any request or of the body; later ones are consequences.
  const failed: { first?: { error: unknown } } = {};
  const throwIfFailed = () => {
    if (failed.first) throw failed.first.error;
  };
  let partNumber = 0;
  // Like the SDK's own uploads: CRC32 part checksums unless AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED.
  const checksum =
    (await client.config.requestChecksumCalculation()) === 'WHEN_SUPPORTED'
      ? { ChecksumAlgorithm: 'CRC32' as const }
      : {};

  const send = async (buffer: Buffer, length: number): Promise<void> => {
    const number = ++partNumber;
    if (number > MAX_PARTS)
      throw new Error(
        `the object is larger than ${MAX_PARTS} parts of ${partSize} bytes: raise destination.upload.part_size`,
      );
    if (uploadId === undefined) {
      const input = { ...withoutConditions(params), ...checksum };
      const created = await request('CreateMultipartUpload', () =>
        client.send(new CreateMultipartUploadCommand(input), { abortSignal: signal }),
      );
      uploadId = created.UploadId;
    }
    const input = {
      Bucket: params.Bucket,
      Key: params.Key,
      UploadId: uploadId,
      PartNumber: number,
      Body: buffer.subarray(0, length),
      ContentLength: length,
      ...checksum,
    };
    const task = request(`UploadPart ${number}`, () =>
      client.send(new UploadPartCommand(input), { abortSignal: signal }),
    )
      .then(
        (result) => {
          parts.push({
            PartNumber: number,
            ETag: result.ETag,
            ...(result.ChecksumCRC32 ? { ChecksumCRC32: result.ChecksumCRC32 } : {}),
          });
        },
        (error: unknown) => {
          failed.first ??= { error };
        },
      )
      .finally(() => {
        free.push(buffer);
        inFlight.delete(task);
      });
    inFlight.add(task);
    // Backpressure: stop reading the body while the queue is full.
    while (inFlight.size >= queueSize && !failed.first) await Promise.race(inFlight);
  };

  let current = take();
  let filled = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        throwIfFailed();
        const n = chunk.copy(current, filled, offset);
        filled += n;
        offset += n;
        if (filled === partSize) {
          const full = current;
          current = take();
          filled = 0;
          await send(full, partSize);
        }
      }
    }
    throwIfFailed();
    if (partNumber === 0) {
      const input = { ...params, Body: current.subarray(0, filled), ContentLength: filled };
      await commit(signal, (abortSignal) =>
        request('PutObject', () => client.send(new PutObjectCommand(input), { abortSignal }), abortSignal),
      );
      return;
    }
    if (filled > 0) await send(current, filled);
    await Promise.all(inFlight);
    throwIfFailed();
    parts.sort((a, b) => a.PartNumber - b.PartNumber);
    const complete = {
      Bucket: params.Bucket,
      Key: params.Key,
      UploadId: uploadId,
      MultipartUpload: { Parts: parts },
      ...(params.IfNoneMatch ? { IfNoneMatch: params.IfNoneMatch } : {}),
    };
    await commit(signal, (abortSignal) =>
      request(
        'CompleteMultipartUpload',
        () => client.send(new CompleteMultipartUploadCommand(complete), { abortSignal }),
        abortSignal,
      ),
    );
  } catch (error) {
    failed.first ??= { error };
    if (!body.destroyed) body.destroy();
    await Promise.allSettled(inFlight);
    throw new MultipartUploadError(uploadId, failed.first.error);
  }
}

/** How long the request that makes a whole object visible may still take after the run was interrupted. */
export const COMMIT_GRACE_MS = 30_000;

/**
 * Runs the committing request (PutObject of a whole body, CompleteMultipartUpload) under a signal that
 * aborts only {@link COMMIT_GRACE_MS} after `signal` does. Aborting it in flight could leave an object the
 * server stored but the run counts as interrupted, so that no manifest lists it; finishing lets the
 * manifest (written within its own grace) record it.
 */
async function commit<T>(signal: AbortSignal | undefined, call: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    timer = setTimeout(() => controller.abort(signal?.reason), COMMIT_GRACE_MS);
    timer.unref();
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await call(controller.signal);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    clearTimeout(timer);
  }
}

/** CreateMultipartUpload cannot carry If-None-Match; it goes on CompleteMultipartUpload. */
function withoutConditions(params: ObjectParams): ObjectParams {
  const { IfNoneMatch: _ifNoneMatch, IfMatch: _ifMatch, ...rest } = params;
  return rest;
}
