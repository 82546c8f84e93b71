// Starts test/fixtures/fault-proxy.mjs (a real process) in front of an endpoint and drives it by its stdin.
import { execa, type ResultPromise } from 'execa';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { ROOT } from './cli.js';

/** A running fault proxy; see test/fixtures/fault-proxy.mjs for the commands. */
export interface FaultProxy {
  /** `http://127.0.0.1:PORT`: put it in the agent's config instead of the target. */
  readonly endpoint: string;
  /** Every line the proxy printed, with when it arrived (Date.now()). */
  readonly events: { line: string; at: number }[];
  /** Sends a command and resolves once the proxy acknowledged it. */
  command(line: string): Promise<void>;
  /** Resolves with the time of the first line matching `pattern` (already printed or still to come). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

/** Starts the proxy in front of `target` (`http://127.0.0.1:PORT`), forwarding everything. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const url = new URL(target);
  const child: ResultPromise = execa(
    process.execPath,
    [join(ROOT, 'test/fixtures/fault-proxy.mjs'), '--target', `${url.hostname}:${url.port}`],
    {
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'inherit',
      reject: false,
      buffer: false,
    },
  );
  const events: { line: string; at: number }[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    events.push({ line, at: Date.now() });
    for (const wake of waiters) wake();
  });
  const waitFor = (pattern: RegExp, timeoutMs = 60_000, from = 0) =>
    new Promise<number>((resolve, reject) => {
      const check = () => {
        const found = events.slice(from).find((e) => pattern.test(e.line));
        if (!found) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(found.at);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(
            `fault proxy: no line matching ${pattern} within ${timeoutMs} ms; got: ${events.map((e) => e.line).join(' | ')}`,
          ),
        );
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  const listening = await waitFor(/^listening \d+$/, 15_000).then(
    () => events.find((e) => e.line.startsWith('listening'))!.line,
  );
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return {
    endpoint: `http://127.0.0.1:${listening.split(' ')[1]}`,
    events,
    async command(line) {
      const from = events.length;
      child.stdin!.write(`${line}\n`);
      await waitFor(new RegExp(`^ok ${escape(line)}$`), 15_000, from);
    },
    waitFor: (pattern, timeoutMs) => waitFor(pattern, timeoutMs),
    async stop() {
      child.stdin!.end();
      await child;
    },
  };
}
