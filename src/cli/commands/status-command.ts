// `backup-agent status`: its flags and help; the report is loaded from status-action.ts when it runs.
import type { CommandDefinition } from '../command-definition.js';
import type { StatusCommandOptions } from '../status-action.js';

export const statusCommand: CommandDefinition<StatusCommandOptions> = {
  name: 'status',
  description: 'last run per asset and age of its last success; exit 1 when older than alert_after',
  flags: [
    { flags: '--json', description: 'print as JSON' },
    { flags: '--destination <name>', description: 'with several destinations: only this one (default: each)' },
  ],
  async action(global, options) {
    const { statusAction } = await import('../status-action.js');
    return statusAction(global, options);
  },
};
