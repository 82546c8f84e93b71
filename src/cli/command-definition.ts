// A command as data (name, help, flags, a lazily loaded action), so each command module owns what
// `--help` shows for it and main only lists them; also the glue that hands one to commander.
import { Command, Option } from 'commander';
import type { GlobalOptions } from './global-options.js';

/** One flag in commander's syntax (`-a, --asset <name...>`) with its help line. */
export interface FlagDefinition {
  flags: string;
  description: string;
  /** Used when the flag is absent; help shows it as `(default: "...")`. */
  default?: string;
  /** Environment variable read when the flag is absent; help shows it as `env: NAME`. */
  env?: string;
  /** The only values accepted; anything else is a usage error (exit 2). */
  choices?: readonly string[];
  /** The command refuses to run without it (exit 2). */
  mandatory?: boolean;
}

/** A positional argument, e.g. `[key]` (optional) or `<key>` (required). */
export interface ArgumentDefinition {
  name: string;
  description: string;
}

/** One command of the CLI: what `backup-agent <name> --help` shows, and what it runs. */
export interface CommandDefinition<Options extends object = object> {
  name: string;
  description: string;
  arguments?: readonly ArgumentDefinition[];
  flags: readonly FlagDefinition[];
  /** Text printed after the flags by `<name> --help`. */
  helpAfter?: string;
  /**
   * Runs the command, importing its implementation only now (start-up time), and returns the exit code.
   * Throws for main's error boundary, which prints the error and maps it to its exit code.
   */
  action(global: GlobalOptions, options: Options, args: readonly (string | undefined)[]): Promise<number>;
}

/** The commander Option for `flag`. */
export function toOption(flag: FlagDefinition): Option {
  const option = new Option(flag.flags, flag.description);
  if (flag.env !== undefined) option.env(flag.env);
  if (flag.default !== undefined) option.default(flag.default);
  if (flag.choices !== undefined) option.choices(flag.choices);
  if (flag.mandatory) option.makeOptionMandatory();
  return option;
}

/** Adds `definition` as a subcommand of `program`; its action hands the exit code to `onExitCode`. */
export function addCommand(program: Command, definition: CommandDefinition, onExitCode: (code: number) => void): void {
  const command = program.command(definition.name).description(definition.description);
  for (const argument of definition.arguments ?? []) command.argument(argument.name, argument.description);
  for (const flag of definition.flags) command.addOption(toOption(flag));
  if (definition.helpAfter !== undefined) command.addHelpText('after', definition.helpAfter);
  command.action(async () => {
    onExitCode(
      await definition.action(
        program.opts<GlobalOptions>(),
        command.opts(),
        command.processedArgs as (string | undefined)[],
      ),
    );
  });
}
