import { describe, expect, it } from 'vitest';
import { BackupError } from '../shared/backup-error.js';
import { CredentialSourceError, explainS3Error, isS3Error, type S3ErrorContext } from './s3-errors.js';

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
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, attempts: 1 },
  });
}

/** An error shaped like Node's network errors, as the SDK passes them on. */
function nodeError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:9000`), {
    code,
    errno: -111,
    syscall: 'connect',
    $metadata: { attempts: 3 },
  });
}

/** A certificate verification failure as the SDK passes it on: Node's error, plus $metadata from the retry layer. */
function tlsError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, $metadata: { attempts: 1, totalRetryDelay: 0 } });
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
    expect(e.message).toBe(
      `refusing to overwrite existing backup ${where}: an object already exists at this key (write_once)`,
    );
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
    expect(e.message).toBe(
      `${where}: PutObject denied (AccessDenied): the credentials need s3:PutObject on arn:aws:s3:::acme-backups/hosts/*`,
    );
    expect(explain(sdkError('Forbidden', 403)).code).toBe('DESTINATION_DENIED');
  });

  it('turns InvalidAccessKeyId (also a 403) into DESTINATION_CREDENTIALS, not a permission problem', () => {
    const e = explain(sdkError('InvalidAccessKeyId', 403));
    expect(e.code).toBe('DESTINATION_CREDENTIALS');
    expect(e.message).toBe(
      `${where}: credentials rejected (InvalidAccessKeyId): check destination.credentials or the AWS credential chain, and the clock`,
    );
    expect(explain(sdkError('SignatureDoesNotMatch', 403)).code).toBe('DESTINATION_CREDENTIALS');
  });

  it('turns RequestTimeTooSkewed into DESTINATION_CREDENTIALS pointing at the clock', () => {
    const e = explain(sdkError('RequestTimeTooSkewed', 403));
    expect(e.code).toBe('DESTINATION_CREDENTIALS');
    expect(e.message).toBe(
      `${where}: request rejected because this host's clock is off (RequestTimeTooSkewed): fix time sync (NTP)`,
    );
  });

  it('turns ECONNREFUSED into DESTINATION_UNREACHABLE naming the endpoint or region', () => {
    const local = explain(nodeError('ECONNREFUSED'), { ...ctx, endpoint: 'http://127.0.0.1:9000' });
    expect(local.code).toBe('DESTINATION_UNREACHABLE');
    expect(local.message).toBe(`${where}: cannot reach http://127.0.0.1:9000 (ECONNREFUSED)`);
    const aws = explain(nodeError('ENOTFOUND'));
    expect(aws.message).toBe(`${where}: cannot reach S3 in eu-west-1 (ENOTFOUND)`);
  });

  it('turns certificate verification failures into DESTINATION_UNREACHABLE naming ca_file', () => {
    const endpoint = 'https://minio.internal:9000';
    const inChain = explain(tlsError('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'), {
      ...ctx,
      endpoint,
    });
    expect(inChain.code).toBe('DESTINATION_UNREACHABLE');
    expect(inChain.message).toBe(
      `${where}: TLS verification of ${endpoint} failed (SELF_SIGNED_CERT_IN_CHAIN): set destination.ca_file to the CA bundle that signed it`,
    );
    for (const code of [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    ]) {
      expect(explain(tlsError(code, 'x'), { ...ctx, endpoint }).message).toBe(
        `${where}: TLS verification of ${endpoint} failed (${code}): set destination.ca_file to the CA bundle that signed it`,
      );
    }
    // Also when a layer wraps Node's error and keeps it as the cause.
    const wrapped = Object.assign(
      new Error('request failed', {
        cause: tlsError('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'),
      }),
      { $metadata: {} },
    );
    expect(explain(wrapped, { ...ctx, endpoint }).message).toContain(
      '(UNABLE_TO_VERIFY_LEAF_SIGNATURE): set destination.ca_file',
    );
  });

  it('gives expired certificates and wrong host names their own fix, since ca_file would not help', () => {
    const expired = explain(tlsError('CERT_HAS_EXPIRED', 'certificate has expired'));
    expect(expired.code).toBe('DESTINATION_UNREACHABLE');
    expect(expired.message).toBe(
      `${where}: TLS verification of S3 in eu-west-1 failed (CERT_HAS_EXPIRED): the server's certificate has expired (or this host's clock is wrong): renew the certificate or fix time sync`,
    );
    const altname = explain(
      tlsError('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"),
      { ...ctx, endpoint: 'https://10.0.0.5:9000' },
    );
    expect(altname.message).toBe(
      `${where}: TLS verification of https://10.0.0.5:9000 failed (ERR_TLS_CERT_ALTNAME_INVALID): the certificate does not name this host: set destination.endpoint to a name the certificate was issued for`,
    );
  });

  it('names the credential source that failed: an AssumeRole denial of role_arn', () => {
    const role = 'arn:aws:iam::123456789012:role/backup-writer';
    const denied = sdkError(
      'AccessDenied',
      403,
      `User: arn:aws:iam::123456789012:user/web-1 is not authorized to perform: sts:AssumeRole on resource: ${role}`,
    );
    const e = explain(new CredentialSourceError(`role_arn ${role}`, denied, 'AssumeRole'));
    expect(e.code).toBe('DESTINATION_CREDENTIALS');
    expect(e.message).toBe(
      `${where}: credentials from role_arn ${role}: AssumeRole denied (AccessDenied: User: arn:aws:iam::123456789012:user/web-1 is not authorized to perform: sts:AssumeRole on resource: ${role}): check the role's trust policy (principal, external_id) and that the base credentials allow sts:AssumeRole on it`,
    );
    const badBase = explain(
      new CredentialSourceError(
        `role_arn ${role}`,
        sdkError('InvalidClientTokenId', 403, 'The security token included in the request is invalid.'),
        'AssumeRole',
      ),
    );
    expect(badBase.message).toBe(
      `${where}: credentials from role_arn ${role}: AssumeRole rejected the base credentials (InvalidClientTokenId: The security token included in the request is invalid)`,
    );
  });

  it('names the credential source that failed: an unreadable key file, a missing profile, STS unreachable', () => {
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, access '/etc/ba/keys'"), {
      code: 'ENOENT',
      syscall: 'access',
      path: '/etc/ba/keys',
    });
    expect(explain(new CredentialSourceError('key_file /etc/ba/keys [default]', enoent)).message).toBe(
      `${where}: credentials from key_file /etc/ba/keys [default]: cannot read it (ENOENT)`,
    );
    const missing = Object.assign(
      new Error('Could not resolve credentials using profile: [ci] in configuration/credentials file(s).'),
      { name: 'CredentialsProviderError' },
    );
    const profile = explain(new CredentialSourceError('profile "ci"', missing));
    expect(profile.code).toBe('DESTINATION_CREDENTIALS');
    expect(profile.message).toBe(
      `${where}: credentials from profile "ci": Could not resolve credentials using profile: [ci] in configuration/credentials file(s)`,
    );
    expect(
      explain(
        new CredentialSourceError('role_arn arn:aws:iam::123456789012:role/r', nodeError('ECONNREFUSED'), 'AssumeRole'),
      ).message,
    ).toBe(`${where}: credentials from role_arn arn:aws:iam::123456789012:role/r: cannot reach STS (ECONNREFUSED)`);
  });

  it('keeps the status, name and message of anything else as DESTINATION_FAILED', () => {
    const e = explain(sdkError('InternalError', 500, 'We encountered an internal error. Please try again.'));
    expect(e.code).toBe('DESTINATION_FAILED');
    expect(e.message).toBe(
      `${where}: upload failed (HTTP 500): InternalError: We encountered an internal error. Please try again.`,
    );
    expect(e.exitCode).toBe(1);
  });

  it('copes with a non-error value', () => {
    const e = explainS3Error('socket hang up', ctx);
    expect(e.code).toBe('DESTINATION_FAILED');
    expect(e.message).toBe(`${where}: upload failed: socket hang up`);
  });
});

describe('isS3Error', () => {
  it("tells service and network errors from a body stream's error", () => {
    expect(isS3Error(sdkError('AccessDenied', 403))).toBe(true);
    expect(isS3Error(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isS3Error(new Error('tar exited 2'))).toBe(false);
    expect(isS3Error(undefined)).toBe(false);
    expect(isS3Error(tlsError('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'))).toBe(true);
    expect(isS3Error(new CredentialSourceError('profile "ci"', new Error('nope')))).toBe(true);
  });
});
