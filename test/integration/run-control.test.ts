// Interrupts, the run lock, write-once and S3 error explanations, against real moto with IAM enforced.
import { mkdir, mkdtemp, readFile, rm, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { runBackup } from '../../src/pipeline/run-backup.js';
import { silentLogger } from '../../src/shared/logger.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { FIXTURE_BIN, logLines, runCli, startCli, writeConfig } from './support/cli.js';
import { startFlakyProxy } from './support/flaky-proxy.js';

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
  await moto?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

function config(name: string, destination: Record<string, unknown> = {}, paths = [data]) {
  return {
    host: name,
    state_dir: join(work, name, 'state'),
    destination: {
      type: 's3', bucket: moto.bucket, endpoint: moto.endpoint, force_path_style: true, prefix: moto.prefix,
      credentials: { key_file: keyFile }, upload: { part_size: '5MiB', queue_size: 2 }, ...destination,
    },
    assets: [{ name: 'data', type: 'files', paths }],
  };
}

async function configFile(name: string, destination: Record<string, unknown> = {}, paths?: string[]): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  return writeConfig(dir, config(name, destination, paths));
}

const exists = (path: string) => access(path).then(() => true, () => false);

describe('interrupts and the lock', () => {
  it('SIGINT mid-upload: exit 130, no object at the key, lock released', async () => {
    const hang = join(work, 'hang');
    await mkdir(hang, { recursive: true });
    await writeFile(join(hang, 'hang-midway'), 'trigger');
    const file = await configFile('sigint', {}, [join(hang, 'hang-midway')]);
    const child = startCli(['run', '-c', file, '--json'], { PATH: `${FIXTURE_BIN}:${process.env.PATH}` });
    // Wait until the multipart upload is under way, then interrupt.
    const deadline = Date.now() + 30_000;
    while (!/partNumber=1&/.test(moto.log()) || !moto.log().includes('/sigint/')) {
      if (Date.now() > deadline) throw new Error('upload never started');
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    const report = JSON.parse(String(result.stdout)) as { status: string; artifacts: { key: string; status: string; error: string }[] };
    expect(report.status).toBe('interrupted');
    expect(report.artifacts[0]).toMatchObject({ status: 'failed', error: 'files "data": interrupted; the unfinished upload was abandoned' });
    expect(await moto.listKeys(`${moto.prefix}`).then((keys) => keys.filter((k) => k.includes('/sigint/')))).toEqual([]);
    expect(await exists(join(work, 'sigint/state/lock'))).toBe(false);
    expect(logLines(String(result.stderr)).map((l) => l.msg)).toContain('SIGINT received: abandoning unfinished uploads (send again to exit at once)');
  });

  it('a live lock holder makes a second run exit 11 naming its PID; a stale lock is taken over', async () => {
    const file = await configFile('locked');
    await mkdir(join(work, 'locked/state'), { recursive: true });
    await writeFile(join(work, 'locked/state/lock'), `${process.pid}\n`);
    const blocked = await runCli(['run', '-c', file]);
    expect(blocked.exitCode).toBe(11);
    expect(blocked.stderr).toContain(`another run (PID ${process.pid}) holds the lock ${join(work, 'locked/state/lock')}`);
    await writeFile(join(work, 'locked/state/lock'), '2147483646\n');
    const taken = await runCli(['run', '-c', file]);
    expect(taken.exitCode).toBe(0);
    expect(await exists(join(work, 'locked/state/lock'))).toBe(false);
  });
});

describe('write-once and S3 errors', () => {
  it('refuses to overwrite an existing backup at the same key (If-None-Match)', async () => {
    const file = await configFile('twice');
    const parsed = parseConfig(await readFile(file, 'utf8'), file, {});
    const now = new Date('2026-11-22T03:15:00Z');
    const first = await runBackup(parsed, { signal: new AbortController().signal, logger: silentLogger, now });
    expect(first.exit_code).toBe(0);
    const before = await moto.getObject(first.artifacts[0]!.key);
    const second = await runBackup(parsed, { signal: new AbortController().signal, logger: silentLogger, now });
    expect(second.exit_code).toBe(1);
    expect(second.artifacts[0]!.error).toBe(`files "data": refusing to overwrite existing backup s3://${moto.bucket}/${first.artifacts[0]!.key}: an object already exists at this key (write_once)`);
    expect(await moto.getObject(first.artifacts[0]!.key)).toEqual(before);
  });

  it('explains AccessDenied with the permission needed, without leaving an object', async () => {
    const file = await configFile('denied', { prefix: 'elsewhere/' });
    const result = await runCli(['run', '-c', file]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(`s3://${moto.bucket}/elsewhere/`);
    expect(result.stdout).toMatch(new RegExp(`PutObject denied \\(AccessDenied\\): the credentials need s3:PutObject on arn:aws:s3:::${moto.bucket}/elsewhere/\\*`));
    expect(await moto.listKeys('elsewhere/')).toEqual([]);
  });

  it('explains rejected credentials and a missing bucket', async () => {
    const badKey = join(work, 'bad.ini');
    await writeFile(badKey, `[default]\naws_access_key_id = ${moto.putOnly.accessKeyId}\naws_secret_access_key = wrong-secret\n`, { mode: 0o600 });
    const bad = await runCli(['run', '-c', await configFile('badcreds', { credentials: { key_file: badKey } })]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toMatch(/credentials rejected \(SignatureDoesNotMatch\): check destination\.credentials/);
    expect(bad.stdout + bad.stderr).not.toContain('wrong-secret');

    const adminKey = await moto.writeKeyFile(moto.admin, join(work));
    const missing = await runCli(['run', '-c', await configFile('nobucket', { bucket: 'no-such-bucket', credentials: { key_file: adminKey } })]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toContain('s3://no-such-bucket: bucket does not exist (region us-east-1, endpoint http://127.0.0.1:');
  });

  it('retries a throttled part upload (503 SlowDown) and completes the backup intact', async () => {
    const big = join(work, 'big');
    await mkdir(big, { recursive: true });
    // Incompressible, so the stored object spans several 5 MiB parts.
    const { randomBytes } = await import('node:crypto');
    await writeFile(join(big, 'random.bin'), randomBytes(12 * 1024 * 1024));
    const proxy = await startFlakyProxy(moto.endpoint, (req) => req.method === 'PUT' && /partNumber=2&/.test(req.url ?? ''));
    try {
      const result = await runCli(['run', '-c', await configFile('flaky', { endpoint: proxy.endpoint }, [big]), '--json']);
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
    const result = await runCli(['run', '-c', await configFile('unreachable', { endpoint: 'http://127.0.0.1:9', retry: { budget: '3s' } })]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9: connection refused \(ECONNREFUSED\); gave up after \d+ attempts in 3(\.\d)?s \(destination\.retry\.budget 3s\)/);
  });
});
