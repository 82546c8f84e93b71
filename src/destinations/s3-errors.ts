// Turns AWS SDK errors into one-line explanations naming the bucket, the key and the fix.
import { BackupError } from '../shared/backup-error.js';

interface SdkError {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

export interface S3ErrorContext {
  bucket: string;
  key: string;
  prefix: string;
  endpoint: string | undefined;
  region: string;
  asset?: string;
}

const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'TimeoutError']);
const CREDENTIALS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'CredentialsProviderError', 'InvalidClientTokenId', 'TokenRefreshRequired']);

/** Explains an S3 failure of PutObject/multipart on `key` as a BackupError. */
export function explainS3Error(error: unknown, ctx: S3ErrorContext): BackupError {
  const e = (error ?? {}) as SdkError;
  const name = e.Code ?? e.name ?? '';
  const code = e.code ?? '';
  const status = e.$metadata?.httpStatusCode;
  const where = `s3://${ctx.bucket}/${ctx.key}`;
  const options = { cause: error, asset: ctx.asset };
  if (status === 412 || name === 'PreconditionFailed') {
    return new BackupError('DESTINATION_EXISTS', `refusing to overwrite existing backup ${where}: an object already exists at this key (write_once)`, options);
  }
  if (name === 'NoSuchBucket') {
    return new BackupError('DESTINATION_NOT_FOUND', `s3://${ctx.bucket}: bucket does not exist (region ${ctx.region}${ctx.endpoint ? `, endpoint ${ctx.endpoint}` : ''}): check destination.bucket`, options);
  }
  if (CREDENTIALS.has(name)) {
    return new BackupError('DESTINATION_CREDENTIALS', `${where}: credentials rejected (${name}): check destination.credentials or the AWS credential chain, and the clock`, options);
  }
  if (name === 'RequestTimeTooSkewed') {
    return new BackupError('DESTINATION_CREDENTIALS', `${where}: request rejected because this host's clock is off (RequestTimeTooSkewed): fix time sync (NTP)`, options);
  }
  if (status === 403 || name === 'AccessDenied') {
    return new BackupError('DESTINATION_DENIED', `${where}: PutObject denied (AccessDenied): the credentials need s3:PutObject on arn:aws:s3:::${ctx.bucket}/${ctx.prefix}*`, options);
  }
  if (NETWORK.has(code) || NETWORK.has(name)) {
    return new BackupError('DESTINATION_UNREACHABLE', `${where}: cannot reach ${ctx.endpoint ?? `S3 in ${ctx.region}`} (${code || name}) after retries`, options);
  }
  const detail = [name, e.message].filter(Boolean).join(': ') || String(error);
  return new BackupError('DESTINATION_FAILED', `${where}: upload failed${status ? ` (HTTP ${status})` : ''}: ${detail}`, options);
}

/** Whether an error came from the S3 service or the network (as opposed to the body stream). */
export function isS3Error(error: unknown): boolean {
  const e = (error ?? {}) as SdkError & { $fault?: string };
  return e.$metadata !== undefined || e.$fault !== undefined || NETWORK.has(e.code ?? '') || CREDENTIALS.has(e.name ?? '');
}
