// `backup-agent report`: its flags and help; the page is built by report-action.ts when it runs.
import type { CommandDefinition } from '../command-definition.js';
import { READ_FLAGS } from '../operator-flags.js';
import type { ReportCommandOptions } from '../report-action.js';

export const reportCommand: CommandDefinition<ReportCommandOptions> = {
  name: 'report',
  description:
    'write a self-contained HTML page of the fleet: last success and its age against alert_after, size per day, gaps, last drill',
  flags: [
    { flags: '--html <file>', description: 'the page to write' },
    { flags: '--since <when>', description: 'window: a duration ago (30d) or a date', default: '30d' },
    { flags: '--host <name>', description: 'only this host (default: every host in the bucket)' },
    { flags: '--drills <file>', description: 'drill results to show (default: state_dir/drill-results.json)' },
    ...READ_FLAGS,
  ],
  async action(global, options) {
    const { reportAction } = await import('../report-action.js');
    return reportAction(global, options);
  },
};
