// Picks the destination implementation for the config's `destination.type`.
import type { Config } from '../config/schema.js';
import type { Logger } from '../shared/logger.js';
import type { Destination } from './destination.js';
import { createLocalDestination } from './local-destination.js';
import { createS3Destination } from './s3-destination.js';

/** Returns the configured Destination. */
export function createDestination(config: Config, logger: Logger): Destination {
  return config.destination.type === 's3'
    ? createS3Destination(config.destination, logger)
    : createLocalDestination(config.destination);
}
