// Files incrementals end to end (issue 17): GNU tar --listed-incremental through the CLI into real moto as
// the put-only user; restore of full + differential as the read-only operator, compared path by path.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, link, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type MotoServer } from './support/moto.js';
import { logLines, ROOT, runCli, writeConfig } from './support/cli.js';
import { createRestorer } from './support/operator.js';
import { diffSnapshots, snapshotTree } from './support/tree-snapshot.js';

let moto: MotoServer;
let work: string;
let writerKey: string;
let readerKey: string;

interface Incremental {
  level: 0 | 1;
  reason: string;
  base?: { key: string; sha256: string; bytes_stored: number };
  snapshot?: string;
}
interface Artifact {
  key: string;
  sha256: string;
  bytes_stored: number;
  status: string;
  incremental?: Incremental;
}

/** A host with one files asset over `data`, incremental weekly. */
async function host(name: string): Promise<{ config: string; data: string; state: string }> {
  const dir = join(work, name);
  const data = join(dir, 'data');
  await mkdir(join(data, 'sub'), { recursive: true });
  const config = await writeConfig(dir, {
    host: name,
    state_dir: join(dir, 'state'),
    retention: { daily: 7, weekly: 28, monthly: 365 },
    destination: {
      type: 's3',
      bucket: moto.bucket,
      region: moto.region,
      endpoint: moto.endpoint,
      force_path_style: true,
      prefix: moto.prefix,
      credentials: { key_file: writerKey },
    },
    assets: [{ name: 'www', type: 'files', paths: [data], exclude: ['*.log'], incremental: { full_every: '7d' } }],
  });
  return { config, data, state: join(dir, 'state', 'files', 'www') };
}

/** Runs a backup; resolves to its artifact as the manifest in the bucket records it, and the run's log. */
async function backup(config: string, env: Record<string, string> = {}) {
  const result = await runCli(['run', '-c', config, '--json'], env);
  expect(result.exitCode, result.stderr).toBe(0);
  const { manifest_key } = JSON.parse(result.stdout) as { manifest_key: string };
  const manifest = JSON.parse((await moto.getObject(manifest_key)).toString()) as { artifacts: Artifact[] };
  const [artifact] = manifest.artifacts;
  if (artifact === undefined) throw new Error(`${manifest_key} records no artifact`);
  return { artifact, log: logLines(result.stderr) };
}

