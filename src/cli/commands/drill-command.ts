// `backup-agent drill`: its flags and help; the drill is loaded from drill-action.ts when it runs.
import type { CommandDefinition } from '../command-definition.js';
import type { DrillCommandOptions } from '../drill-action.js';
import { READ_FLAGS } from '../operator-flags.js';

export const drillCommand: CommandDefinition<DrillCommandOptions> = {
  name: 'drill',
  description:
    'restore the newest complete backup of each asset into a throwaway target (scratch dir, throwaway mariadbd) and check it against its manifest',
  flags: [
    {
      flags: '--since <when>',
      description: 'look for backups this far back: a duration (7d) or a date',
      default: '7d',
    },
    { flags: '--host <name>', description: 'only this host (default: every host in the bucket)' },
    { flags: '-a, --asset <name>', description: 'only this asset' },
    { flags: '--json', description: 'print the results as JSON' },
    { flags: '--results <file>', description: 'keep the last results here (default: state_dir/drill-results.json)' },
    ...READ_FLAGS,
  ],
  async action(global, options) {
    const { drillAction } = await import('../drill-action.js');
    return drillAction(global, options);
  },
};
