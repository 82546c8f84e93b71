// A second copy (`destinations:`): real moto with IAM (put-only writer) plus a local directory, through
// the built CLI. Both get the same bytes and their own manifest and restore on their own; a destination
// whose endpoint goes down mid-upload (a real fault proxy) makes the run partial (exit 3) naming it,
// while the other copy is complete and restorable.
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logLines, runCli, writeConfig } from './support/cli.js';
import { startFaultProxy } from './support/fault-proxy.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { describeTree, makeTree } from './support/tree.js';

const MiB = 1024 * 1024;
let moto: MotoServer;
let work: string;
let writerKey: string;
let adminKey: string;
let source: string;

interface Report {
  status: string;
  exit_code: number;
  error?: string;
  artifacts: { key: string; sha256: string; status: string }[];
  destinations: { name: string; status: string; manifest_key?: string; missing: number; error?: string }[];
}

interface Manifest {
  status: string;
  artifacts: { key: string; sha256: string; status: string; error?: string }[];
}

/** `value`, failing the test when it is missing. */
function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`expected ${what}`);
  return value;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A config with destinations `cloud` (moto, via `endpoint`) and `disk` (a directory), in `order`. */
async function twoDestinations(host: string, endpoint: string, order: ('cloud' | 'disk')[], paths: string[]) {
  const dir = join(work, host);
  await mkdir(dir, { recursive: true });
  const entries = {
    cloud: {
      name: 'cloud',
      type: 's3',
      bucket: moto.bucket,
      region: moto.region,
      endpoint,
      force_path_style: true,
      prefix: moto.prefix,
      credentials: { key_file: writerKey },
      upload: { part_size: '5MiB', queue_size: 2 },
      timeouts: { connect: '1s', idle: '5s' },
      retry: { budget: '2s' },
    },
    disk: { name: 'disk', type: 'local', path: join(dir, 'disk'), prefix: 'copy/' },
  };
  return writeConfig(dir, {
    host,
    state_dir: join(dir, 'state'),
    retention: { daily: 7 },
    metrics: { textfile: join(dir, 'backup-agent.prom') },
    destinations: order.map((name) => entries[name]),
    assets: [{ name: 'www', type: 'files', paths }],
  });
}

async function restoreFrom(config: string, destination: string, target: string, credentials: string[] = []) {
  const restored = await runCli([
    'restore',
    '-c',
    config,
    '--asset',
    'www',
    '--latest',
    '--to',
    target,
    '--destination',
    destination,
    ...credentials,
  ]);
  expect(restored.exitCode, restored.stderr).toBe(0);
}

