// The one place of the S3 retry policy: which failures may succeed later, exponential backoff with
// jitter inside a time budget per request, one warning line per retry, and an abort that ends any
// wait at once. The SDK's own retries are off (maxAttempts 1 in s3-client.ts): see the README.
import { setTimeout as sleep } from 'node:timers/promises';
import { formatMs } from '../config/sizes.js';
import type { S3DestinationConfig } from '../config/schema.js';
import type { Logger } from '../shared/logger.js';
import { CredentialSourceError, RetriesExhaustedError, type SdkError } from './s3-errors.js';

/** The first delay between two attempts; it doubles per retry up to {@link MAX_DELAY_MS}. */
export const BASE_DELAY_MS = 1_000;
/** The longest delay between two attempts, so a recovered endpoint is seen within half a minute. */
export const MAX_DELAY_MS = 30_000;

/** How long a request may take and be retried (from `destination.timeouts` and `destination.retry`). */
export interface RetryPolicy {
  /** Retries stop once this long has passed since the request's first attempt. */
  budgetMs: number;
  /** The request bounds, named in messages about timeouts. */
  connectMs: number;
  idleMs: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** [0, 1) for jitter (tests pass a fixed one). */
  random?: () => number;
}

/**
 * Runs `call` until it succeeds, fails permanently, or the budget is spent. `operation` names the
 * request in warnings (`s3://bucket/key: UploadPart 3`). Waits end at once when `signal` aborts.
 */
export type S3Retry = <T>(operation: string, signal: AbortSignal | undefined, call: () => Promise<T>) => Promise<T>;

/** What a failure means for the next attempt. */
export interface FailureClass {
  retryable: boolean;
  /** One phrase for logs: `connection refused (ECONNREFUSED)`, `no data for 60s (destination.timeouts.idle)`. */
  cause: string;
}

/** The retry policy of an S3 destination's config. */
export function retryPolicyOf(config: Pick<S3DestinationConfig, 'timeouts' | 'retry'>): RetryPolicy {
  return { budgetMs: config.retry.budget, connectMs: config.timeouts.connect, idleMs: config.timeouts.idle };
}

/** A single attempt, for requests not worth retrying (AbortMultipartUpload after a failure). */
export const NO_RETRY: S3Retry = (_operation, _signal, call) => call();

/** Creates the retrying runner for `policy`; each retry logs one warning on `logger`. */
export function createS3Retry(policy: RetryPolicy, logger: Logger): S3Retry {
  return async (operation, signal, call) => {
    const started = Date.now();
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        const failure = classifyFailure(error, policy);
        if (!failure.retryable || signal?.aborted) throw error;
        const elapsed = Date.now() - started;
        const left = policy.budgetMs - elapsed;
        if (left <= 0) throw new RetriesExhaustedError(attempt, elapsed, policy.budgetMs, failure.cause, error);
        const delay = Math.min(backoffDelay(attempt, policy), left);
        logger.warn(
          `${operation}: ${failure.cause}; retry ${attempt} in ${formatMs(delay)} (${formatMs(left)} of destination.retry.budget left)`,
          { operation, attempt, delay_ms: delay, cause: failure.cause },
        );
        await sleep(delay, undefined, signal ? { signal } : {});
      }
    }
  };
}

/** The delay before retry `attempt` (1-based): base x 2^(attempt-1), capped, then jittered to 50-100 %. */
export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(
    policy.maxDelayMs ?? MAX_DELAY_MS,
    (policy.baseDelayMs ?? BASE_DELAY_MS) * 2 ** (attempt - 1),
  );
  return Math.round(ceiling * (0.5 + 0.5 * (policy.random ?? Math.random)()));
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending',
  ECONNABORTED: 'connection aborted',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENETDOWN: 'network down',
  EHOSTDOWN: 'host down',
  EAI_AGAIN: 'DNS lookup failed temporarily',
};
const THROTTLING = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'ProvisionedThroughputExceededException',
]);
const TRANSIENT_NAMES = new Set(['RequestTimeout', 'RequestTimeoutException', 'InternalError', 'ServiceUnavailable']);

/**
 * Whether `error` may go away on its own: connection refused/reset, timeouts, HTTP 5xx and 429,
 * throttling (503 SlowDown), a clock offset the SDK has just corrected (RequestTimeTooSkewed), and
 * those same causes behind a credential source (STS, instance metadata). Everything else (403, 400,
 * NoSuchBucket, TLS verification, ENOTFOUND) is permanent. Pure.
 */
export function classifyFailure(error: unknown, policy: Pick<RetryPolicy, 'connectMs' | 'idleMs'>): FailureClass {
  if (error instanceof CredentialSourceError) {
    const inner = classifyFailure(error.cause, policy);
    return { retryable: inner.retryable, cause: `credentials from ${error.source}: ${inner.cause}` };
  }
  const e = (error ?? {}) as SdkError & { $metadata?: { clockSkewCorrected?: boolean } };
  const name = e.Code ?? e.name ?? '';
  const status = e.$metadata?.httpStatusCode;
  if (name === 'AbortError') return { retryable: false, cause: 'interrupted' };
  if (e.$metadata?.clockSkewCorrected)
    return {
      retryable: true,
      cause: `${name || `HTTP ${status}`}: this host's clock is off; the SDK corrected its offset`,
    };
  if (status !== undefined) {
    const label = `HTTP ${status}${name && name !== 'Unknown' ? ` ${name}` : ''}`;
    const retryable =
      status === 429 || (status >= 500 && status !== 501) || THROTTLING.has(name) || TRANSIENT_NAMES.has(name);
    return { retryable, cause: label };
  }
  // The SDK names ECONNRESET/ECONNREFUSED/EPIPE/ETIMEDOUT errors TimeoutError too: the code says more.
  const code = networkCode(error);
  if (code !== undefined) return { retryable: true, cause: `${NETWORK_CODES[code]} (${code})` };
  if (name === 'TimeoutError') {
    const message = e.message ?? '';
    if (message.includes('did not establish a connection'))
      return {
        retryable: true,
        cause: `no connection within ${formatMs(policy.connectMs)} (destination.timeouts.connect)`,
      };
    if (message.includes('socket timed out'))
      return { retryable: true, cause: `no data for ${formatMs(policy.idleMs)} (destination.timeouts.idle)` };
    return { retryable: true, cause: `timed out: ${message}` };
  }
  if (THROTTLING.has(name) || TRANSIENT_NAMES.has(name)) return { retryable: true, cause: name };
  return { retryable: false, cause: [name, e.message].filter(Boolean).join(': ') || String(error) };
}

/** The first retryable Node network code on `error` or its causes. */
function networkCode(error: unknown): string | undefined {
  let e = error as SdkError | null | undefined;
  for (
    let depth = 0;
    depth < 5 && e !== null && typeof e === 'object';
    depth += 1, e = e.cause as SdkError | null | undefined
  ) {
    if (e.code !== undefined && e.code in NETWORK_CODES) return e.code;
  }
  return undefined;
}
