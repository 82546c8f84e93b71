// `backup-agent daemon`: its help; the scheduler is loaded from daemon-action.ts when it runs.
import type { CommandDefinition } from '../command-definition.js';

export const daemonCommand: CommandDefinition = {
  name: 'daemon',
  description: "run backups on the config's schedule until SIGTERM; SIGHUP re-reads the config",
  flags: [],
  async action(global) {
    const { daemonAction } = await import('../daemon-action.js');
    return daemonAction(global);
  },
};
