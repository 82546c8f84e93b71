// Interrupts, the run lock, write-once and S3 error explanations, against real moto with IAM enforced.
import { mkdir, mkdtemp, readFile, rm, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRun } from '../../src/backup/write-run.js';
import { parseConfig } from '../../src/config/load-config.js';
import { silentLogger } from '../../src/shared/logger.js';
import { BIN, FIXTURE_BIN, logLines, runCli, startCli, writeConfig } from './support/cli.js';
import { startFlakyProxy } from './support/flaky-proxy.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { ifStarted } from './support/if-started.js';

let moto: MotoServer;
let work: string;
let keyFile: string;
let data: string;

beforeAll(async () => {
  moto = await startMoto();
  work = await mkdtemp(join(tmpdir(), 'ba-control-'));
  keyFile = await moto.writeKeyFile(moto.putOnly, work);
  data = join(work, 'data');
  await mkdir(data, { recursive: true });
  await writeFile(join(data, 'a.txt'), 'hello\n');
});
afterAll(async () => {
  await ifStarted(moto)?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

function config(name: string, destination: Record<string, unknown> = {}, paths = [data]) {
  return {
    host: name,
    state_dir: join(work, name, 'state'),
    destination: {
      type: 's3',
      bucket: moto.bucket,
      endpoint: moto.endpoint,
      force_path_style: true,
      prefix: moto.prefix,
      credentials: { key_file: keyFile },
      upload: { part_size: '5MiB', queue_size: 2 },
      ...destination,
    },
    assets: [{ name: 'data', type: 'files', paths }],
  };
}

async function configFile(name: string, destination: Record<string, unknown> = {}, paths?: string[]): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  return writeConfig(dir, config(name, destination, paths));
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('interrupts and the lock', () => {
  it('SIGINT mid-upload: exit 130, no object at the key, lock released', async () => {
    const hang = join(work, 'hang');
    await mkdir(hang, { recursive: true });
    await writeFile(join(hang, 'hang-midway'), 'trigger');
    const file = await configFile('sigint', {}, [join(hang, 'hang-midway')]);
    const child = startCli(['run', '-c', file, '--json'], { PATH: `${FIXTURE_BIN}:${process.env.PATH}` });
    // Wait until the multipart upload is under way, then interrupt.
    const deadline = Date.now() + 30_000;
    while (!moto.log().includes('partNumber=1&') || !moto.log().includes('/sigint/')) {
      if (Date.now() > deadline) throw new Error('upload never started');
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    const report = JSON.parse(result.stdout) as {
      status: string;
      artifacts: { key: string; status: string; error: string }[];
    };
    expect(report.status).toBe('interrupted');
    expect(report.artifacts[0]).toMatchObject({
      status: 'failed',
      error: 'files "data": interrupted; the unfinished upload was abandoned',
    });
    expect(await moto.listKeys(moto.prefix).then((keys) => keys.filter((k) => k.includes('/sigint/')))).toEqual([]);
    expect(await exists(join(work, 'sigint/state/lock'))).toBe(false);
    expect(logLines(result.stderr).map((l) => l.msg)).toContain(
      'SIGINT received: abandoning unfinished uploads; what finished keeps its manifest (further signals within 60s are ignored)',
    );
  });

  it('a live lock holder makes a second run exit 11 naming its PID; a stale lock is taken over', async () => {
    const file = await configFile('locked');
    await mkdir(join(work, 'locked/state'), { recursive: true });
    await writeFile(join(work, 'locked/state/lock'), `${process.pid}\n`);
    const blocked = await runCli(['run', '-c', file]);
    expect(blocked.exitCode).toBe(11);
    expect(blocked.stderr).toContain(
      `another run (PID ${process.pid}) holds the lock ${join(work, 'locked/state/lock')}`,
    );
    await writeFile(join(work, 'locked/state/lock'), '2147483646\n');
    const taken = await runCli(['run', '-c', file]);
    expect(taken.exitCode).toBe(0);
    expect(await exists(join(work, 'locked/state/lock'))).toBe(false);
  });
});

describe('stale locks, repeated signals and back-to-back runs', () => {
  const bootId = () => readFile('/proc/sys/kernel/random/boot_id', 'utf8').then((t) => t.trim());
  const startOf = async (pid: number) => {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
  };
  const tookOver = (stderr: string) =>
    logLines(stderr)
      .map((l) => l.msg)
      .find((m) => m.startsWith('took over a stale lock')) ?? '(no take-over logged)';

  it('a lock of a reused PID, of our own PID (restarted container) or from before a reboot is taken over and logged; a live run still gets exit 11', async () => {
    const file = await configFile('stale');
    const lock = join(work, 'stale/state/lock');
    await mkdir(join(work, 'stale/state'), { recursive: true });
    const boot = await bootId();
    const other = execa('sleep', ['60'], { reject: false });
    try {
      const pid = other.pid!;
      const holder = (fields: Record<string, unknown>) =>
        writeFile(
          lock,
          `${JSON.stringify({ pid, start: '1', boot, run_id: 'old', since: '2026-11-22T03:15:00.000Z', ...fields })}\n`,
        );

      await holder({ start: await startOf(pid) });
      const live = await runCli(['run', '-c', file]);
      expect(live.exitCode).toBe(11);
      expect(live.stderr).toContain(
        `backup-agent: another run (PID ${pid}, run old, since 2026-11-22T03:15:00.000Z) holds the lock ${lock}`,
      );

      await holder({});
      const reused = await runCli(['run', '-c', file]);
      expect(reused.exitCode, reused.stderr).toBe(0);
      expect(tookOver(reused.stderr)).toBe(
        `took over a stale lock ${lock} (PID ${pid}, run old, since 2026-11-22T03:15:00.000Z): PID ${pid} now belongs to another process, which started later`,
      );

      await holder({ start: await startOf(pid), boot: '00000000-0000-4000-8000-000000000000' });
      const rebooted = await runCli(['run', '-c', file]);
      expect(rebooted.exitCode, rebooted.stderr).toBe(0);
      expect(tookOver(rebooted.stderr)).toMatch(
        /: it dates from before the last reboot \(boot id 00000000\.\.\., now \w{8}\.\.\.\)$/,
      );
    } finally {
      other.kill('SIGKILL');
      await other;
    }
    // The shell writes the lock under its PID, then execs the agent, which keeps that PID.
    const own = await execa(
      'sh',
      [
        '-c',
        `printf '{"pid":%d,"start":"1","boot":"%s","run_id":"old"}\\n' $$ "${boot}" > "${lock}"; exec "${BIN}" run -c "${file}"`,
      ],
      { reject: false },
    );
    expect(own.exitCode, own.stderr).toBe(0);
    expect(tookOver(own.stderr)).toMatch(
      /^took over a stale lock .*: PID \d+ is this process, which started later \(an earlier process had the same PID, e.g. before a container restart\)$/,
    );
    expect(await exists(lock)).toBe(false);
  });

  it('two runs back to back in one second both succeed with their own manifest (the second waits for the next second)', async () => {
    const file = await configFile('back2back');
    const parsed = parseConfig(await readFile(file, 'utf8'), file, {});
    const messages: string[] = [];
    const logger = { ...silentLogger, info: (m: string) => void messages.push(m), child: () => logger };
    // Start just after a second begins, so that both runs fall into it unless the second waits.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
    const first = await writeRun(parsed, { signal: new AbortController().signal, logger });
    const second = await writeRun(parsed, { signal: new AbortController().signal, logger });
    expect([first.exit_code, second.exit_code]).toEqual([0, 0]);
    expect(first.manifest_key).not.toBe(second.manifest_key);
    expect(second.started_at.slice(0, 19)).not.toBe(first.started_at.slice(0, 19));
    expect(messages.filter((m) => m.startsWith('the previous run started in this second: waited'))).toHaveLength(1);
    for (const report of [first, second]) {
      const manifest = JSON.parse((await moto.getObject(report.manifest_key!)).toString('utf8')) as {
        artifacts: { key: string; status: string }[];
      };
      expect(manifest.artifacts).toEqual([expect.objectContaining({ key: report.artifacts[0]!.key, status: 'ok' })]);
    }
  });

  it('SIGTERM repeated while stopping (a duplicate at once, more seconds later) cannot skip the manifest of what finished: exit 130', async () => {
    const hang = join(work, 'hang-repeat');
    await mkdir(hang, { recursive: true });
    await writeFile(join(hang, 'hang-midway'), 'trigger');
    const host = 'repeat';
    await mkdir(join(work, host), { recursive: true });
    const file = await writeConfig(join(work, host), {
      ...config(host),
      assets: [
        { name: 'first', type: 'files', paths: [data] },
        { name: 'second', type: 'files', paths: [join(hang, 'hang-midway')] },
      ],
    });
    const child = startCli(['run', '-c', file, '--json'], { PATH: `${FIXTURE_BIN}:${process.env.PATH}` });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const deadline = Date.now() + 30_000;
    while (!stderr.includes('files \\"second\\": uploading to')) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`the second asset never started:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // SIGTERM, a second one 20 ms later (as `timeout` may send it: before this version it exited at once,
    // before the manifest), and more while the run may still be stopping or already exiting.
    for (const wait of [0, 20, 400, 1500]) {
      await new Promise((r) => setTimeout(r, wait));
      child.kill('SIGTERM');
    }
    const result = await child;
    expect(result.exitCode, `${result.signal} ${stderr}`).toBe(130);
    const messages = logLines(stderr).map((l) => l.msg);
    expect(messages.filter((m) => m.startsWith('SIGTERM received: '))).toHaveLength(1);
    expect(
      messages.filter(
        (m) =>
          m.startsWith('SIGTERM again') &&
          !/^SIGTERM again: still stopping in order, so that what finished keeps its manifest \(a signal in \d+s, or SIGKILL, exits at once\)$/.test(
            m,
          ),
      ),
    ).toEqual([]);
    const report = JSON.parse(result.stdout) as {
      status: string;
      manifest_key: string;
      artifacts: { asset: string; key: string; status: string }[];
    };
    expect(report.status).toBe('interrupted');
    const manifest = JSON.parse((await moto.getObject(report.manifest_key)).toString('utf8')) as {
      status: string;
      artifacts: { asset: string; key: string; status: string }[];
    };
    expect(manifest.artifacts.map((a) => [a.asset, a.status])).toEqual([
      ['first', 'ok'],
      ['second', 'failed'],
    ]);
    expect(
      await moto
        .listKeys(moto.prefix)
        .then((keys) => keys.filter((k) => k.includes(`/${host}/`) && !k.endsWith('.manifest.json'))),
    ).toEqual([manifest.artifacts[0]!.key]);
  });

  it('20 runs stopped by `timeout -s TERM` (SIGTERM to the agent and its group) at spread-out points: every stored artifact is in a manifest', async () => {
    const dirs: string[] = [];
    for (const name of ['one', 'two', 'three']) {
      const dir = join(work, 'term-data', name);
      await mkdir(dir, { recursive: true });
      const { randomBytes } = await import('node:crypto');
      await writeFile(join(dir, 'random.bin'), randomBytes(2 * 1024 * 1024)); // ~0.5 s each through the slow zstd
      dirs.push(dir);
    }
    const env = { PATH: `${join(FIXTURE_BIN, '..', 'slow-zstd')}:${process.env.PATH}` };
    const outcomes: { exit: number; stored: number; listed: number }[] = [];
    for (let i = 0; i < 20; i += 1) {
      const host = `term-${i}`;
      const dir = join(work, host);
      await mkdir(dir, { recursive: true });
      const file = await writeConfig(dir, {
        ...config(host),
        assets: dirs.map((d, n) => ({ name: `a${n}`, type: 'files', paths: [d] })),
      });
      // From Node's start-up (a loaded machine may take seconds) to past the end of the run.
      const delay = (0.8 + i * 0.25).toFixed(2);
      const result = await execa('timeout', ['--preserve-status', '-s', 'TERM', `${delay}s`, BIN, 'run', '-c', file], {
        reject: false,
        env,
      });
      const keys = (await moto.listKeys(moto.prefix)).filter((k) => k.includes(`/${host}/`));
      const manifests = keys.filter((k) => k.endsWith('.manifest.json'));
      const listed = new Set<string>();
      for (const key of manifests) {
        const manifest = JSON.parse((await moto.getObject(key)).toString('utf8')) as {
          artifacts: { key: string; status: string }[];
        };
        for (const a of manifest.artifacts) if (a.status === 'ok' || a.status === 'partial') listed.add(a.key);
      }
      const stored = keys.filter((k) => !k.endsWith('.manifest.json'));
      // 143: SIGTERM arrived while Node was still loading, before any handler existed (nothing was begun).
      expect(
        result.exitCode === 143 ? keys : [0, 130],
        `run ${i} (after ${delay}s): exit ${result.exitCode}: ${result.stderr}`,
      ).toEqual(result.exitCode === 143 ? [] : expect.arrayContaining([result.exitCode]));
      expect(
        stored.filter((k) => !listed.has(k)),
        `run ${i} (after ${delay}s): objects without a manifest entry`,
      ).toEqual([]);
      outcomes.push({ exit: result.exitCode!, stored: stored.length, listed: listed.size });
    }
    // The points were spread over the whole run: some runs were interrupted after storing some of the artifacts.
    expect(
      outcomes.some((o) => o.exit === 130 && o.stored > 0 && o.stored < 3),
      JSON.stringify(outcomes),
    ).toBe(true);
  }, 180_000);
});

describe('write-once and S3 errors', () => {
  it('refuses to overwrite an existing backup at the same key (If-None-Match)', async () => {
    const file = await configFile('twice');
    const parsed = parseConfig(await readFile(file, 'utf8'), file, {});
    const now = new Date('2026-11-22T03:15:00Z');
    const first = await writeRun(parsed, { signal: new AbortController().signal, logger: silentLogger, now });
    expect(first.exit_code).toBe(0);
    const before = await moto.getObject(first.artifacts[0]!.key);
    const second = await writeRun(parsed, { signal: new AbortController().signal, logger: silentLogger, now });
    expect(second.exit_code).toBe(1);
    expect(second.artifacts[0]!.error).toBe(
      `files "data": refusing to overwrite existing backup s3://${moto.bucket}/${first.artifacts[0]!.key}: an object already exists at this key (write_once)`,
    );
    expect(await moto.getObject(first.artifacts[0]!.key)).toEqual(before);
  });

  it('explains AccessDenied with the permission needed, without leaving an object', async () => {
    const file = await configFile('denied', { prefix: 'elsewhere/' });
    const result = await runCli(['run', '-c', file]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(`s3://${moto.bucket}/elsewhere/`);
    expect(result.stdout).toMatch(
      new RegExp(
        `PutObject denied \\(AccessDenied\\): the credentials need s3:PutObject on arn:aws:s3:::${moto.bucket}/elsewhere/\\*`,
      ),
    );
    expect(await moto.listKeys('elsewhere/')).toEqual([]);
  });

  it('explains rejected credentials and a missing bucket', async () => {
    const badKey = join(work, 'bad.ini');
    await writeFile(
      badKey,
      `[default]\naws_access_key_id = ${moto.putOnly.accessKeyId}\naws_secret_access_key = wrong-secret\n`,
      { mode: 0o600 },
    );
    const bad = await runCli(['run', '-c', await configFile('badcreds', { credentials: { key_file: badKey } })]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toMatch(/credentials rejected \(SignatureDoesNotMatch\): check destination\.credentials/);
    expect(bad.stdout + bad.stderr).not.toContain('wrong-secret');

    const adminKey = await moto.writeKeyFile(moto.admin, join(work));
    const missing = await runCli([
      'run',
      '-c',
      await configFile('nobucket', { bucket: 'no-such-bucket', credentials: { key_file: adminKey } }),
    ]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toContain(
      's3://no-such-bucket: bucket does not exist (region us-east-1, endpoint http://127.0.0.1:',
    );
  });

  it('retries a throttled part upload (503 SlowDown) and completes the backup intact', async () => {
    const big = join(work, 'big');
    await mkdir(big, { recursive: true });
    // Incompressible, so the stored object spans several 5 MiB parts.
    const { randomBytes } = await import('node:crypto');
    await writeFile(join(big, 'random.bin'), randomBytes(12 * 1024 * 1024));
    const proxy = await startFlakyProxy(
      moto.endpoint,
      (req) => req.method === 'PUT' && (req.url ?? '').includes('partNumber=2&'),
    );
    try {
      const result = await runCli([
        'run',
        '-c',
        await configFile('flaky', { endpoint: proxy.endpoint }, [big]),
        '--json',
      ]);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(proxy.failed).toHaveLength(1);
      const report = JSON.parse(result.stdout) as { artifacts: { key: string; sha256: string }[] };
      const { createHash } = await import('node:crypto');
      const object = await moto.getObject(report.artifacts[0]!.key);
      expect(createHash('sha256').update(object).digest('hex')).toBe(report.artifacts[0]!.sha256);
    } finally {
      await proxy.close();
    }
  });

  it('explains an unreachable endpoint after retries', async () => {
    const result = await runCli([
      'run',
      '-c',
      await configFile('unreachable', { endpoint: 'http://127.0.0.1:9', retry: { budget: '3s' } }),
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(
      /cannot reach http:\/\/127\.0\.0\.1:9: connection refused \(ECONNREFUSED\); gave up after \d+ attempts in 3(\.\d)?s \(destination\.retry\.budget 3s\)/,
    );
  });
});
