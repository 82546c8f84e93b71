// `backup-agent lifecycle`: its flags and help; the rules are loaded from lifecycle-action.ts when it runs.
import type { CommandDefinition } from '../command-definition.js';
import type { LifecycleCommandOptions } from '../lifecycle-action.js';
import { credentialsFileFlag, PROFILE_FLAG } from '../operator-flags.js';

export const lifecycleCommand: CommandDefinition<LifecycleCommandOptions> = {
  name: 'lifecycle',
  description:
    'print the S3 lifecycle rules implementing retention; --apply merges them into the bucket (operator credentials)',
  flags: [
    {
      flags: '--apply',
      description: "put the rules, replacing only this prefix's rules and keeping every other rule of the bucket",
    },
    credentialsFileFlag('admin, for --apply'),
    PROFILE_FLAG,
    {
      flags: '--destination <name>',
      description: 'with several destinations: only this one (default: each s3 destination, keyed by name)',
    },
  ],
  async action(global, options) {
    const { lifecycleAction } = await import('../lifecycle-action.js');
    return lifecycleAction(global, options);
  },
};
