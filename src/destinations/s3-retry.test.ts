import { describe, expect, it } from 'vitest';
import type { Fields, Logger } from '../shared/logger.js';
import { CredentialSourceError, explainS3Error, RetriesExhaustedError } from './s3-errors.js';
import { backoffDelay, classifyFailure, createS3Retry, type RetryPolicy } from './s3-retry.js';

const bounds = { connectMs: 10_000, idleMs: 60_000 };
const nodeError = (code: string, message = `connect ${code} 127.0.0.1:9000`) =>
  Object.assign(new Error(message), { code });
const service = (status: number, name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} message`), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, ...extra },
  });
// The messages @smithy/node-http-handler gives its two timeouts.
const idleTimeout = Object.assign(
  new Error(
    '@smithy/node-http-handler - the request socket timed out after 60000 ms of inactivity (configured by client requestHandler).',
  ),
  { name: 'TimeoutError' },
);
const connectTimeout = Object.assign(
  new Error(
    '@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 10000 ms.',
  ),
  { name: 'TimeoutError' },
);

function recordingLogger(): Logger & { warnings: { msg: string; fields?: Fields }[] } {
  const warnings: { msg: string; fields?: Fields }[] = [];
  const logger = {
    warnings,
    debug: () => undefined,
    info: () => undefined,
    error: () => undefined,
    warn: (msg: string, fields?: Fields) => {
      warnings.push({ msg, fields });
    },
    child: () => logger,
  };
  return logger;
}

describe('classifyFailure', () => {
  it.each([
    ['connection refused', nodeError('ECONNREFUSED'), 'connection refused (ECONNREFUSED)'],
    [
      'a reset behind a wrapper',
      Object.assign(new Error('socket hang up'), { cause: nodeError('ECONNRESET', 'read ECONNRESET') }),
      'connection reset (ECONNRESET)',
    ],
    // @smithy/node-http-handler renames these Node errors TimeoutError.
    [
      'a reset the SDK calls TimeoutError',
      Object.assign(nodeError('ECONNRESET', 'read ECONNRESET'), { name: 'TimeoutError' }),
      'connection reset (ECONNRESET)',
    ],
    ['the idle timeout', idleTimeout, 'no data for 1m (destination.timeouts.idle)'],
    ['the connect timeout', connectTimeout, 'no connection within 10s (destination.timeouts.connect)'],
    ['503 SlowDown', service(503, 'SlowDown'), 'HTTP 503 SlowDown'],
    ['500 InternalError', service(500, 'InternalError'), 'HTTP 500 InternalError'],
    ['429', service(429, 'TooManyRequestsException'), 'HTTP 429 TooManyRequestsException'],
    [
      'a clock offset the SDK corrected',
      service(403, 'RequestTimeTooSkewed', { clockSkewCorrected: true }),
      "RequestTimeTooSkewed: this host's clock is off; the SDK corrected its offset",
    ],
    [
      'STS unreachable behind a credential source',
      new CredentialSourceError('role_arn arn:aws:iam::123456789012:role/r', nodeError('ECONNREFUSED'), 'AssumeRole'),
      'credentials from role_arn arn:aws:iam::123456789012:role/r: connection refused (ECONNREFUSED)',
    ],
  ])('retries %s', (_what, error, cause) => {
    expect(classifyFailure(error, bounds)).toEqual({ retryable: true, cause });
  });

  it.each([
    ['403 AccessDenied', service(403, 'AccessDenied')],
    ['400 InvalidArgument', service(400, 'InvalidArgument')],
    ['404 NoSuchBucket', service(404, 'NoSuchBucket')],
    ['412 PreconditionFailed (write-once)', service(412, 'PreconditionFailed')],
    ['RequestTimeTooSkewed the SDK could not correct', service(403, 'RequestTimeTooSkewed')],
    ['501 NotImplemented', service(501, 'NotImplemented')],
    ['an unknown host (ENOTFOUND)', nodeError('ENOTFOUND', 'getaddrinfo ENOTFOUND s3.invalid')],
    [
      'an untrusted certificate',
      nodeError('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'),
    ],
    ['an interrupt', Object.assign(new Error('interrupted by SIGTERM'), { name: 'AbortError' })],
    [
      'rejected credentials behind a credential source',
      new CredentialSourceError('key_file /k [default]', service(403, 'InvalidClientTokenId'), 'AssumeRole'),
    ],
  ])('fails at once on %s', (_what, error) => {
    expect(classifyFailure(error, bounds).retryable).toBe(false);
  });
});

describe('backoffDelay', () => {
  it('doubles from 1s up to 30s, jittered to 50-100 %', () => {
    const at = (random: number) =>
      [1, 2, 3, 5, 6, 12].map((attempt) => backoffDelay(attempt, { budgetMs: 1, ...bounds, random: () => random }));
    expect(at(0)).toEqual([500, 1_000, 2_000, 8_000, 15_000, 15_000]);
    expect(at(0.999_999)).toEqual([1_000, 2_000, 4_000, 16_000, 30_000, 30_000]);
  });
});

describe('createS3Retry', () => {
  const policy: RetryPolicy = { budgetMs: 5_000, ...bounds, baseDelayMs: 5, maxDelayMs: 20, random: () => 0.5 };

  it('retries until success, logging one warning per retry with operation, cause, attempt and delay', async () => {
    const logger = recordingLogger();
    const failures = [nodeError('ECONNREFUSED'), service(503, 'SlowDown')];
    let calls = 0;
    const result = await createS3Retry(policy, logger)('s3://b/k: UploadPart 3', undefined, () => {
      calls += 1;
      const failure = failures.shift();
      return failure ? Promise.reject(failure) : Promise.resolve('etag');
    });
    expect([result, calls]).toEqual(['etag', 3]);
    expect(logger.warnings.map((w) => w.msg)).toEqual([
      expect.stringMatching(
        /^s3:\/\/b\/k: UploadPart 3: connection refused \(ECONNREFUSED\); retry 1 in 0s \(5s of destination\.retry\.budget left\)$/,
      ),
      expect.stringMatching(
        /^s3:\/\/b\/k: UploadPart 3: HTTP 503 SlowDown; retry 2 in 0s \(\d(\.\d)?s of destination\.retry\.budget left\)$/,
      ),
    ]);
    expect(logger.warnings[1]!.fields).toMatchObject({
      operation: 's3://b/k: UploadPart 3',
      attempt: 2,
      delay_ms: 8,
      cause: 'HTTP 503 SlowDown',
    });
  });

  it('fails at once on a permanent error, without a warning', async () => {
    const logger = recordingLogger();
    let calls = 0;
    const denied = service(403, 'AccessDenied');
    await expect(
      createS3Retry(policy, logger)('op', undefined, () => {
        calls += 1;
        return Promise.reject(denied);
      }),
    ).rejects.toBe(denied);
    expect([calls, logger.warnings]).toEqual([1, []]);
  });

  it('gives up when the budget is spent, naming the last cause, the attempts and the budget', async () => {
    const started = Date.now();
    const error = await createS3Retry({ ...policy, budgetMs: 150 }, recordingLogger())('op', undefined, () =>
      Promise.reject(idleTimeout),
    ).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    const exhausted = error as RetriesExhaustedError;
    expect(exhausted.attempts).toBeGreaterThan(2);
    expect(exhausted.cause).toBe(idleTimeout);
    expect(exhausted.message).toMatch(
      /^no data for 1m \(destination\.timeouts\.idle\); gave up after \d+ attempts in 0\.\ds \(destination\.retry\.budget 0\.\ds\)$/,
    );
    const explained = explainS3Error(exhausted, {
      bucket: 'b',
      key: 'k',
      prefix: '',
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
    });
    expect(explained.code).toBe('DESTINATION_UNREACHABLE');
    expect(explained.message).toBe(`s3://b/k: cannot reach http://127.0.0.1:9000: ${exhausted.message}`);
  });

  it('stops waiting at once when the signal aborts', async () => {
    const controller = new AbortController();
    const slow: RetryPolicy = { ...policy, baseDelayMs: 60_000, maxDelayMs: 60_000 };
    const pending = createS3Retry(slow, recordingLogger())('op', controller.signal, () =>
      Promise.reject(nodeError('ECONNREFUSED')),
    );
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(20_000); // not the 60 s backoff (a wide bound: CI is loaded)
  });
});
