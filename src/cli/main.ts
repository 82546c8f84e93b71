// CLI entry: argv -> command, signals -> one AbortController, errors -> the exit-code table.
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { BackupError } from '../shared/backup-error.js';
import { ExitCode } from '../shared/exit-codes.js';
import { DEFAULT_CONFIG_PATH } from '../config/load-config.js';
import { sources } from '../sources/registry.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export interface GlobalOptions {
  config: string;
  verbose?: boolean;
  quiet?: boolean;
}

/** Runs the CLI with `argv` (process.argv shape) and returns the exit code; never calls process.exit. */
export async function main(argv: string[]): Promise<number> {
  // The SDK warns once per process on Node 20 (end of life); the agent says what it needs in the README.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let exitCode: number = ExitCode.OK;
  const program = new Command('backup-agent')
    .description('Streams file and database backups into S3 with put-only credentials.')
    .version(version, '-V, --version')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) })
    // A mistyped command in a cron line must not look like success: usage on stderr, exit 2.
    .showHelpAfterError()
    .addOption(new Option('-c, --config <path>', 'config file').env('BACKUP_AGENT_CONFIG').default(DEFAULT_CONFIG_PATH))
    .option('-v, --verbose', 'debug logging')
    .option('-q, --quiet', 'warnings and errors only');

  program
    .command('run')
    .description('back up every configured asset (or --asset NAME) now')
    .option('-a, --asset <name...>', 'only these assets')
    .option('-n, --dry-run', 'resolve paths and keys; upload nothing')
    .option('--json', 'print the summary as JSON')
    .action(async (options: { asset?: string[]; dryRun?: boolean; json?: boolean }) => {
      const { runCommand } = await import('./run-command.js');
      exitCode = await runCommand(program.opts<GlobalOptions>(), options);
    });

  program
    .command('validate')
    .description('check the config and print it resolved, with secrets redacted')
    .action(async () => {
      const { validateCommand } = await import('./validate-command.js');
      exitCode = await validateCommand(program.opts<GlobalOptions>());
    });

  program
    .command('status')
    .description('last run per asset and age of its last success; exit 1 when older than alert_after')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      const { statusCommand } = await import('./status-command.js');
      exitCode = await statusCommand(program.opts<GlobalOptions>(), options);
    });

  program
    .command('policy')
    .description('print the least-privilege IAM policy for this host (or --bucket-policy, --restore)')
    .option('--bucket-policy', 'a bucket policy that denies writes without If-None-Match under the prefix')
    .option('--restore', 'the read-only policy an operator needs to list, get and restore')
    .action(async (options: { bucketPolicy?: boolean; restore?: boolean }) => {
      const { policyCommand } = await import('./policy-command.js');
      exitCode = await policyCommand(program.opts<GlobalOptions>(), options);
    });

  program
    .command('daemon')
    .description('run backups on the config\'s schedule until SIGTERM; SIGHUP re-reads the config')
    .action(async () => {
      const { daemonCommand } = await import('./daemon-command.js');
      exitCode = await daemonCommand(program.opts<GlobalOptions>());
    });

  program
    .command('schedule')
    .description('print the config\'s schedule as a systemd timer or a crontab entry')
    .addOption(new Option('--print <format>', 'output format').choices(['systemd', 'cron']).makeOptionMandatory())
    .action(async (options: { print: 'systemd' | 'cron' }) => {
      const { scheduleCommand } = await import('./schedule-command.js');
      exitCode = await scheduleCommand(program.opts<GlobalOptions>(), options);
    });

  program
    .command('init')
    .description('write a commented starter config.yml, my.cnf and credentials stubs (0600; never overwrites) and print the IAM policy')
    .option('--quickstart', 'instead: write ./quickstart.yml, a first backup into ./quickstart-backups/ (any user, no cloud)')
    .option('--dir <dir>', 'directory for config.yml and the secret files (default /etc/backup-agent; --quickstart: the current directory)')
    .option('--bucket <name>', 'S3 bucket')
    .option('--prefix <prefix>', 'key prefix (default: HOST/)')
    .option('--host <name>', 'host name in keys (default: the hostname)')
    .option('--region <region>', 'S3 region (default us-east-1)')
    .action(async (options: import('./init-command.js').InitCommandOptions) => {
      const { initCommand } = await import('./init-command.js');
      exitCode = await initCommand(options);
    });

  program
    .command('check')
    .description('test everything a backup needs without uploading one: assets, tools, state_dir, and what the host\'s S3 key may do')
    .option('--json', 'print the results as JSON')
    .addHelpText('after', '\nExit 0 when a backup would succeed; warnings (e.g. a key that can also read or delete backups) keep 0.\nExit 1 when any check failed, 2 for a config error.')
    .action(async (options: { json?: boolean }) => {
      const { checkCommand } = await import('./check-command.js');
      exitCode = await checkCommand(program.opts<GlobalOptions>(), options);
    });

  program
    .command('lifecycle')
    .description('print the S3 lifecycle rules implementing retention; --apply merges them into the bucket (operator credentials)')
    .option('--apply', 'put the rules, replacing only this prefix\'s rules and keeping every other rule of the bucket')
    .addOption(credentialsFileOption('admin, for --apply')).addOption(profileOption())
    .action(async (options: { apply?: boolean; credentialsFile?: string; profile?: string }) => {
      const { lifecycleCommand } = await import('./lifecycle-command.js');
      exitCode = await lifecycleCommand(program.opts<GlobalOptions>(), options);
    });

  program
    .command('list')
    .description('backups grouped by host and asset, newest first, read from the manifests (read credentials)')
    .option('--host <name>', 'only this host (default: every host in the bucket)')
    .option('-a, --asset <name>', 'only this asset')
    .option('--since <when>', 'only runs since a duration ago (7d, 36h) or a date (2026-11-20)')
    .option('--json', 'print as JSON')
    .addOption(credentialsFileOption('read')).addOption(profileOption()).addOption(identityOption())
    .action(async (options: import('./list-command.js').ListCommandOptions) => {
      const { listCommand } = await import('./list-command.js');
      exitCode = await listCommand(program.opts<GlobalOptions>(), options);
    });

  const restore = program
    .command('restore')
    .description('restore a backup (KEY from `list`, or --asset NAME --latest), checked against its manifest')
    .argument('[key]', 'object key of the backup, as `list` prints it')
    .option('-a, --asset <name>', 'with --latest: the asset to restore')
    .option('--latest', 'the newest stored run of --asset')
    .option('--host <name>', 'whose backups (default: this config\'s host)')
    .option('--database <name>', 'mysql: only this database of the run')
    .option('--to <path>', 'files: target directory; mysql: FILE.sql, or a directory for DB.sql files')
    .option('--into-database <name>', 'mysql: load the dump into this database (created; must not exist without --force)')
    .option('--force', 'restore into a non-empty directory / an existing database or file');
  // Each source's own restore flags (mysql's --db-*), from the registry.
  for (const flag of sources.flatMap((source) => source.restoreFlags)) restore.option(flag.flags, flag.description);
  restore
    .addOption(credentialsFileOption('read')).addOption(profileOption()).addOption(identityOption())
    .action(async (key: string | undefined, options: import('./restore-command.js').RestoreCommandOptions) => {
      const { restoreCommand } = await import('./restore-command.js');
      exitCode = await restoreCommand(program.opts<GlobalOptions>(), key, options);
    });

  program
    .command('verify')
    .description('read back every backup since --since: exists, size and sha256 match, decrypts, decompresses, dumps complete; gaps in daily series')
    .option('--since <when>', 'window: a duration ago (7d, 36h) or a date (2026-11-20)', '7d')
    .option('--host <name>', 'only this host (default: every host in the bucket)')
    .option('-a, --asset <name>', 'only this asset')
    .option('--json', 'print as JSON')
    .addOption(credentialsFileOption('read')).addOption(profileOption()).addOption(identityOption())
    .action(async (options: import('./verify-command.js').VerifyCommandOptions) => {
      const { verifyCommand } = await import('./verify-command.js');
      exitCode = await verifyCommand(program.opts<GlobalOptions>(), options);
    });

  try {
    await program.parseAsync(withoutHelpForUnknownCommand(program, argv));
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander.help: the usage commander prints on stderr for a bare invocation (exitCode 1), or `help` (0).
      const help = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || (error.code === 'commander.help' && error.exitCode === 0);
      return help ? ExitCode.OK : ExitCode.USAGE;
    }
    return reportError(error);
  }
}

