// `backup-agent init`: writes a starter config and the secret-file stubs it names (never overwriting
// one), then prints the put-only IAM policy for it and the next steps.
import { chmod, mkdir, open } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG_PATH, defaultHost, loadConfig, parseConfig } from '../config/load-config.js';
import {
  PLACEHOLDER_BUCKET,
  QUICKSTART_FILE,
  quickstartConfig,
  starterConfig,
  starterFiles,
  type StarterFile,
  type StarterOptions,
} from '../config/starter-files.js';
import { hostPolicy } from '../destinations/s3-policy.js';
import { BackupError } from '../shared/backup-error.js';
import { ExitCode } from '../shared/exit-codes.js';

export interface InitCommandOptions {
  /** Write quickstart.yml (a local destination beside it) instead of the server starter files. */
  quickstart?: boolean;
  dir?: string;
  bucket?: string;
  prefix?: string;
  host?: string;
  region?: string;
}

/** The directory `init` writes to without --dir: the one of the default config path. */
export const DEFAULT_INIT_DIR = dirname(DEFAULT_CONFIG_PATH);

const out = (line = '') => process.stdout.write(`${line}\n`);

/**
 * Creates `dir` (0700) if missing and every starter file that does not exist yet (0600, O_EXCL);
 * existing files are kept untouched and listed. Prints the host policy of the config now in `dir`
 * and the next steps. Returns 0; 2 for invalid options or when an existing config.yml does not load;
 * 1 when a file cannot be written.
 */
export async function initAction(options: InitCommandOptions): Promise<number> {
  if (options.quickstart) return quickstartCommand(options);
  const starter = starterOptions(options);
  const configPath = join(starter.dir, 'config.yml');
  checkStarterOptions(starter, configPath);
  await createDir(starter.dir);
  for (const file of starterFiles(starter)) {
    const created = await createFile(file);
    out(
      created ? `created ${file.path} (${file.role}, mode 0600)` : `kept    ${file.path}: it exists; not overwritten`,
    );
  }
  const { config } = await loadConfig(configPath);
  out();
  if (config.destination.type === 's3') {
    out(
      `IAM policy for the backup user (put-only: s3:PutObject under s3://${config.destination.bucket}/${config.destination.prefix}):`,
    );
    out(
      JSON.stringify(
        hostPolicy(config.destination, (note) => out(`note: ${note}`)),
        null,
        2,
      ),
    );
  } else {
    out(`destination.type is ${config.destination.type}: no IAM policy needed`);
  }
  out();
  out(nextSteps(starter.dir, configPath));
  return ExitCode.OK;
}

/**
 * Writes `quickstart.yml` into --dir (default: the current directory) unless it exists: the package's
 * examples/ backed up into `quickstart-backups/` beside it, so a first backup needs no root and writes
 * nothing outside that directory. Prints the commands that run, list and restore it.
 */
async function quickstartCommand(options: InitCommandOptions): Promise<number> {
  const extra = (['bucket', 'prefix', 'host', 'region'] as const).filter((name) => options[name] !== undefined);
  if (extra.length > 0)
    throw new BackupError(
      'USAGE',
      `init --quickstart takes only --dir (not ${extra.map((name) => `--${name}`).join(', ')}): it writes a local-destination config`,
    );
  const dir = resolve(options.dir ?? process.cwd());
  const path = join(dir, QUICKSTART_FILE);
  await createDir(dir);
  // dist/app/ (the bundle) and dist/cli/ are both two levels below the package root.
  const examples = fileURLToPath(new URL('../../examples', import.meta.url));
  const created = await createFile({ path, content: quickstartConfig([examples]), role: 'quickstart config' });
  out(
    created
      ? `created ${path} (quickstart config: ${examples} -> ${join(dir, 'quickstart-backups/store')})`
      : `kept    ${path}: it exists; not overwritten`,
  );
  await loadConfig(path);
  const c = `-c ${path === resolve(QUICKSTART_FILE) ? QUICKSTART_FILE : path}`;
  out(
    [
      'Next:',
      `  backup-agent ${c} run`,
      `  backup-agent ${c} list`,
      `  backup-agent ${c} restore --asset examples --latest --to restored`,
    ].join('\n'),
  );
  return ExitCode.OK;
}

function starterOptions(options: InitCommandOptions): StarterOptions {
  const host = options.host ?? defaultHost();
  return {
    dir: resolve(options.dir ?? DEFAULT_INIT_DIR),
    host,
    bucket: options.bucket ?? PLACEHOLDER_BUCKET,
    prefix: options.prefix ?? `${host}/`,
    region: options.region ?? 'us-east-1',
  };
}

/** Refuses bad --bucket/--prefix/--host/--region before anything is written, naming the config key. */
function checkStarterOptions(starter: StarterOptions, configPath: string): void {
  try {
    parseConfig(starterConfig(starter), configPath, {});
  } catch (error) {
    if (!(error instanceof BackupError)) throw error;
    const details = error.details.map((line) => line.replace(/^.*?:\d+:\d+: /, ''));
    throw new BackupError('USAGE', 'init: these options would make an invalid config; nothing was written', {
      details,
      cause: error,
    });
  }
}

async function createDir(dir: string): Promise<void> {
  try {
    const first = await mkdir(dir, { recursive: true, mode: 0o700 });
    // The umask may have taken bits away; it never adds any, but say exactly what we mean.
    if (first !== undefined) await chmod(dir, 0o700);
  } catch (error) {
    throw new BackupError(
      'INIT_FAILED',
      `init: cannot create ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { cause: error },
    );
  }
}

/** Writes `file` only if nothing exists at its path (O_EXCL, so not even a race overwrites); false if it existed. */
async function createFile(file: StarterFile): Promise<boolean> {
  let handle;
  try {
    handle = await open(file.path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new BackupError(
      'INIT_FAILED',
      `init: cannot create ${file.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { cause: error },
    );
  }
  try {
    await handle.chmod(0o600);
    await handle.writeFile(file.content);
  } finally {
    await handle.close();
  }
  return true;
}

function nextSteps(dir: string, configPath: string): string {
  const c = configPath === DEFAULT_CONFIG_PATH ? '' : ` --config ${configPath}`;
  return [
    'Next steps:',
    '  1. Create an IAM user with only the policy above; put its access key into',
    `     ${join(dir, 's3-credentials')} (or remove credentials: to use an instance role).`,
    `  2. Edit ${configPath}: bucket, prefix, assets. For MySQL, uncomment the mysql asset and fill in`,
    `     ${join(dir, 'my.cnf')}.`,
    '  3. Keep the secret files 0600: the systemd unit (user backup-agent) reads root-owned files',
    '     through CAP_DAC_READ_SEARCH; under cron or another user, chown them to that user.',
    `  4. Check and try:  backup-agent${c} validate && backup-agent${c} run --dry-run && backup-agent${c} run`,
    `  5. Schedule it:    backup-agent${c} schedule --print systemd   (or --print cron)`,
  ].join('\n');
}
