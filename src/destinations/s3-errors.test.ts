import { describe, expect, it } from 'vitest';
import { BackupError } from '../shared/backup-error.js';
import { explainS3Error, isS3Error, type S3ErrorContext } from './s3-errors.js';

const ctx: S3ErrorContext = {
  bucket: 'acme-backups',
  key: 'hosts/daily/2026-11-22/web-1/www/20261122T031500Z.tar.zst',
  prefix: 'hosts/',
  endpoint: undefined,
  region: 'eu-west-1',
  asset: 'www',
};
const where = `s3://${ctx.bucket}/${ctx.key}`;

/** An error shaped like the AWS SDK v3's ServiceException. */
function sdkError(name: string, status: number, message = `${name} message`): Error {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status, attempts: 1 } });
}

/** An error shaped like Node's network errors, as the SDK passes them on. */
function nodeError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:9000`), { code, errno: -111, syscall: 'connect', $metadata: { attempts: 3 } });
}

function explain(error: unknown, context: S3ErrorContext = ctx): BackupError {
  const explained = explainS3Error(error, context);
  expect(explained).toBeInstanceOf(BackupError);
  expect(explained.cause).toBe(error);
  expect(explained.asset).toBe('www');
  return explained;
}

describe('explainS3Error', () => {
  it('turns 412 PreconditionFailed into DESTINATION_EXISTS naming the object', () => {
    const e = explain(sdkError('PreconditionFailed', 412));
    expect(e.code).toBe('DESTINATION_EXISTS');
    expect(e.message).toBe(`refusing to overwrite existing backup ${where}: an object already exists at this key (write_once)`);
    // Some S3-compatible servers send a bare 412 without the error code.
    expect(explain(sdkError('Unknown', 412)).code).toBe('DESTINATION_EXISTS');
  });

  it('turns NoSuchBucket into DESTINATION_NOT_FOUND naming the bucket, region and setting to fix', () => {
    const e = explain(sdkError('NoSuchBucket', 404));
    expect(e.code).toBe('DESTINATION_NOT_FOUND');
    expect(e.message).toBe('s3://acme-backups: bucket does not exist (region eu-west-1): check destination.bucket');
    const custom = explain(sdkError('NoSuchBucket', 404), { ...ctx, endpoint: 'http://minio:9000' });
    expect(custom.message).toContain('(region eu-west-1, endpoint http://minio:9000)');
  });

  it('turns 403 AccessDenied into DESTINATION_DENIED naming the permission and resource needed', () => {
    const e = explain(sdkError('AccessDenied', 403));
    expect(e.code).toBe('DESTINATION_DENIED');
    expect(e.message).toBe(`${where}: PutObject denied (AccessDenied): the credentials need s3:PutObject on arn:aws:s3:::acme-backups/hosts/*`);
    expect(explain(sdkError('Forbidden', 403)).code).toBe('DESTINATION_DENIED');
  });

  it('turns InvalidAccessKeyId (also a 403) into DESTINATION_CREDENTIALS, not a permission problem', () => {
    const e = explain(sdkError('InvalidAccessKeyId', 403));
    expect(e.code).toBe('DESTINATION_CREDENTIALS');
    expect(e.message).toBe(`${where}: credentials rejected (InvalidAccessKeyId): check destination.credentials or the AWS credential chain, and the clock`);
    expect(explain(sdkError('SignatureDoesNotMatch', 403)).code).toBe('DESTINATION_CREDENTIALS');
  });

  it('turns RequestTimeTooSkewed into DESTINATION_CREDENTIALS pointing at the clock', () => {
    const e = explain(sdkError('RequestTimeTooSkewed', 403));
    expect(e.code).toBe('DESTINATION_CREDENTIALS');
    expect(e.message).toBe(`${where}: request rejected because this host's clock is off (RequestTimeTooSkewed): fix time sync (NTP)`);
  });

  it('turns ECONNREFUSED into DESTINATION_UNREACHABLE naming the endpoint or region', () => {
    const local = explain(nodeError('ECONNREFUSED'), { ...ctx, endpoint: 'http://127.0.0.1:9000' });
    expect(local.code).toBe('DESTINATION_UNREACHABLE');
    expect(local.message).toBe(`${where}: cannot reach http://127.0.0.1:9000 (ECONNREFUSED) after retries`);
    const aws = explain(nodeError('ENOTFOUND'));
    expect(aws.message).toBe(`${where}: cannot reach S3 in eu-west-1 (ENOTFOUND) after retries`);
  });

  it('keeps the status, name and message of anything else as DESTINATION_FAILED', () => {
    const e = explain(sdkError('InternalError', 500, 'We encountered an internal error. Please try again.'));
    expect(e.code).toBe('DESTINATION_FAILED');
    expect(e.message).toBe(`${where}: upload failed (HTTP 500): InternalError: We encountered an internal error. Please try again.`);
    expect(e.exitCode).toBe(1);
  });

  it('copes with a non-error value', () => {
    const e = explainS3Error('socket hang up', ctx);
    expect(e.code).toBe('DESTINATION_FAILED');
    expect(e.message).toBe(`${where}: upload failed: socket hang up`);
  });
});

describe('isS3Error', () => {
  it('tells service and network errors from a body stream\'s error', () => {
    expect(isS3Error(sdkError('AccessDenied', 403))).toBe(true);
    expect(isS3Error(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isS3Error(new Error('tar exited 2'))).toBe(false);
    expect(isS3Error(undefined)).toBe(false);
  });
});
