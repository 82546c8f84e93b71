// `backup-agent binlog`: its flags and help; the stream is loaded from binlog-action.ts when it runs.
import type { CommandDefinition } from '../command-definition.js';
import type { BinlogCommandOptions } from '../binlog-action.js';

export const binlogCommand: CommandDefinition<BinlogCommandOptions> = {
  name: 'binlog',
  description:
    'ship the binary log of every mysql-binlog asset (or --asset NAME) as write-once segments until SIGTERM (point-in-time recovery)',
  flags: [{ flags: '-a, --asset <name...>', description: 'only these assets' }],
  async action(global, options) {
    const { binlogAction } = await import('../binlog-action.js');
    return binlogAction(global, options);
  },
};
