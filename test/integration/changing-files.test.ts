// Files that change while tar reads them, made deterministic by a helper process that stops tar once
// it has the file open (test/fixtures/change-while-read.mjs): a file that shrank is stored zero-padded,
// so the artifact is partial (exit 3) and names it; one that grew is a warning in the manifest.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logLines, ROOT, runCli, writeConfig } from './support/cli.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { ifStarted } from './support/if-started.js';

const HELPER = join(ROOT, 'test/fixtures/change-while-read.mjs');
const SIZE = 128 * 1024 * 1024;

let moto: MotoServer;
let work: string;
let keyFile: string;

beforeAll(async () => {
  moto = await startMoto();
  work = await mkdtemp(join(tmpdir(), 'ba-changing-'));
  await chmod(work, 0o755);
  keyFile = await moto.writeKeyFile(moto.putOnly, work);
});
afterAll(async () => {
  await ifStarted(moto)?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** A directory with a small file and SIZE bytes of random data (incompressible: the upload paces tar's reading). */
async function makeData(name: string): Promise<{ dir: string; big: string }> {
  const dir = join(work, name, 'data');
  await mkdir(dir, { recursive: true });
  const big = join(dir, 'big.bin');
  const file = await open(big, 'w');
  for (let written = 0; written < SIZE; written += 8 * 1024 * 1024) await file.write(randomBytes(8 * 1024 * 1024));
  await file.close();
  await writeFile(join(dir, 'small.txt'), 'unchanged\n');
  return { dir, big };
}

interface Report {
  status: string;
  manifest_key: string;
  artifacts: {
    status: string;
    skipped: { path: string; reason: string }[];
    warnings: { path: string; reason: string }[];
  }[];
}

/** Runs the backup of `dir` while the helper changes `big`; resolves to the run and the helper's report. */
async function backupWhileChanging(name: string, dir: string, big: string, change: string[]) {
  const config = await writeConfig(join(work, name), {
    host: name,
    state_dir: join(work, name, 'state'),
    retention: { daily: 7 },
    destination: {
      type: 's3',
      bucket: moto.bucket,
      region: moto.region,
      endpoint: moto.endpoint,
      force_path_style: true,
      prefix: moto.prefix,
      credentials: { key_file: keyFile },
      upload: { part_size: '5MiB', queue_size: 2 },
    },
    assets: [{ name: 'data', type: 'files', paths: [dir] }],
  });
  const helper = execa(process.execPath, [HELPER, ...change.slice(0, 1), big, change[1]!, '120000'], { reject: false });
  const run = await runCli(['run', '-c', config, '--json']);
  const helped = await helper;
  expect(helped.exitCode, helped.stderr).toBe(0);
  const seen = JSON.parse(helped.stdout) as { position: number; size: number };
  // The premise: tar was stopped with part of the file still unread.
  expect(seen.size).toBe(SIZE);
  expect(seen.position).toBeLessThan(SIZE);
  return { run, report: JSON.parse(run.stdout) as Report };
}

describe('files that change while they are read', () => {
  it('a file that shrank: artifact partial, exit 3, the file named as inconsistent in the manifest and the log', async () => {
    const { dir, big } = await makeData('shrink');
    const { run, report } = await backupWhileChanging('shrink', dir, big, ['--shrink', '1048576']);
    expect(run.exitCode, run.stderr).toBe(3);
    expect(report.status).toBe('partial');
    const inconsistent = { path: big, reason: 'changed while read: stored copy is not consistent' };
    expect(report.artifacts[0]).toMatchObject({ status: 'partial', skipped: [inconsistent] });
    const manifest = JSON.parse((await moto.getObject(report.manifest_key)).toString('utf8')) as Report;
    expect(manifest.artifacts[0]).toMatchObject({ status: 'partial', skipped: [inconsistent] });
    expect(
      logLines(run.stderr)
        .filter((l) => l.level === 'warn')
        .map((l) => l.msg),
    ).toContain(`files "data": skipped ${big}: changed while read: stored copy is not consistent`);
  }, 180_000);

  it('a file that grew: a warning recorded in the manifest, the artifact ok', async () => {
    const { dir, big } = await makeData('grow');
    const { run, report } = await backupWhileChanging('grow', dir, big, ['--grow', '1048576']);
    expect(run.exitCode, run.stderr).toBe(0);
    const changed = { path: big, reason: 'file changed as we read it' };
    expect(report.artifacts[0]).toMatchObject({ status: 'ok', skipped: [], warnings: [changed] });
    const manifest = JSON.parse((await moto.getObject(report.manifest_key)).toString('utf8')) as Report;
    expect(manifest.artifacts[0]).toMatchObject({ status: 'ok', warnings: [changed] });
  }, 180_000);
});
