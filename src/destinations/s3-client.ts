// Builds the S3 client from config: region, endpoint, path style, retries and credentials.
import { S3Client } from '@aws-sdk/client-s3';
import { fromIni } from '@aws-sdk/credential-providers';
import type { S3DestinationConfig } from '../config/schema.js';

/** Attempts per request (the SDK's standard retry mode: exponential backoff with jitter). */
export const MAX_ATTEMPTS = 5;

/**
 * Returns an S3 client for the destination. Without `credentials` the standard AWS chain applies
 * (env, shared profile, web identity, instance role).
 */
export function createS3Client(config: S3DestinationConfig): S3Client {
  const credentials = config.credentials
    ? fromIni({ filepath: config.credentials.key_file, configFilepath: config.credentials.key_file, profile: config.credentials.profile, ignoreCache: true })
    : undefined;
  return new S3Client({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.force_path_style,
    maxAttempts: MAX_ATTEMPTS,
    ...(credentials ? { credentials } : {}),
  });
}
