// Runs the built CLI (./bin/backup-agent) as a user would, and writes configs for it.
import { execa, type ResultPromise } from 'execa';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const BIN = join(ROOT, 'bin/backup-agent');
/** Directory of fixture programs (e.g. a `tar` that fails midway); prepend it to PATH. */
export const FIXTURE_BIN = join(ROOT, 'test/fixtures/bin');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Starts the CLI (in `cwd`, default this process's); await it for a CliResult. `env` is added to the environment. */
export function startCli(
  args: string[],
  env: Record<string, string> = {},
  cwd?: string,
): ResultPromise<{ reject: false }> {
  return execa(BIN, args, {
    reject: false,
    env: { ...env },
    all: false,
    timeout: 120_000,
    ...(cwd ? { cwd } : {}),
  }) as ResultPromise<{ reject: false }>;
}

/** Runs the CLI to completion. */
export async function runCli(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<CliResult> {
  const result = await startCli(args, env, cwd);
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Writes `config` as YAML to `dir/config.yml` and returns the path. */
export async function writeConfig(dir: string, config: unknown): Promise<string> {
  const path = join(dir, 'config.yml');
  await writeFile(path, stringify(config));
  return path;
}

/** The JSON log lines of a run's stderr. */
export function logLines(stderr: string): { level: string; msg: string; [key: string]: unknown }[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: string; msg: string });
}
