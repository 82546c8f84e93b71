// `backup-agent init`: its flags and help; the starter files are written by init-action.ts when it runs.
import type { CommandDefinition } from '../command-definition.js';
import type { InitCommandOptions } from '../init-action.js';

export const initCommand: CommandDefinition<InitCommandOptions> = {
  name: 'init',
  description:
    'write a commented starter config.yml, my.cnf and credentials stubs (0600; never overwrites) and print the IAM policy',
  flags: [
    {
      flags: '--quickstart',
      description: 'instead: write ./quickstart.yml, a first backup into ./quickstart-backups/ (any user, no cloud)',
    },
    {
      flags: '--dir <dir>',
      description:
        'directory for config.yml and the secret files (default /etc/backup-agent; --quickstart: the current directory)',
    },
    { flags: '--bucket <name>', description: 'S3 bucket' },
    { flags: '--prefix <prefix>', description: 'key prefix (default: HOST/)' },
    { flags: '--host <name>', description: 'host name in keys (default: the hostname)' },
    { flags: '--region <region>', description: 'S3 region (default us-east-1)' },
  ],
  async action(_global, options) {
    const { initAction } = await import('../init-action.js');
    return initAction(options);
  },
};
