// The program-level flags every command receives (--config, --verbose, --quiet), as `--help` lists them.
import { DEFAULT_CONFIG_PATH } from '../config/load-config.js';
import type { FlagDefinition } from './command-definition.js';

/** The flags before the command name, in the order `--help` lists them; they parse into GlobalOptions. */
export const GLOBAL_FLAGS: readonly FlagDefinition[] = [
  {
    flags: '-c, --config <path>',
    description: 'config file',
    env: 'BACKUP_AGENT_CONFIG',
    default: DEFAULT_CONFIG_PATH,
  },
  { flags: '-v, --verbose', description: 'debug logging' },
  { flags: '-q, --quiet', description: 'warnings and errors only' },
];
