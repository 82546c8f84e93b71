// Owns the moto child process: spawn on a free port, wait until it answers, and never leave it running.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { exited, freePort } from './ports.js';

const LAUNCHER = fileURLToPath(new URL('../../fixtures/moto-launcher.py', import.meta.url));

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killOnExit(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous last resort; the launcher also exits by itself when its parent disappears.
  process.on('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

/** Throws a clear Error (tests must fail, not skip) if `python` cannot import moto's server. */
export function assertMotoInstalled(python: string): void {
  const r = spawnSync(python, ['-c', 'import moto.server'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : (r.stderr.trim().split('\n').pop() ?? '') || `exit ${r.status}`;
    throw new Error(`moto is not installed: pip install 'moto[server]' (${python} -c 'import moto.server': ${why})`);
  }
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !exited(child)) {
    try {
      const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return false;
}

/** SIGTERMs the child (SIGKILL after 5 s) and resolves once it has exited. */
export async function terminate(child: ChildProcess): Promise<void> {
  if (exited(child)) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}

/**
 * Spawns test/fixtures/moto-launcher.py on a free port (retrying if another process grabbed it),
 * with stdout and stderr appended to `logPath`, and resolves once it answers HTTP.
 */
export async function launchMoto(
  python: string,
  logPath: string,
  timeoutMs: number,
): Promise<{ child: ChildProcess; endpoint: string }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const fd = openSync(logPath, 'a');
    const child = spawn(python, [LAUNCHER, '-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', fd, fd], // a file, not pipes: nothing to drain, and log() sees lines synchronously
      env: { ...process.env, PYTHONUNBUFFERED: '1', MOTO_LAUNCHER_PARENT_PID: String(process.pid) },
    });
    closeSync(fd);
    child.unref(); // never keeps the vitest worker alive
    killOnExit(child);
    const endpoint = `http://127.0.0.1:${port}`;
    if (await waitUntilAnswering(endpoint, child, timeoutMs)) return { child, endpoint };
    const diedEarly = exited(child);
    await terminate(child);
    if (!diedEarly || attempt >= 3) {
      const tail = readFileSync(logPath, 'utf8').split('\n').slice(-15).join('\n');
      throw new Error(`moto did not start on ${endpoint} (attempt ${attempt}); log tail:\n${tail}`);
    }
  }
}
