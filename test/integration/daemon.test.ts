// `backup-agent daemon` as a process: scheduled runs one at a time, SIGTERM drains or aborts, SIGHUP reloads.
import { access, chmod, mkdir, mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_BIN, logLines, runCli, startCli, writeConfig } from './support/cli.js';

type Line = ReturnType<typeof logLines>[number];
let work: string;
let data: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ba-daemon-'));
  data = join(work, 'data');
  await mkdir(data, { recursive: true });
  await writeFile(join(data, 'a.txt'), 'hello\n');
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** A directory with a `tar` that sleeps `seconds` before being GNU tar, to make runs slow. */
async function slowTarDir(seconds: number): Promise<string> {
  const dir = join(work, `slow-tar-${seconds}`);
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'tar'),
    `#!/usr/bin/env bash\nif [ "\${1:-}" = "--version" ]; then exec /usr/bin/tar "$@"; fi\nsleep ${seconds}\nexec /usr/bin/tar "$@"\n`,
  );
  await chmod(join(dir, 'tar'), 0o755);
  return dir;
}

function config(name: string, extra: Record<string, unknown> = {}) {
  return {
    host: name,
    state_dir: join(work, name, 'state'),
    destination: { type: 'local', path: join(work, name, 'store') },
    schedule: '* * * * * *',
    assets: [{ name: 'data', type: 'files', paths: [data] }],
    ...extra,
  };
}

async function configFile(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  await mkdir(join(work, name), { recursive: true });
  return writeConfig(join(work, name), config(name, extra));
}