/**
 * commander answers `UNKNOWN --help` with the main help and exit 0; without the help flag it reports
 * the unknown command (exit 2). Global options and their values are skipped to find the command.
 */
function withoutHelpForUnknownCommand(program: Command, argv: string[]): string[] {
  const args = argv.slice(2);
  let i = 0;
  while (i < args.length && args[i]!.startsWith('-')) i += args[i] === '-c' || args[i] === '--config' ? 2 : 1;
  const name = args[i];
  const known = name === undefined || name === 'help' || program.commands.some((c) => c.name() === name || c.aliases().includes(name));
  return known ? argv : argv.filter((arg, index) => index < 2 || (arg !== '--help' && arg !== '-h'));
}

/** Operator commands' credentials: never the host's put-only key (see config/operator-credentials.ts). */
function credentialsFileOption(kind: string): Option {
  return new Option('--credentials-file <file>', `${kind} credentials (INI key file); default restore.credentials, else the AWS chain`);
}

function profileOption(): Option {
  return new Option('--profile <name>', 'section of --credentials-file, or a shared AWS profile');
}

function identityOption(): Option {
  return new Option('--identity <file>', 'age identity file (mode 0600), for encrypted backups and manifests');
}

/** Prints an error for people on stderr and returns its exit code. */
export function reportError(error: unknown): number {
  if (error instanceof BackupError) {
    process.stderr.write(`backup-agent: ${error.message}\n${error.details.map((d) => `  ${d}\n`).join('')}`);
    return error.exitCode;
  }
  process.stderr.write(`backup-agent: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
  return ExitCode.FAILED;
}
