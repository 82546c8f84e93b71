// The destinations of a config as one list: `destinations:` as written, or a single `destination:` as a
// list of one named "default"; and the choice of one by name for operator commands (`--destination`).
import { BackupError } from '../shared/backup-error.js';
import type { Config, DestinationConfig, NamedDestinationConfig } from './schema.js';

/** The name of the destination of a config with a single `destination:`. */
export const DEFAULT_DESTINATION_NAME = 'default';

/** Every destination of `config`, named, in config order (at least one). */
export function destinationsOf(config: Config): NamedDestinationConfig[] {
  return config.destinations ?? [{ ...config.destination, name: DEFAULT_DESTINATION_NAME }];
}

/** The list of destinations a parsed config normalises to; `destination` is the first. */
export function normaliseDestinations(
  destination: DestinationConfig | undefined,
  destinations: NamedDestinationConfig[] | undefined,
): { destination: DestinationConfig; destinations: NamedDestinationConfig[] } {
  if (destination) return { destination, destinations: [{ ...destination, name: DEFAULT_DESTINATION_NAME }] };
  const [first] = destinations ?? [];
  if (!first || !destinations) throw new Error('config without a destination (the cross-field rules require one)');
  return { destination: first, destinations };
}

/**
 * `config` with `destination` set to the one named `name` (default: the first), so that commands
 * reading one destination read that one. Throws BackupError USAGE naming the configured ones.
 */
export function selectDestination(config: Config, name: string | undefined): Config {
  if (name === undefined) return config;
  const all = destinationsOf(config);
  const chosen = all.find((d) => d.name === name);
  if (!chosen)
    throw new BackupError(
      'USAGE',
      `--destination "${name}": no such destination (configured: ${all.map((d) => d.name).join(', ')})`,
    );
  return { ...config, destination: chosen };
}
