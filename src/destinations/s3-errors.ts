// Turns AWS SDK errors into one-line explanations naming the bucket, the key and the fix.
import { formatMs } from '../config/sizes.js';
import { BackupError } from '../shared/backup-error.js';

/** The fields of an AWS SDK (or network) error that explanations look at. */
export interface SdkError {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** Whether S3 refused the call for lack of permission (HTTP 403 or AccessDenied). */
export function isAccessDenied(error: unknown): boolean {
  const e = (error ?? {}) as SdkError;
  return e.$metadata?.httpStatusCode === 403 || (e.Code ?? e.name) === 'AccessDenied';
}

export interface S3ErrorContext {
  bucket: string;
  key: string;
  prefix: string;
  endpoint: string | undefined;
  region: string;
  asset?: string;
}

const NETWORK = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'TimeoutError',
]);
const CREDENTIALS = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'CredentialsProviderError',
  'InvalidClientTokenId',
  'TokenRefreshRequired',
]);

/** Node's certificate verification codes, and the fix each one asks for. */
const TLS_FIX: Record<string, string> = {
  CERT_HAS_EXPIRED:
    "the server's certificate has expired (or this host's clock is wrong): renew the certificate or fix time sync",
  CERT_NOT_YET_VALID: "the server's certificate is not valid yet (or this host's clock is wrong): fix time sync",
  ERR_TLS_CERT_ALTNAME_INVALID:
    'the certificate does not name this host: set destination.endpoint to a name the certificate was issued for',
  HOSTNAME_MISMATCH:
    'the certificate does not name this host: set destination.endpoint to a name the certificate was issued for',
};
const TLS_UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'CERT_REJECTED',
]);
const FILE_SYSCALLS = new Set(['access', 'open', 'read', 'stat']);
const UNTRUSTED_FIX = 'set destination.ca_file to the CA bundle that signed it';

/**
 * A credential source failed (a key file, a profile, role_arn's AssumeRole, the default chain).
 * Thrown by the providers of s3-client.ts so that {@link explainS3Error} can say which source failed.
 */
export class CredentialSourceError extends Error {
  override readonly name = 'CredentialSourceError';

  /**
   * @param source what was configured, e.g. `role_arn arn:aws:iam::123456789012:role/backup`
   * @param action the remote call the source makes, e.g. `AssumeRole` (for service errors)
   */
  constructor(
    readonly source: string,
    cause: unknown,
    readonly action?: string,
  ) {
    super(`credentials from ${source}: ${describeCredentialFailure(cause, action)}`, { cause });
  }
}

/** Every attempt of a request failed with retryable errors until its budget was spent (s3-retry.ts); `cause` is the last failure. */
export class RetriesExhaustedError extends Error {
  override readonly name = 'RetriesExhaustedError';

  /** @param lastCause the last failure as a phrase: `connection refused (ECONNREFUSED)` */
  constructor(
    readonly attempts: number,
    readonly elapsedMs: number,
    readonly budgetMs: number,
    readonly lastCause: string,
    cause: unknown,
  ) {
    super(
      `${lastCause}; gave up after ${attempts} attempts in ${formatMs(elapsedMs)} (destination.retry.budget ${formatMs(budgetMs)})`,
      { cause },
    );
  }

  /** `gave up after 9 attempts in 8m (destination.retry.budget 8m)` */
  get summary(): string {
    return this.message.slice(this.lastCause.length + 2);
  }
}

/** The Node TLS verification code on `error` or its `cause` chain (the SDK passes Node's error on as is). */
function tlsErrorCode(error: unknown): string | undefined {
  let e = error as SdkError | null | undefined;
  for (
    let depth = 0;
    depth < 5 && e !== null && typeof e === 'object';
    depth += 1, e = e.cause as SdkError | null | undefined
  ) {
    if (e.code !== undefined && (e.code in TLS_FIX || TLS_UNTRUSTED.has(e.code))) return e.code;
  }
  return undefined;
}

function tlsFix(code: string): string {
  return TLS_FIX[code] ?? UNTRUSTED_FIX;
}

function describeCredentialFailure(error: unknown, action = 'the credential service'): string {
  const e = (error ?? {}) as SdkError & { syscall?: string };
  const service = action === 'AssumeRole' ? 'STS' : action;
  const tls = tlsErrorCode(error);
  if (tls) return `TLS verification of ${service} failed (${tls}): ${tlsFix(tls)}`;
  if (e.code && NETWORK.has(e.code)) return `cannot reach ${service} (${e.code})`;
  if (e.code && FILE_SYSCALLS.has(e.syscall ?? '')) return `cannot read it (${e.code})`;
  const name = e.Code ?? e.name ?? '';
  const status = e.$metadata?.httpStatusCode;
  const message = (e.message ?? String(error)).replace(/\.$/, '');
  if (status === undefined) return message;
  if (CREDENTIALS.has(name)) return `${action} rejected the base credentials (${name}: ${message})`;
  if (name === 'AccessDenied' || status === 403) {
    const hint =
      action === 'AssumeRole'
        ? ": check the role's trust policy (principal, external_id) and that the base credentials allow sts:AssumeRole on it"
        : '';
    return `${action} denied (${name}: ${message})${hint}`;
  }
  return `${action} failed (HTTP ${status} ${name}: ${message})`;
}

