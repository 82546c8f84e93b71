// verify end to end: real backups and crafted damage (as admin) on moto, checked with the read-only restorer.
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type MotoServer } from './support/moto.js';
import { runCli, writeConfig } from './support/cli.js';
import { corruptObject, createRestorer, uploadWithManifest } from './support/operator.js';
import { makeTree } from './support/tree.js';
import { ifStarted } from './support/if-started.js';

let moto: MotoServer;
let work: string;
let writerKey: string;
let readerKey: string;
let config: string;

beforeAll(async () => {
  moto = await startMoto();
  work = await mkdtemp(join(tmpdir(), 'ba-verify-'));
  await chmod(work, 0o755);
  writerKey = await moto.writeKeyFile(moto.putOnly, work);
  const source = await makeTree(join(work, 'src'));
  const dir = join(work, 'cfg');
  await mkdir(dir);
  config = await writeConfig(dir, {
    host: 'v-1',
    state_dir: join(dir, 'state'),
    destination: {
      type: 's3',
      bucket: moto.bucket,
      endpoint: moto.endpoint,
      force_path_style: true,
      prefix: moto.prefix,
      credentials: { key_file: writerKey },
    },
    assets: [{ name: 'www', type: 'files', paths: [join(source, 'www')] }],
  });
  readerKey = await createRestorer(moto, config, work);
});
afterAll(async () => {
  await ifStarted(moto)?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const verify = (...args: string[]) => runCli(['verify', '-c', config, '--credentials-file', readerKey, ...args]);

describe('verify', () => {
  it('passes a fresh backup (exit 0), then names the artifact once one byte of it is flipped (exit 1)', async () => {
    const run = await runCli(['run', '-c', config, '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const key = (JSON.parse(run.stdout) as { artifacts: { key: string }[] }).artifacts[0]!.key;
    const good = await verify('--host', 'v-1');
    expect(good.exitCode, good.stdout + good.stderr).toBe(0);
    expect(good.stdout).toMatch(
      new RegExp(
        `^OK    v-1 www \\S+ \\w+ ${key} \\(.*\\): size and sha256 match; decompresses to the end \\([1-9]\\d* bytes\\)$`,
        'm',
      ),
    );
    expect(good.stdout).toMatch(/verified 1 artifact in 1 manifest since .*: all good/);

    await corruptObject(moto, key, 200);
    const bad = await verify('--host', 'v-1');
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toMatch(
      new RegExp(
        `^FAIL  v-1 www .*: s3://${moto.bucket}/${key}: sha256 mismatch: .*the manifest says [0-9a-f]{64} \\(the object is corrupted or was replaced\\)`,
        'm',
      ),
    );
    expect(bad.stdout).toContain('1 problem');
  });

  it('names a missing object, a dump without its footer, and a gap in a daily series', async () => {
    const day = (back: number) =>
      new Date(Date.now() - back * 86_400_000).toISOString().replace(/T.*/, 'T03:15:00.000Z');
    const dump = (text: string) =>
      execa('zstd', ['-c', '-q'], { input: text, encoding: 'buffer' }).then((r) => Buffer.from(r.stdout));
    const complete = await dump('CREATE TABLE t (a int);\n-- Dump completed on 2026-11-20  3:15:00\n');
    const keyOf = (back: number, name: string) =>
      `${moto.prefix}daily/${day(back).slice(0, 10)}/v-2/db/${day(back).slice(0, 19).replace(/[-:]/g, '')}Z--${name}.sql.zst`;
    // Days 4 and 3 back are fine, day 2 is missing entirely (a gap), day 1 back is truncated.
    for (const back of [4, 3])
      await uploadWithManifest(moto, {
        host: 'v-2',
        asset: 'db',
        type: 'mysql',
        label: 'shop',
        key: keyOf(back, 'shop'),
        body: complete,
        startedAt: day(back),
      });
    const truncated = keyOf(1, 'shop');
    await uploadWithManifest(moto, {
      host: 'v-2',
      asset: 'db',
      type: 'mysql',
      label: 'shop',
      key: truncated,
      body: await dump('CREATE TABLE t (a int);\nINSERT INTO t VALUES (1'),
      startedAt: day(1),
    });
    const missing = keyOf(5, 'shop');
    await uploadWithManifest(moto, {
      host: 'v-2',
      asset: 'db',
      type: 'mysql',
      label: 'shop',
      key: missing,
      body: complete,
      startedAt: day(5),
    });
    await moto.adminClient().send(new DeleteObjectCommand({ Bucket: moto.bucket, Key: missing }));

    const result = await verify('--host', 'v-2', '--since', '6d');
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      `FAIL  v-2 db (shop) ${day(5).replace('.000Z', 'Z')} daily: s3://${moto.bucket}/${missing}: no such object`,
    );
    expect(result.stdout).toContain(
      `FAIL  v-2 db (shop) ${day(1).replace('.000Z', 'Z')} daily: s3://${moto.bucket}/${truncated}: the dump does not end with the "-- Dump completed" footer: it is incomplete`,
    );
    expect(result.stdout).toMatch(
      new RegExp(`^OK    v-2 db \\(shop\\) ${day(3).replace('.000Z', 'Z')} .*dump footer present$`, 'm'),
    );
    expect(result.stdout).toContain(`GAP   v-2 db (shop): no stored backup on ${day(2).slice(0, 10)}`);
    expect(result.stdout).toMatch(/verified 4 artifacts in 4 manifests since .*: 3 problems/);
    const json = JSON.parse((await verify('--host', 'v-2', '--since', '6d', '--json')).stdout) as {
      ok: boolean;
      gaps: { day: string }[];
    };
    expect(json.ok).toBe(false);
    expect(json.gaps).toEqual([{ host: 'v-2', asset: 'db', label: 'shop', day: day(2).slice(0, 10) }]);
  });

  it('finds nothing for an unknown host: exit 1, says so', async () => {
    const result = await verify('--host', 'nobody');
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('FAIL  no backups found since');
  });
});
