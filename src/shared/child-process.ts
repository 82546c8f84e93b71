// The one way a child process is started: the environment it gets is a named policy (so "no secret in
// a child's environment" is enforced here only), its failures are judged here, and a child as a stream
// stage is built here. No other module imports execa.
import { basename } from 'node:path';
import type { Duplex } from 'node:stream';
import { execa, type Options, type Result, type ResultPromise } from 'execa';

/** A started child: a promise of its result (never rejects: see {@link startChild}) with its pipes. */
export type Child = ResultPromise;
/** How a child ended: exit code, signal, captured output, `isCanceled`, `timedOut`, `shortMessage`. */
export type ChildResult = Result;

/** A program and its arguments, run without a shell. */
export interface ChildCommand {
  file: string;
  args: string[];
}

/**
 * What a child's environment holds; nothing else of ours reaches it.
 * - `empty`: nothing (compressors, age: they need no variable).
 * - `c-locale`: LC_ALL=C (messages in English: their wording is parsed) and PATH (tar, stdbuf, setpriv).
 * - `client`: c-locale plus HOME and TZ (the mysql/mariadb programs: they read ~/.my.cnf and report times).
 * - `operator`: the agent's environment minus every variable named like a credential (sendmail: an MTA
 *   finds its own configuration through the environment it was started with).
 */
export type EnvPolicy = 'empty' | 'c-locale' | 'client' | 'operator';

/** Variables never passed on, even to `operator` children: this process's credentials. */
const CREDENTIAL_NAME = /^AWS_|SECRET|PASSW|TOKEN|CREDENTIAL|_KEY$|_KEY_ID$/i;

/** The variables a child started under `policy` gets. */
export function childEnvironment(policy: EnvPolicy, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const pick = (names: string[], base: Record<string, string>) => {
    for (const name of names) {
      const value = env[name];
      if (value !== undefined) base[name] = value;
    }
    return base;
  };
  if (policy === 'empty') return {};
  if (policy === 'c-locale') return pick(['PATH'], { LC_ALL: 'C' });
  if (policy === 'client') return pick(['PATH', 'HOME', 'TZ'], { LC_ALL: 'C' });
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(env))
    if (value !== undefined && !CREDENTIAL_NAME.test(name)) kept[name] = value;
  return kept;
}

/** How to start a child: execa's stdio, buffer and timeout options, an environment policy and the run's signal. */
export type ChildOptions = Omit<Options, 'env' | 'extendEnv' | 'reject' | 'cancelSignal'> & {
  env: EnvPolicy;
  /** Cancels (kills) the child; its result then has `isCanceled`. */
  signal?: AbortSignal | undefined;
};

/**
 * Starts `file` with `args` (no shell) under `options.env`. The returned promise never rejects: a
 * failure to start, a non-zero exit, a signal and a timeout are all in its result, judged by the
 * caller (see {@link programFailure}) or by childOutput.
 */
export function startChild(file: string, args: readonly string[], options: ChildOptions): Child {
  const { env, signal, ...rest } = options;
  return execa(file, args, {
    ...rest,
    reject: false,
    extendEnv: false,
    env: childEnvironment(env),
    ...(signal ? { cancelSignal: signal } : {}),
  } as Options);
}

/** {@link startChild}, awaited. */
export async function runChild(file: string, args: readonly string[], options: ChildOptions): Promise<ChildResult> {
  return startChild(file, args, options);
}

/**
 * `command` as a Duplex stream stage (stdin in, stdout out) under the `empty` environment: the stage
 * errors when the child fails (its error carries the program's stderr), and `signal` kills it.
 * Used for compress, decompress, encrypt and decrypt by their binaries.
 */
export function childStage(command: ChildCommand, signal: AbortSignal): Duplex {
  return execa(command.file, command.args, {
    cancelSignal: signal,
    buffer: { stdout: false, stderr: true },
    stripFinalNewline: true,
    extendEnv: false,
    env: childEnvironment('empty'),
  }).duplex();
}

/** `zstd exited 70: <stderr tail>`: a failed program named by its base name, with why and its last words. */
export function programFailure(
  program: string,
  result: Pick<ChildResult, 'exitCode' | 'signal' | 'shortMessage'>,
  stderr: string | undefined,
): string {
  return `${basename(program)} ${describeExit(result)}: ${tail(stderr ?? '') || result.shortMessage}`;
}

/** Keeps the last `max` characters a child wrote to stderr (bounded however much it writes); returns a reader. */
export function stderrTail(child: Child, max = 4096): () => string {
  let text = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-max);
  });
  return () => text;
}

/** The last `maxLines` non-empty lines of `text`, joined with " | " for a one-line message. */
export function tail(text: string | undefined, maxLines = 3): string {
  const lines = (text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.slice(-maxLines).join(' | ');
}

/** How a child ended, for messages: `exited 3`, `was killed by SIGKILL`. */
export function describeExit(result: { exitCode?: number | undefined; signal?: string | undefined }): string {
  return result.signal ? `was killed by ${result.signal}` : `exited ${result.exitCode ?? '?'}`;
}