/** Starts the daemon and follows its JSON log lines as they arrive. */
function startDaemon(file: string, pathPrefix?: string) {
  const child = startCli(['daemon', '-c', file], pathPrefix ? { PATH: `${pathPrefix}:${process.env.PATH}` } : {});
  let text = '';
  child.stderr.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  const lines = () => logLines(text.slice(0, text.lastIndexOf('\n') + 1));
  /** Waits until `count` lines (after index `from`) match; returns the index just past the last match. */
  const until = async (match: (line: Line) => boolean, what: string, count = 1, from = 0): Promise<number> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const all = lines();
      const hits = all.map((line, i) => (i >= from && match(line) ? i : -1)).filter((i) => i >= 0);
      if (hits.length >= count) return hits[count - 1]! + 1;
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`daemon never logged ${what}; stderr:\n${text}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, lines, until };
}

const msg = (text: string) => (line: Line) => line.msg.startsWith(text);
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
const manifests = async (store: string) => {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (entry.isDirectory()) await walk(join(dir, entry.name));
      else if (entry.name.endsWith('.manifest.json')) found.push(join(dir, entry.name));
    }
  };
  await walk(store);
  return found;
};

describe('backup-agent daemon', () => {
  it('runs on schedule at least twice, never two runs at once, every run line carrying its run id', async () => {
    const daemon = startDaemon(await configFile('twice'), await slowTarDir(1.5));
    await daemon.until(msg('scheduled run ended with exit code 0'), 'two finished runs', 2);
    daemon.child.kill('SIGTERM');
    expect((await daemon.child).exitCode).toBe(0);
    const lines = daemon.lines();
    let open: string | undefined;
    const runIds: string[] = [];
    for (const line of lines) {
      if (line.msg === 'backup run started') {
        expect(open).toBeUndefined(); // a second run started while one was going
        open = line.run_id as string;
        runIds.push(open);
      } else if (open !== undefined && !line.msg.startsWith('node-cron:')) {
        expect(line.run_id).toBe(open);
        if (line.msg.startsWith('scheduled run ended')) open = undefined;
      }
    }
    expect(new Set(runIds).size).toBe(runIds.length);
    expect(runIds.length).toBeGreaterThanOrEqual(2);
    // Runs take 1.5 s on a 1 s schedule: node-cron skipped the slots that came due during a run.
    expect(lines.map((l) => l.msg)).toContain(
      'node-cron: task still running, new execution blocked by overlap prevention!',
    );
    expect((await manifests(join(work, 'twice/store'))).length).toBeGreaterThanOrEqual(2);
    expect(await exists(join(work, 'twice/state/lock'))).toBe(false);
  });

  it('SIGTERM while idle exits 0 at once', async () => {
    const daemon = startDaemon(await configFile('idle', { schedule: '0 3 1 1 *', timezone: 'Europe/Berlin' }));
    await daemon.until(
      (l) => /^daemon started: next run at \d{4}-01-01 03:00:00 Europe\/Berlin$/.test(l.msg),
      'the start line',
    );
    const started = Date.now();
    daemon.child.kill('SIGTERM');
    expect((await daemon.child).exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000); // not a wait for the next run (a wide bound: CI is loaded)
    expect(daemon.lines().map((l) => l.msg)).toContain('SIGTERM: daemon stopped');
  });

  it('SIGTERM during a run lets it finish within shutdown_timeout and exits 0', async () => {
    const daemon = startDaemon(await configFile('drain', { shutdown_timeout: '60s' }), await slowTarDir(2));
    await daemon.until(msg('backup run started'), 'a run start');
    daemon.child.kill('SIGTERM');
    expect((await daemon.child).exitCode).toBe(0);
    const messages = daemon.lines().map((l) => l.msg);
    expect(messages).toContain(
      'SIGTERM: no new runs; waiting up to 1m (shutdown_timeout) for the running backup to finish (send again to abort it now)',
    );
    expect(messages.filter((m) => m === 'run finished: ok')).toHaveLength(1);
    expect(messages.at(-1)).toBe('daemon stopped');
  });

  it('SIGTERM during a run that outlasts shutdown_timeout aborts it: exit 130, lock released, nothing half-written', async () => {
    const hang = join(work, 'hang');
    await mkdir(hang, { recursive: true });
    await writeFile(join(hang, 'hang-midway'), 'trigger');
    const file = await configFile('abort', {
      shutdown_timeout: '1s',
      assets: [{ name: 'data', type: 'files', paths: [join(hang, 'hang-midway')] }],
    });
    const daemon = startDaemon(file, FIXTURE_BIN);
    await daemon.until(msg('files "data": uploading to'), 'an upload start');
    expect(await exists(join(work, 'abort/state/lock'))).toBe(true);
    daemon.child.kill('SIGTERM');
    const result = await daemon.child;
    expect(result.exitCode).toBe(130);
    const messages = daemon.lines().map((l) => l.msg);
    expect(messages).toContain(
      'shutdown_timeout (1s) reached: aborting the running backup; unfinished uploads are abandoned',
    );
    expect(messages).toContain('run finished: interrupted');
    expect(messages.at(-1)).toBe('daemon stopped: the running backup was aborted');
    expect(await exists(join(work, 'abort/state/lock'))).toBe(false);
    const state = JSON.parse(await readFile(join(work, 'abort/state/last-run.json'), 'utf8')) as {
      status: string;
      exit_code: number;
    };
    expect(state).toMatchObject({ status: 'interrupted', exit_code: 130 });
    expect(await manifests(join(work, 'abort/store'))).toEqual([]);
  });

  it('a repeated SIGTERM: a duplicate at once keeps the drain; a later one aborts in order and what finished keeps its manifest', async () => {
    const hang = join(work, 'hang-repeat');
    await mkdir(hang, { recursive: true });
    await writeFile(join(hang, 'hang-midway'), 'trigger');
    const file = await configFile('repeat', {
      shutdown_timeout: '60s',
      assets: [
        { name: 'data', type: 'files', paths: [data] },
        { name: 'hang', type: 'files', paths: [join(hang, 'hang-midway')] },
      ],
    });
    const daemon = startDaemon(file, FIXTURE_BIN);
    await daemon.until(msg('files "hang": uploading to'), 'the second asset starting');
    daemon.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 20));
    daemon.child.kill('SIGTERM'); // as `timeout` sends it: to the process and to its group
    await new Promise((r) => setTimeout(r, 1500));
    expect(daemon.child.exitCode).toBeNull();
    expect(
      daemon
        .lines()
        .map((l) => l.msg)
        .filter((m) => m.startsWith('SIGTERM again')),
      JSON.stringify(daemon.lines().map((l) => l.msg)),
    ).toEqual([]);
    daemon.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 20));
    daemon.child.kill('SIGTERM');
    expect((await daemon.child).exitCode).toBe(130);
    const messages = daemon.lines().map((l) => l.msg);
    expect(messages.filter((m) => m.startsWith('SIGTERM again'))).toEqual([
      'SIGTERM again: aborting the running backup now; what finished keeps its manifest',
    ]);
    const [manifest] = await manifests(join(work, 'repeat/store'));
    const recorded = JSON.parse(await readFile(manifest!, 'utf8')) as {
      status: string;
      artifacts: { asset: string; status: string }[];
    };
    expect(recorded.status).toBe('interrupted');
    expect(recorded.artifacts.map((a) => [a.asset, a.status])).toEqual([
      ['data', 'ok'],
      ['hang', 'failed'],
    ]);
  });

  it('SIGTERM during the random delay exits 0 without starting a backup', async () => {
    const daemon = startDaemon(await configFile('delay', { random_delay: '1h' }));
    await daemon.until((l) => /^run due at .*: starting in \S+ \(random_delay\)$/.test(l.msg), 'the random delay');
    daemon.child.kill('SIGTERM');
    expect((await daemon.child).exitCode).toBe(0);
    expect(daemon.lines().map((l) => l.msg)).not.toContain('backup run started');
  });

  it('SIGHUP with a broken config keeps the running schedule and logs every problem', async () => {
    const file = await configFile('hup-bad');
    const daemon = startDaemon(file);
    await daemon.until(msg('scheduled run ended'), 'a first run');
    await writeConfig(join(work, 'hup-bad'), config('hup-bad', { schedule: '61 3 * * *', timezone: 'Mars/Olympus' }));
    daemon.child.kill('SIGHUP');
    const after = await daemon.until(msg(`config ${file} not reloaded`), 'the reload error');
    const error = daemon.lines()[after - 1]!;
    expect(error.level).toBe('error');
    expect(error.problems).toEqual([
      'schedule: 61 is a invalid expression for minute ("61 3 * * *")',
      'timezone: "Mars/Olympus" is not a time zone known here (use an IANA name such as Europe/Berlin or UTC)',
    ]);
    await daemon.until(msg('scheduled run ended'), 'a run after the failed reload', 1, after);
    daemon.child.kill('SIGTERM');
    expect((await daemon.child).exitCode).toBe(0);
  });

  it('SIGHUP with a changed config applies it from the next run (new host in the keys)', async () => {
    const file = await configFile('hup-good');
    const daemon = startDaemon(file);
    await daemon.until(msg('scheduled run ended'), 'a first run');
    await writeConfig(join(work, 'hup-good'), config('hup-good', { host: 'renamed', schedule: '*/2 * * * * *' }));
    daemon.child.kill('SIGHUP');
    const after = await daemon.until(msg('config reloaded: next run at'), 'the reload');
    expect(daemon.lines()[after - 1]).toMatchObject({ schedule: '*/2 * * * * *' });
    await daemon.until(msg('scheduled run ended'), 'a run after the reload', 1, after);
    daemon.child.kill('SIGTERM');
    expect((await daemon.child).exitCode).toBe(0);
    const keys = (await manifests(join(work, 'hup-good/store'))).map((path) => path.split('/').slice(-2, -1)[0]);
    expect(new Set(keys)).toEqual(new Set(['hup-good', 'renamed']));
  });

  it("logs a run blocked by another process's lock and keeps going", async () => {
    const file = await configFile('locked');
    await mkdir(join(work, 'locked/state'), { recursive: true });
    await writeFile(join(work, 'locked/state/lock'), `${process.pid}\n`);
    const daemon = startDaemon(file);
    const blocked = await daemon.until((l) => l.code === 'LOCKED', 'the lock error');
    expect(daemon.lines()[blocked - 1]).toMatchObject({
      level: 'error',
      msg: `scheduled run did not happen: another run (PID ${process.pid}) holds the lock ${join(work, 'locked/state/lock')}`,
    });
    await unlink(join(work, 'locked/state/lock'));
    await daemon.until(msg('scheduled run ended with exit code 0'), 'a run once the lock is gone', 1, blocked);
    daemon.child.kill('SIGTERM');
    expect((await daemon.child).exitCode).toBe(0);
  });

  it("refuses a bad or missing schedule with exit 2 and node-cron's message", async () => {
    const bad = await runCli([
      'daemon',
      '-c',
      await configFile('bad', { schedule: '61 3 * * *', timezone: 'Mars/Olympus' }),
    ]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain(
      `config ${join(work, 'bad/config.yml')}: 2 problems\n  schedule: 61 is a invalid expression for minute ("61 3 * * *")\n  timezone: "Mars/Olympus" is not a time zone known here`,
    );
    const fields = await runCli(['daemon', '-c', await configFile('fields', { schedule: '* * * *' })]);
    expect(fields.exitCode).toBe(2);
    expect(fields.stderr).toContain('schedule: expected 5 or 6 fields but got 4 ("* * * *")');
    const missing = await runCli(['daemon', '-c', await configFile('missing', { schedule: undefined })]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('schedule: not set; add a cron expression such as schedule: "15 3 * * *"');
  });
});