beforeAll(async () => {
  moto = await startMoto();
  work = await mkdtemp(join(tmpdir(), 'ba-incremental-'));
  await chmod(work, 0o755);
  writerKey = await moto.writeKeyFile(moto.putOnly, work);
  readerKey = await createRestorer(moto, (await host('policy-host')).config, work);
});
afterAll(async () => {
  await (moto as MotoServer | undefined)?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('files incrementals (GNU tar --listed-incremental) as a put-only user', () => {
  it('full, then differentials after adds, edits, deletes, renames, chmod and hard links: restore --latest is the final tree', async () => {
    const { config, data } = await host('web-1');
    await writeFile(join(data, 'a.txt'), 'alpha\n');
    await writeFile(join(data, 'b.txt'), 'beta\n');
    await writeFile(join(data, 'sub', 'c.txt'), 'gamma\n');
    await writeFile(join(data, 'sub', 'd.bin'), Buffer.alloc(200_000, 7));
    await writeFile(join(data, 'noise.log'), 'excluded\n');
    await writeFile(join(data, 'unchanged.bin'), randomBytes(300_000)); // stored once, in the full
    const full = (await backup(config)).artifact;
    expect(full.incremental).toMatchObject({ level: 0, reason: 'no earlier full to build on' });
    expect(full.incremental?.snapshot).toMatch(/^[0-9a-f]{64}$/);

    await writeFile(join(data, 'a.txt'), 'alpha, edited\n');
    await rm(join(data, 'b.txt'));
    await rename(join(data, 'sub', 'c.txt'), join(data, 'sub', 'c-renamed.txt'));
    await rename(join(data, 'sub'), join(data, 'moved'));
    await chmod(join(data, 'moved', 'd.bin'), 0o600);
    await writeFile(join(data, 'new.txt'), 'new\n');
    await link(join(data, 'new.txt'), join(data, 'new-link.txt'));
    const first = (await backup(config)).artifact;
    expect(first.incremental).toMatchObject({
      level: 1,
      base: { key: full.key, sha256: full.sha256, bytes_stored: full.bytes_stored },
      snapshot: full.incremental?.snapshot,
    });
    expect(first.bytes_stored).toBeLessThan(full.bytes_stored / 10);

    await rm(join(data, 'new.txt'));
    await writeFile(join(data, 'moved', 'e.txt'), 'epsilon\n');
    await chmod(join(data, 'a.txt'), 0o640);
    const second = (await backup(config)).artifact;
    expect(second.incremental).toMatchObject({ level: 1, base: { key: full.key } });

    const target = join(work, 'restored');
    const restored = await runCli([
      'restore',
      '-c',
      config,
      '--credentials-file',
      readerKey,
      '--asset',
      'www',
      '--latest',
      '--to',
      target,
    ]);
    expect(restored.exitCode, restored.stderr).toBe(0);
    const expected = await snapshotTree(data);
    expected.delete('noise.log');
    expect(diffSnapshots(expected, await snapshotTree(join(target, data.slice(1))))).toEqual([]);
    expect(existsSync(join(target, data.slice(1), 'b.txt'))).toBe(false);

    const verified = await runCli(['verify', '-c', config, '--credentials-file', readerKey, '--host', 'web-1']);
    expect(verified.exitCode, verified.stdout + verified.stderr).toBe(0);

    // The full gone (an admin, or a lifecycle rule shorter than the chain): verify names the broken chain.
    await moto.adminClient().send(new DeleteObjectCommand({ Bucket: moto.bucket, Key: full.key }));
    const broken = await runCli(['verify', '-c', config, '--credentials-file', readerKey, '--host', 'web-1']);
    expect(broken.exitCode).toBe(1);
    expect(broken.stdout).toContain(
      `broken chain: the differential s3://${moto.bucket}/${second.key} needs the full ${full.key}`,
    );
  });

  it('a lost snapshot file makes the next run a full, and the run says why', async () => {
    const { config, data, state } = await host('web-2');
    await writeFile(join(data, 'a.txt'), 'alpha\n');
    await backup(config);
    await rm(join(state, 'full', 'snapshot'));
    const { artifact, log } = await backup(config);
    expect(artifact.incremental?.level).toBe(0);
    expect(artifact.incremental?.reason).toMatch(/snapshot file .* is missing: making a full/);
    expect(log.some((line) => line.level === 'warn' && /snapshot file .* is missing/.test(line.msg))).toBe(true);
    expect((await backup(config)).artifact.incremental).toMatchObject({ level: 1, base: { key: artifact.key } });
  });

  it('a failed differential does not advance the state: the next one still builds on the full', async () => {
    const { config, data, state } = await host('web-3');
    await writeFile(join(data, 'a.txt'), 'alpha\n');
    const full = (await backup(config)).artifact;
    const recorded = await readFile(join(state, 'full', 'full.json'), 'utf8');
    const snapshot = await readFile(join(state, 'full', 'snapshot'));
    await writeFile(join(data, 'b.txt'), Buffer.alloc(300_000, 1));
    const failed = await runCli(['run', '-c', config], {
      PATH: `${join(ROOT, 'test/fixtures/failing-zstd')}:${process.env.PATH}`,
    });
    expect(failed.exitCode).toBe(1);
    expect(await readFile(join(state, 'full', 'full.json'), 'utf8')).toBe(recorded);
    expect(await readFile(join(state, 'full', 'snapshot'))).toEqual(snapshot);
    const next = (await backup(config)).artifact;
    expect(next.incremental).toMatchObject({ level: 1, base: { key: full.key, sha256: full.sha256 } });
    expect((await readdir(state)).filter((name) => name.startsWith('pending-'))).toEqual([]);
  });
});