beforeAll(async () => {
  moto = await startMoto();
  work = await mkdtemp(join(tmpdir(), 'ba-second-copy-'));
  await chmod(work, 0o755);
  writerKey = await moto.writeKeyFile(moto.putOnly, work);
  await mkdir(join(work, 'admin'));
  adminKey = await moto.writeKeyFile(moto.admin, join(work, 'admin'));
  source = await makeTree(join(work, 'src'));
}, 60_000);
afterAll(async () => {
  await (moto as MotoServer | undefined)?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('destinations: a second copy', () => {
  it('writes the same bytes to moto and a directory, each with its own manifest, each restorable by --destination', async () => {
    const config = await twoDestinations('web-1', moto.endpoint, ['cloud', 'disk'], [join(source, 'www')]);
    const run = await runCli(['run', '-c', config, '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.destinations.map((d) => [d.name, d.status, d.missing])).toEqual([
      ['cloud', 'ok', 0],
      ['disk', 'ok', 0],
    ]);
    const [cloud, disk] = report.destinations.map((d) => must(d.manifest_key, `a manifest at ${d.name}`));
    const artifact = must(report.artifacts[0], 'an artifact');
    const key = artifact.key;
    expect(key.startsWith(moto.prefix)).toBe(true);
    const localKey = `copy/${key.slice(moto.prefix.length)}`;
    const inCloud = await moto.getObject(key);
    const onDisk = await readFile(join(work, 'web-1/disk', localKey));
    expect(onDisk.equals(inCloud)).toBe(true);
    expect(sha256(inCloud)).toBe(artifact.sha256);

    const cloudManifest = JSON.parse((await moto.getObject(must(cloud, 'cloud'))).toString()) as Manifest;
    const diskManifest = JSON.parse(await readFile(join(work, 'web-1/disk', must(disk, 'disk')), 'utf8')) as Manifest;
    expect(cloudManifest.artifacts.map((a) => [a.key, a.status])).toEqual([[key, 'ok']]);
    expect(diskManifest.artifacts.map((a) => [a.key, a.status, a.sha256])).toEqual([[localKey, 'ok', artifact.sha256]]);

    // policy and lifecycle: one document per s3 destination, keyed by name; check probes each destination.
    const policy = await runCli(['policy', '-c', config]);
    expect(policy.exitCode, policy.stderr).toBe(0);
    expect(Object.keys(JSON.parse(policy.stdout) as object)).toEqual(['cloud']);
    expect(policy.stderr).toContain('destination "disk" is local: no IAM policy applies to it');
    const lifecycle = await runCli(['lifecycle', '-c', config]);
    expect(Object.keys(JSON.parse(lifecycle.stdout) as object)).toEqual(['cloud']);
    const check = await runCli(['check', '-c', config]);
    expect(check.stdout).toMatch(/cloud: s3 put/);
    expect(check.stdout).toMatch(/disk: /);

    const listed = await runCli(['list', '-c', config, '--destination', 'disk']);
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(localKey);
    const unknown = await runCli(['list', '-c', config, '--destination', 'tape']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('--destination "tape": no such destination (configured: cloud, disk)');

    for (const [name, credentials] of [
      ['cloud', ['--credentials-file', adminKey]],
      ['disk', []],
    ] as const) {
      const target = join(work, `restored-${name}`);
      await restoreFrom(config, name, target, [...credentials]);
      expect(await describeTree(join(target, source.slice(1), 'www'))).toEqual(await describeTree(join(source, 'www')));
    }
  });

  it('a destination whose endpoint goes down mid-upload: exit 3 naming it; the other copy is complete and restorable', async () => {
    const data = join(work, 'big');
    await mkdir(data);
    await writeFile(join(data, 'random.bin'), randomBytes(24 * MiB));
    const proxy = await startFaultProxy(moto.endpoint);
    try {
      await proxy.command(`after ${6 * MiB} refuse`);
      const config = await twoDestinations('web-2', proxy.endpoint, ['cloud', 'disk'], [data]);
      const started = Date.now();
      const run = await runCli(['run', '-c', config, '--json']);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(run.exitCode, run.stderr).toBe(3);
      const report = JSON.parse(run.stdout) as Report;
      expect(report.status).toBe('partial');
      expect(report.destinations.map((d) => [d.name, d.status])).toEqual([
        ['cloud', 'failed'],
        ['disk', 'ok'],
      ]);
      expect(report.error).toMatch(/^destination "cloud" failed \(1 artifact\(s\) missing\): /);
      const errors = logLines(run.stderr).filter((l) => l.level === 'error');
      expect(errors.some((l) => l.msg.startsWith('destination "cloud": '))).toBe(true);

      const status = await runCli(['status', '-c', config]);
      expect(status.exitCode).toBe(1);
      expect(status.stdout).toMatch(/^FAIL {2}destination "cloud": no complete copy recorded; last run failed: /m);
      expect(status.stdout).toMatch(/^OK {4}destination "disk": last complete copy 0m ago; last run ok$/m);
      const metrics = await readFile(join(work, 'web-2/backup-agent.prom'), 'utf8');
      expect(metrics).toContain('backup_agent_destination_last_run_status{host="web-2",destination="cloud"} 2');
      expect(metrics).toContain('backup_agent_destination_last_run_status{host="web-2",destination="disk"} 0');

      const diskManifest = must(report.destinations[1]?.manifest_key, 'a manifest at disk');
      const manifest = JSON.parse(await readFile(join(work, 'web-2/disk', diskManifest), 'utf8')) as Manifest;
      expect(manifest.status).toBe('ok');
      const recorded = must(manifest.artifacts[0], 'an artifact in the manifest');
      const stored = await readFile(join(work, 'web-2/disk', recorded.key));
      expect(sha256(stored)).toBe(recorded.sha256);
      const target = join(work, 'restored-partial');
      await restoreFrom(config, 'disk', target);
      const restored = await readFile(join(target, data.slice(1), 'random.bin'));
      expect(sha256(restored)).toBe(sha256(await readFile(join(data, 'random.bin'))));
    } finally {
      await proxy.stop();
    }
  });
});
