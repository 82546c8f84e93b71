// `backup-agent list`: its flags and help; the catalog is read by list-action.ts when it runs.
import type { CommandDefinition } from '../command-definition.js';
import type { ListCommandOptions } from '../list-action.js';
import { READ_FLAGS } from '../operator-flags.js';

export const listCommand: CommandDefinition<ListCommandOptions> = {
  name: 'list',
  description: 'backups grouped by host and asset, newest first, read from the manifests (read credentials)',
  flags: [
    { flags: '--host <name>', description: 'only this host (default: every host in the bucket)' },
    { flags: '-a, --asset <name>', description: 'only this asset' },
    { flags: '--since <when>', description: 'only runs since a duration ago (7d, 36h) or a date (2026-11-20)' },
    { flags: '--json', description: 'print as JSON' },
    ...READ_FLAGS,
  ],
  async action(global, options) {
    const { listAction } = await import('../list-action.js');
    return listAction(global, options);
  },
};
