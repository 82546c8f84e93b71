// `backup-agent policy`: its flags and help; the policies are loaded from policy-action.ts when it runs.
import type { CommandDefinition } from '../command-definition.js';
import type { PolicyCommandOptions } from '../policy-action.js';

export const policyCommand: CommandDefinition<PolicyCommandOptions> = {
  name: 'policy',
  description: 'print the least-privilege IAM policy for this host (or --bucket-policy, --restore)',
  flags: [
    { flags: '--bucket-policy', description: 'a bucket policy that denies writes without If-None-Match under the prefix' },
    { flags: '--restore', description: 'the read-only policy an operator needs to list, get and restore' },
  ],
  async action(global, options) {
    const { policyAction } = await import('../policy-action.js');
    return policyAction(global, options);
  },
};
