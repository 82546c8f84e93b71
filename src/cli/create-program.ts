// Builds the commander program from the command table: the program's own help, version and global
// flags, one subcommand per definition, and usage errors that a cron line cannot mistake for success.
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { addCommand, toOption, type CommandDefinition } from './command-definition.js';
import { GLOBAL_FLAGS } from './global-flags.js';

// dist/app/ (the bundle) and dist/cli/ are both two levels below the package root.
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/**
 * The program with `commands` registered in order; commander throws instead of exiting (exitOverride),
 * and each command's action hands its exit code to `onExitCode`.
 */
export function createProgram(commands: readonly CommandDefinition[], onExitCode: (code: number) => void): Command {
  const program = new Command('backup-agent')
    .description('Streams file and database backups into S3 with put-only credentials.')
    .version(version, '-V, --version')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) })
    // A mistyped command in a cron line must not look like success: usage on stderr, exit 2.
    .showHelpAfterError();
  for (const flag of GLOBAL_FLAGS) program.addOption(toOption(flag));
  for (const command of commands) addCommand(program, command, onExitCode);
  return program;
}

/**
 * commander answers `UNKNOWN --help` with the main help and exit 0; without the help flag it reports
 * the unknown command (exit 2), so for an unknown command the help flags are dropped from `argv`.
 * Global options and their values are skipped to find the command.
 */
export function withoutHelpForUnknownCommand(program: Command, argv: string[]): string[] {
  const args = argv.slice(2);
  const takesValue = new Set(program.options.filter((o) => o.required || o.optional).flatMap((o) => [o.short, o.long]));
  let i = 0;
  while (args[i]?.startsWith('-')) i += takesValue.has(args[i]) ? 2 : 1;
  const name = args[i];
  const known =
    name === undefined ||
    name === 'help' ||
    program.commands.some((c) => c.name() === name || c.aliases().includes(name));
  return known ? argv : argv.filter((arg, index) => index < 2 || (arg !== '--help' && arg !== '-h'));
}
