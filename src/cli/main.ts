// CLI entry: the command table, and the one error boundary that turns what a command threw into its
// message and exit code. Returns the code; only the entry point (bin/backup-agent) exits the process.
import { CommanderError } from 'commander';
import { ExitCode } from '../shared/exit-codes.js';
import type { CommandDefinition } from './command-definition.js';
import { binlogCommand } from './commands/binlog-command.js';
import { checkCommand } from './commands/check-command.js';
import { daemonCommand } from './commands/daemon-command.js';
import { drillCommand } from './commands/drill-command.js';
import { initCommand } from './commands/init-command.js';
import { lifecycleCommand } from './commands/lifecycle-command.js';
import { listCommand } from './commands/list-command.js';
import { policyCommand } from './commands/policy-command.js';
import { reportCommand } from './commands/report-command.js';
import { restoreCommand } from './commands/restore-command.js';
import { runCommand } from './commands/run-command.js';
import { scheduleCommand } from './commands/schedule-command.js';
import { statusCommand } from './commands/status-command.js';
import { validateCommand } from './commands/validate-command.js';
import { verifyCommand } from './commands/verify-command.js';
import { createProgram, withoutHelpForUnknownCommand } from './create-program.js';
import { reportError } from './report-error.js';

/** Every command, in the order `backup-agent --help` lists them. */
export const COMMANDS: readonly CommandDefinition[] = [
  runCommand,
  validateCommand,
  statusCommand,
  policyCommand,
  daemonCommand,
  binlogCommand,
  scheduleCommand,
  initCommand,
  checkCommand,
  lifecycleCommand,
  listCommand,
  restoreCommand,
  verifyCommand,
  drillCommand,
  reportCommand,
];

/** Runs the CLI with `argv` (process.argv shape) and returns the exit code; never calls process.exit. */
export async function main(argv: string[]): Promise<number> {
  // The SDK warns once per process on Node 20 (end of life); the agent says what it needs in the README.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let exitCode: number = ExitCode.OK;
  const program = createProgram(COMMANDS, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(withoutHelpForUnknownCommand(program, argv));
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has printed the usage error or help. commander.help: the usage it prints on stderr for
      // a bare invocation (exitCode 1), or `help` (0).
      const help =
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        (error.code === 'commander.help' && error.exitCode === 0);
      return help ? ExitCode.OK : ExitCode.USAGE;
    }
    return reportError(error);
  }
}
