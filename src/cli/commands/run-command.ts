// `backup-agent run`: its flags and help; the backup itself is loaded from run-action.ts when it runs.
import type { CommandDefinition } from '../command-definition.js';
import type { RunCommandOptions } from '../run-action.js';

export const runCommand: CommandDefinition<RunCommandOptions> = {
  name: 'run',
  description: 'back up every configured asset (or --asset NAME) now',
  flags: [
    { flags: '-a, --asset <name...>', description: 'only these assets' },
    { flags: '-n, --dry-run', description: 'resolve paths and keys; upload nothing' },
    { flags: '--json', description: 'print the summary as JSON' },
  ],
  async action(global, options) {
    const { runAction } = await import('../run-action.js');
    return runAction(global, options);
  },
};
