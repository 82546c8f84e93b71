// stall_timeout and max_run_time through the CLI against real moto (IAM enforced, put-only key): a source
// that stops producing (test/fixtures/bin/tar "hang-midway"), an upload that stops taking data (the fault
// proxy), and a run that outlives max_run_time while an earlier asset already finished.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecordingServer } from '../fixtures/notify/recording-server.js';
import { FIXTURE_BIN, logLines, startCli, writeConfig } from './support/cli.js';
import { startFaultProxy } from './support/fault-proxy.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { ifStarted } from './support/if-started.js';

let moto: MotoServer;
let work: string;
let keyFile: string;
let small: string;
let hanging: string;
const PATH = `${FIXTURE_BIN}:${process.env.PATH}`;

beforeAll(async () => {
  moto = await startMoto();
  work = await mkdtemp(join(tmpdir(), 'ba-limits-'));
  keyFile = await moto.writeKeyFile(moto.putOnly, work);
  small = join(work, 'small');
  await mkdir(small, { recursive: true });
  await writeFile(join(small, 'a.txt'), 'hello\n');
  // The fixture tar writes 40 MiB for a list ending in hang-midway, then sleeps without closing its output.
  await mkdir(join(work, 'hang'), { recursive: true });
  hanging = join(work, 'hang', 'hang-midway');
  await writeFile(hanging, 'trigger');
});
afterAll(async () => {
  await ifStarted(moto)?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

interface Report {
  status: string;
  exit_code: number;
  error?: string;
  manifest_key?: string;
  artifacts: { asset: string; key: string; status: string; sha256?: string; error?: string }[];
}

async function configFile(
  name: string,
  extra: Record<string, unknown>,
  assets: { name: string; paths: string[] }[],
  destination: Record<string, unknown> = {},
): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  return writeConfig(dir, {
    host: name,
    state_dir: join(dir, 'state'),
    retention: { daily: 7 },
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
    assets: assets.map((a) => ({ type: 'files', ...a })),
    ...extra,
  });
}

const stored = async (host: string) => (await moto.listKeys(moto.prefix)).filter((k) => k.includes(`/${host}/`));

describe('stall_timeout', () => {
  it('fails an artifact whose source stops producing, naming the source; nothing is stored', async () => {
    const file = await configFile('stalled-source', { stall_timeout: '3s' }, [{ name: 'data', paths: [hanging] }]);
    const started = Date.now();
    const result = await startCli(['run', '-c', file, '--json'], { PATH });
    expect(result.exitCode, result.stderr).toBe(1);
    expect(Date.now() - started).toBeLessThan(60_000); // the fixture would sleep 300 s
    const report = JSON.parse(result.stdout) as Report;
    expect(report.artifacts[0]).toMatchObject({
      status: 'failed',
      error:
        'files "data": stalled: nothing moved for 3s (stall_timeout): the source stopped producing data; the unfinished upload was abandoned',
    });
    expect(report.manifest_key).toBeUndefined();
    expect(await stored('stalled-source')).toEqual([]);
  });

  it('names the upload when S3 stops taking data and its retries would wait longer', async () => {
    const proxy = await startFaultProxy(moto.endpoint);
    try {
      await proxy.command(`after ${3 * 1024 * 1024} stall`);
      const file = await configFile('stalled-upload', { stall_timeout: '4s' }, [{ name: 'data', paths: [hanging] }], {
        endpoint: proxy.endpoint,
        timeouts: { idle: '5m' },
        retry: { budget: '10m' },
      });
      const result = await startCli(['run', '-c', file, '--json'], { PATH });
      expect(result.exitCode, result.stderr).toBe(1);
      const report = JSON.parse(result.stdout) as Report;
      expect(report.artifacts[0]!.error).toBe(
        'files "data": stalled: nothing moved for 4s (stall_timeout): the upload stopped taking data; the unfinished upload was abandoned',
      );
    } finally {
      await proxy.stop();
    }
  });
});

describe('max_run_time', () => {
  it('stops the run with exit 124 "timed out"; the asset finished before it is in the manifest; the notification says so', async () => {
    const hook = await startRecordingServer();
    try {
      const file = await configFile(
        'timed-out',
        { max_run_time: '8s', notify: { webhook: { url: `${hook.origin}/hook`, retries: 0 } } },
        [
          { name: 'quick', paths: [small] },
          { name: 'slow', paths: [hanging] },
        ],
      );
      const started = Date.now();
      const result = await startCli(['run', '-c', file, '--json'], { PATH });
      expect(Date.now() - started).toBeLessThan(40_000);
      expect(result.exitCode, result.stderr).toBe(124);
      const report = JSON.parse(result.stdout) as Report;
      expect(report.status).toBe('timed_out');
      expect(report.error).toBe(
        'timed out (max_run_time 8s): the run was stopped; unfinished artifacts were abandoned, finished ones are in the manifest',
      );
      expect(report.artifacts.map((a) => [a.asset, a.status, a.error])).toEqual([
        ['quick', 'ok', undefined],
        ['slow', 'failed', 'files "slow": timed out (max_run_time 8s); the unfinished upload was abandoned'],
      ]);
      expect(logLines(result.stderr).map((l) => l.msg)).toContain(
        'max_run_time (8s) reached: stopping the run; unfinished uploads are abandoned, finished artifacts keep their manifest',
      );

      // Read back as admin: the manifest lists the finished artifact with the sha256 of what is stored.
      const manifest = JSON.parse((await moto.getObject(report.manifest_key!)).toString('utf8')) as Report;
      expect(manifest.status).toBe('timed_out');
      const quick = manifest.artifacts.find((a) => a.asset === 'quick')!;
      expect(quick.status).toBe('ok');
      expect(
        createHash('sha256')
          .update(await moto.getObject(quick.key))
          .digest('hex'),
      ).toBe(quick.sha256);
      expect(await stored('timed-out')).toEqual([quick.key, report.manifest_key].sort());

      expect(hook.hits).toHaveLength(1);
      const payload = JSON.parse(hook.hits[0]!.body) as {
        text: string;
        status: string;
        exit_code: number;
        error: string;
      };
      expect(payload).toMatchObject({ status: 'timed_out', exit_code: 124 });
      expect(payload.text).toMatch(
        /^\[backup-agent\] timed-out: TIMED OUT \(1 of 2 assets\): files "slow": timed out \(max_run_time 8s\)/,
      );
    } finally {
      await hook.close();
    }
  });
});
