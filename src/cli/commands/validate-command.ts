// `backup-agent validate`: its help; the check is loaded from validate-action.ts when it runs.
import type { CommandDefinition } from '../command-definition.js';

export const validateCommand: CommandDefinition = {
  name: 'validate',
  description: 'check the config and print it resolved, with secrets redacted',
  flags: [],
  async action(global) {
    const { validateAction } = await import('../validate-action.js');
    return validateAction(global);
  },
};
