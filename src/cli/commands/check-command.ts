// `backup-agent check`: its flags and help (with the exit codes); the checks are loaded from check-action.ts when it runs.
import type { CommandDefinition } from '../command-definition.js';
import type { CheckCommandOptions } from '../check-action.js';

export const checkCommand: CommandDefinition<CheckCommandOptions> = {
  name: 'check',
  description:
    "test everything a backup needs without uploading one: assets, tools, state_dir, and what the host's S3 key may do",
  flags: [{ flags: '--json', description: 'print the results as JSON' }],
  helpAfter:
    '\nExit 0 when a backup would succeed; warnings (e.g. a key that can also read or delete backups) keep 0.\nExit 1 when any check failed, 2 for a config error.',
  async action(global, options) {
    const { checkAction } = await import('../check-action.js');
    return checkAction(global, options);
  },
};
