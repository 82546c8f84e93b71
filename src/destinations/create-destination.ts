// Picks the destination implementation for one configured destination's `type`.
import type { DestinationConfig } from '../config/schema.js';
import type { Logger } from '../shared/logger.js';
import type { Destination } from './destination.js';
import { createLocalDestination } from './local-destination.js';
import { createS3Destination } from './s3-destination.js';

/** Returns the Destination writing to `destination` (one entry of the config's destinations). */
export function createDestination(destination: DestinationConfig, logger: Logger): Destination {
  return destination.type === 's3' ? createS3Destination(destination, logger) : createLocalDestination(destination);
}
