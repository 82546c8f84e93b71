// `backup-agent verify`: its flags and help; the read-back is loaded from verify-action.ts when it runs.
import type { CommandDefinition } from '../command-definition.js';
import { READ_FLAGS } from '../operator-flags.js';
import type { VerifyCommandOptions } from '../verify-action.js';

export const verifyCommand: CommandDefinition<VerifyCommandOptions> = {
  name: 'verify',
  description:
    'read back every backup since --since: exists, size and sha256 match, decrypts, decompresses, dumps complete; gaps in daily series; binlog series whole, with their recovery window',
  flags: [
    { flags: '--since <when>', description: 'window: a duration ago (7d, 36h) or a date (2026-11-20)', default: '7d' },
    { flags: '--host <name>', description: 'only this host (default: every host in the bucket)' },
    { flags: '-a, --asset <name>', description: 'only this asset' },
    { flags: '--json', description: 'print as JSON' },
    ...READ_FLAGS,
  ],
  async action(global, options) {
    const { verifyAction } = await import('../verify-action.js');
    return verifyAction(global, options);
  },
};
