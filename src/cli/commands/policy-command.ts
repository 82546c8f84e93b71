// `backup-agent policy`: its flags and help; the policies are loaded from policy-action.ts when it runs.
import type { CommandDefinition } from '../command-definition.js';
import type { PolicyCommandOptions } from '../policy-action.js';

export const policyCommand: CommandDefinition<PolicyCommandOptions> = {
  name: 'policy',
  description: 'print the least-privilege IAM policy for this host (or --bucket-policy, --restore, --mysql)',
  flags: [
    {
      flags: '--bucket-policy',
      description: 'a bucket policy that denies writes without If-None-Match under the prefix',
    },
    { flags: '--restore', description: 'the read-only policy an operator needs to list, get and restore' },
    {
      flags: '--mysql',
      description: 'instead: the CREATE USER/GRANT statements of the least-privileged dump account of each mysql asset',
    },
    {
      flags: '--account-host <host>',
      description:
        "with --mysql: the account's host part as the server sees this machine (default: localhost for a socket, else %)",
    },
    {
      flags: '--destination <name>',
      description: 'with several destinations: only this one (default: one document per s3 destination, keyed by name)',
    },
  ],
  async action(global, options) {
    const { policyAction } = await import('../policy-action.js');
    return policyAction(global, options);
  },
};
