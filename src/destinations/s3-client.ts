// Builds the S3 client from config: region, endpoint, path style, request timeouts, credentials and a private CA.
import { readFileSync } from 'node:fs';
import { checkReadable } from '../shared/check-readable.js';
import { Agent } from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import { fromIni, fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { S3DestinationConfig } from '../config/schema.js';
import { BackupError } from '../shared/backup-error.js';
import { CredentialSourceError } from './s3-errors.js';

/**
 * Attempts per request inside the SDK: one. Retries are ours (s3-retry.ts): a time budget instead of
 * a count, no retry quota that runs dry in a long outage, one log line per retry, abortable waits.
 */
export const SDK_MAX_ATTEMPTS = 1;
/** RoleSessionName used for role_arn when `session_name` is not set (visible in CloudTrail). */
export const DEFAULT_SESSION_NAME = 'backup-agent';

type Provider = ReturnType<typeof fromIni>;
type Identity = Awaited<ReturnType<Provider>>;
type RoleAssumer = NonNullable<NonNullable<Parameters<typeof fromIni>[0]>['roleAssumer']>;
/** Settings of the STS clients the providers create (passed as their `clientConfig`). */
interface StsConfig {
  region: string;
  endpoint?: string;
  requestHandler: RequestBounds & { httpsAgent?: Agent };
}
/** The SDK's NodeHttpHandler bounds: connection set-up, and inactivity of the socket (ms). */
interface RequestBounds {
  connectionTimeout: number;
  socketTimeout: number;
}

const AWS_HOST = /(^|\.)(amazonaws\.com|amazonaws\.com\.cn|api\.aws)$/i;

/**
 * Returns an S3 client for the destination. Credentials, in order: `key_file` (section `profile`,
 * default `default`), inline keys, a shared-config `profile`, else the standard AWS chain (env,
 * shared profile, web identity, ECS/EC2 role); `role_arn` is then assumed with those as the base.
 * Throws BackupError CONFIG_INVALID if `ca_file` cannot be read or holds no certificate.
 */
export function createS3Client(config: S3DestinationConfig): S3Client {
  const agent = config.ca_file ? httpsAgent(config.ca_file) : undefined;
  const bounds = requestBounds(config);
  return new S3Client({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.force_path_style,
    maxAttempts: SDK_MAX_ATTEMPTS,
    requestHandler: { ...bounds, ...(agent ? { httpsAgent: agent } : {}) },
    credentials: credentialsFor(config, stsConfig(config, agent), bounds),
  });
}

/**
 * `destination.timeouts` as the SDK's handler options: a connection not set up within `connect`, or a
 * socket with no byte sent or received for `idle`, fails the request with a TimeoutError, and its
 * socket is destroyed, so the next attempt uses a new connection. There is no limit on a whole request:
 * a large part on a slow link is fine as long as bytes move.
 */
function requestBounds(config: S3DestinationConfig): RequestBounds {
  return { connectionTimeout: config.timeouts.connect, socketTimeout: config.timeouts.idle };
}

/** An https.Agent trusting the PEM bundle in `caFile`; verification stays on. */
function httpsAgent(caFile: string): Agent {
  let pem: string;
  try {
    pem = readFileSync(caFile, 'utf8');
  } catch (error) {
    throw new BackupError(
      'CONFIG_INVALID',
      `destination.ca_file ${caFile}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { cause: error },
    );
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new BackupError(
      'CONFIG_INVALID',
      `destination.ca_file ${caFile}: no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)`,
    );
  }
  // `ca` replaces Node's public roots for this endpoint, as curl --cacert does: only this CA is trusted.
  return new Agent({ ca: pem, keepAlive: true, maxSockets: 50 });
}

/**
 * Where STS calls (role_arn, and profiles with role_arn + source_profile) go. No endpoint, or an AWS
 * one (VPC, FIPS, dual-stack): the SDK's regional STS, so AWS_ENDPOINT_URL_STS keeps working. Any
 * other endpoint: STS goes there too, because a role of MinIO or Ceph RGW (which serve AssumeRole
 * on their S3 port) cannot come from AWS STS, and a loopback-only rule would send those users'
 * AssumeRole to AWS, which rejects their keys; moto in tests is just one such endpoint. A store whose
 * STS lives elsewhere (Wasabi) sets AWS_ENDPOINT_URL_STS, which always wins.
 */
function stsConfig(config: S3DestinationConfig, agent: Agent | undefined, env = process.env): StsConfig {
  const host = config.endpoint ? new URL(config.endpoint).hostname : undefined;
  const endpoint =
    host !== undefined && !AWS_HOST.test(host) && !env.AWS_ENDPOINT_URL_STS ? config.endpoint : undefined;
  // The private CA applies only where STS goes to the same endpoint; AWS STS needs the public roots.
  const requestHandler = { ...requestBounds(config), ...(agent && endpoint ? { httpsAgent: agent } : {}) };
  return { region: config.region, ...(endpoint ? { endpoint } : {}), requestHandler };
}

/**
 * The client's credentials: static keys as they are, everything else as a provider (never a snapshot
 * taken at start). The S3 client memoizes a provider and calls it again when the identity it gave
 * expires within 5 minutes, so role, web identity and instance credentials are renewed during a long
 * upload. `bounds` apply to the STS and SSO clients of the default chain and of profiles.
 */
function credentialsFor(config: S3DestinationConfig, sts: StsConfig, bounds: RequestBounds): Provider | Identity {
  const c = config.credentials ?? {};
  let base: Provider | Identity;
  if (c.key_file) {
    const profile = c.profile ?? 'default';
    base = fromKeyFile(`key_file ${c.key_file} [${profile}]`, c.key_file, profile, sts, bounds);
  } else if (c.access_key_id && c.secret_access_key) {
    base = {
      accessKeyId: c.access_key_id,
      secretAccessKey: c.secret_access_key,
      ...(c.session_token ? { sessionToken: c.session_token } : {}),
    };
  } else if (c.profile) {
    const source = `profile "${c.profile}"`;
    // AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE apply; the explicit name beats AWS_PROFILE.
    base = tagged(
      source,
      fromIni({
        profile: c.profile,
        ignoreCache: true,
        roleAssumer: assumeRoleVia(sts, source),
        clientConfig: { requestHandler: bounds },
      }),
    );
  } else {
    const source = 'the default AWS chain (env, shared profile, web identity, ECS/EC2 role)';
    base = tagged(
      source,
      fromNodeProviderChain({ roleAssumer: assumeRoleVia(sts, source), clientConfig: { requestHandler: bounds } }),
    );
  }
  if (!c.role_arn) return base;
  const params = {
    RoleArn: c.role_arn,
    RoleSessionName: c.session_name ?? DEFAULT_SESSION_NAME,
    ...(c.external_id ? { ExternalId: c.external_id } : {}),
  };
  return tagged(
    `role_arn ${c.role_arn}`,
    fromTemporaryCredentials({ masterCredentials: base, params, clientConfig: sts }),
    'AssumeRole',
  );
}

/**
 * The AWS CLI key-file format, read from `path` alone: the file is both the credentials and the
 * config file, so ~/.aws/config and AWS_CONFIG_FILE are never consulted, and the section is always
 * named, so AWS_PROFILE cannot redirect it.
 */
function fromKeyFile(source: string, path: string, profile: string, sts: StsConfig, bounds: RequestBounds): Provider {
  const ini = fromIni({
    filepath: path,
    configFilepath: path,
    profile,
    ignoreCache: true,
    roleAssumer: assumeRoleVia(sts, source),
    clientConfig: { requestHandler: bounds },
  });
  // The SDK treats an unreadable file as empty ("Could not resolve credentials"); say why instead.
  const readable: Provider = async (properties) => {
    await checkReadable(path);
    return ini(properties);
  };
  return tagged(source, readable);
}

/** fromIni's AssumeRole for profiles with role_arn, sent where {@link stsConfig} says. */
function assumeRoleVia(sts: StsConfig, source: string): RoleAssumer {
  return async (sourceCredentials, params) => {
    const provider = fromTemporaryCredentials({ masterCredentials: sourceCredentials, params, clientConfig: sts });
    try {
      return await provider();
    } catch (error) {
      throw new CredentialSourceError(`${source} (role_arn ${params.RoleArn})`, error, 'AssumeRole');
    }
  };
}

/** Wraps `provider` so that its failures name `source` (errors already tagged by an inner source pass through). */
function tagged(source: string, provider: Provider, action?: string): Provider {
  return async (properties) => {
    try {
      return await provider(properties);
    } catch (error) {
      throw error instanceof CredentialSourceError ? error : new CredentialSourceError(source, error, action);
    }
  };
}
