// `backup-agent schedule`: its flags and help; the renderers are loaded from schedule-action.ts when it runs.
import type { CommandDefinition } from '../command-definition.js';
import type { ScheduleCommandOptions } from '../schedule-action.js';

export const scheduleCommand: CommandDefinition<ScheduleCommandOptions> = {
  name: 'schedule',
  description: "print the config's schedule as a systemd timer or a crontab entry",
  flags: [{ flags: '--print <format>', description: 'output format', choices: ['systemd', 'cron'], mandatory: true }],
  async action(global, options) {
    const { scheduleAction } = await import('../schedule-action.js');
    return scheduleAction(global, options);
  },
};