/** Explains an S3 failure of PutObject/multipart on `key` as a BackupError. */
export function explainS3Error(error: unknown, ctx: S3ErrorContext): BackupError {
  if (error instanceof RetriesExhaustedError) return explainExhausted(error, ctx);
  const e = (error ?? {}) as SdkError;
  const name = e.Code ?? e.name ?? '';
  const code = e.code ?? '';
  const status = e.$metadata?.httpStatusCode;
  const where = `s3://${ctx.bucket}/${ctx.key}`;
  const options = { cause: error, asset: ctx.asset };
  const target = ctx.endpoint ?? `S3 in ${ctx.region}`;
  if (error instanceof CredentialSourceError) {
    return new BackupError('DESTINATION_CREDENTIALS', `${where}: ${error.message}`, options);
  }
  const tls = tlsErrorCode(error);
  if (tls) {
    return new BackupError(
      'DESTINATION_UNREACHABLE',
      `${where}: TLS verification of ${target} failed (${tls}): ${tlsFix(tls)}`,
      options,
    );
  }
  if (status === 412 || name === 'PreconditionFailed') {
    return new BackupError(
      'DESTINATION_EXISTS',
      `refusing to overwrite existing backup ${where}: an object already exists at this key (write_once)`,
      options,
    );
  }
  if (name === 'NoSuchBucket') {
    return new BackupError(
      'DESTINATION_NOT_FOUND',
      `s3://${ctx.bucket}: bucket does not exist (region ${ctx.region}${ctx.endpoint ? `, endpoint ${ctx.endpoint}` : ''}): check destination.bucket`,
      options,
    );
  }
  if (CREDENTIALS.has(name)) {
    return new BackupError(
      'DESTINATION_CREDENTIALS',
      `${where}: credentials rejected (${name}): check destination.credentials or the AWS credential chain, and the clock`,
      options,
    );
  }
  if (name === 'RequestTimeTooSkewed') {
    return new BackupError(
      'DESTINATION_CREDENTIALS',
      `${where}: request rejected because this host's clock is off (RequestTimeTooSkewed): fix time sync (NTP)`,
      options,
    );
  }
  if (isAccessDenied(error)) {
    return new BackupError(
      'DESTINATION_DENIED',
      `${where}: PutObject denied (AccessDenied): the credentials need s3:PutObject on arn:aws:s3:::${ctx.bucket}/${ctx.prefix}*`,
      options,
    );
  }
  if (NETWORK.has(code) || NETWORK.has(name)) {
    return new BackupError('DESTINATION_UNREACHABLE', `${where}: cannot reach ${target} (${code || name})`, options);
  }
  const detail = [name, e.message].filter(Boolean).join(': ') || String(error);
  return new BackupError(
    'DESTINATION_FAILED',
    `${where}: upload failed${status ? ` (HTTP ${status})` : ''}: ${detail}`,
    options,
  );
}

/** The last failure's explanation, with how long it was retried; a network failure names its cause and bound. */
function explainExhausted(error: RetriesExhaustedError, ctx: S3ErrorContext): BackupError {
  const last = explainS3Error(error.cause, ctx);
  const options = { cause: error, asset: ctx.asset };
  if (last.code === 'DESTINATION_UNREACHABLE' && tlsErrorCode(error.cause) === undefined) {
    return new BackupError(
      last.code,
      `s3://${ctx.bucket}/${ctx.key}: cannot reach ${ctx.endpoint ?? `S3 in ${ctx.region}`}: ${error.message}`,
      options,
    );
  }
  return new BackupError(last.code, `${last.message}; ${error.summary}`, options);
}

/** Whether an error came from the S3 service, the network, TLS or a credential source (as opposed to the body stream). */
export function isS3Error(error: unknown): boolean {
  const e = (error ?? {}) as SdkError & { $fault?: string };
  return (
    error instanceof CredentialSourceError ||
    error instanceof RetriesExhaustedError ||
    e.$metadata !== undefined ||
    e.$fault !== undefined ||
    NETWORK.has(e.code ?? '') ||
    CREDENTIALS.has(e.name ?? '') ||
    tlsErrorCode(error) !== undefined
  );
}
