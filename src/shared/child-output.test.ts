import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { childOutput } from './child-output.js';
import { startChild, type ChildResult as Result } from './child-process.js';

const start = (file: string, args: string[]) =>
  startChild(file, args, { env: 'c-locale', buffer: false, stdout: 'pipe' });

/** Judges like a source does: anything but exit 0 is a failure; remembers the error it made. */
function exitZero() {
  const judged: { error?: Error; result?: Result } = {};
  const judge = (result: Result) => {
    judged.result = result;
    if (result.exitCode === 0) return undefined;
    judged.error = new Error(`sh exited ${result.exitCode ?? result.signal ?? result.code}`);
    return judged.error;
  };
  return { judge, judged };
}

/** Reads `stream` to its end or error; records whether 'end' was emitted. */
function consume(stream: Readable): Promise<{ data: Buffer; ended: boolean; error?: unknown }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let ended = false;
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      ended = true;
    });
    stream.on('error', (error) => resolve({ data: Buffer.concat(chunks), ended, error }));
    stream.on('close', () => resolve({ data: Buffer.concat(chunks), ended }));
  });
}

describe('childOutput', () => {
  it('ends with all of stdout once the child exited 0', async () => {
    const { judge, judged } = exitZero();
    const outcome = await consume(childOutput(start('sh', ['-c', 'printf abc; exit 0']), judge));
    expect(outcome).toEqual({ data: Buffer.from('abc'), ended: true });
    expect(judged.result?.exitCode).toBe(0);
  });

  it('passes large output through completely', async () => {
    const { judge } = exitZero();
    const outcome = await consume(childOutput(start('head', ['-c', String(5 * 1024 * 1024), '/dev/urandom']), judge));
    expect(outcome.ended).toBe(true);
    expect(outcome.data.length).toBe(5 * 1024 * 1024);
  });

  it("errors with the judge's error and never ends when the child exits non-zero", async () => {
    const { judge, judged } = exitZero();
    const outcome = await consume(childOutput(start('sh', ['-c', 'printf abc; exit 3']), judge));
    expect(outcome.ended).toBe(false);
    expect(outcome.error).toBeInstanceOf(Error);
    expect(outcome.error).toBe(judged.error);
    expect((outcome.error as Error).message).toBe('sh exited 3');
  });

  it("errors, never ends, when the child's stdout closes with data unread (a truncated stream is not a finished one)", async () => {
    const { judge } = exitZero();
    // The shell exits 0 whatever happens to the writer, so only the missing end can tell.
    const child = start('sh', ['-c', 'head -c 4000000 /dev/urandom 2>/dev/null; exit 0']);
    const output = childOutput(child, judge);
    // Nobody reads yet: once the output holds its 1 MiB, stdout is closed with bytes still unread.
    while (output.readableLength < 1024 * 1024) await new Promise((resolve) => setTimeout(resolve, 10));
    child.stdout?.destroy();
    const outcome = await consume(output);
    expect(outcome.ended).toBe(false);
    expect((outcome.error as Error).message).toMatch(/output closed before its end/);
    expect((await child).exitCode).toBe(0);
  });

  it('errors when the child is killed by a signal after writing', async () => {
    const { judge, judged } = exitZero();
    const outcome = await consume(childOutput(start('sh', ['-c', 'printf partial; kill -9 $$']), judge));
    expect(outcome.ended).toBe(false);
    expect(outcome.error).toBe(judged.error);
    expect(judged.result?.signal).toBe('SIGKILL');
  });

  it('lets the judge see a program that could not be started', async () => {
    const { judge, judged } = exitZero();
    const outcome = await consume(childOutput(start('/nonexistent/backup-tool', []), judge));
    expect(outcome.ended).toBe(false);
    expect(outcome.error).toBe(judged.error);
    expect(judged.result?.failed).toBe(true);
    expect(judged.result?.code).toBe('ENOENT');
  });

  it('kills the child when the output is destroyed', async () => {
    const child = start('sleep', ['30']);
    const output = childOutput(child, exitZero().judge);
    await new Promise((resolve) => child.once('spawn', resolve));
    const began = Date.now();
    output.destroy();
    const result = await child;
    expect(Date.now() - began).toBeLessThan(5000);
    expect(result.isTerminated).toBe(true);
    expect(result.signal).toBe('SIGTERM');
  });

  it('waits for the upstream verdict and lets its error win over a downstream that exited 0', async () => {
    const { judge } = exitZero();
    const upstreamError = new Error('tar exited 2: disk error');
    const failed = await consume(
      childOutput(start('sh', ['-c', 'printf abc']), judge, { upstream: Promise.resolve(upstreamError) }),
    );
    expect(failed.ended).toBe(false);
    expect(failed.error).toBe(upstreamError);
    let release!: (verdict: Error | undefined) => void;
    const upstream = new Promise<Error | undefined>((resolve) => {
      release = resolve;
    });
    const output = childOutput(start('sh', ['-c', 'printf abc']), judge, { upstream });
    const pending = consume(output);
    await new Promise((r) => setTimeout(r, 200));
    expect(output.readableEnded).toBe(false);
    release(undefined);
    const ok = await pending;
    expect(ok).toEqual({ data: Buffer.from('abc'), ended: true });
  });

  it('refuses a child without piped stdout', () => {
    const child = startChild('true', [], { env: 'c-locale', stdout: 'inherit' });
    expect(() => childOutput(child, exitZero().judge)).toThrow(/stdout: pipe/);
    return child;
  });
});
