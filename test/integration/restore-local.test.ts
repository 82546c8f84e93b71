// The local destination read back (as the quickstart uses it): run, list, restore, verify without any cloud.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { execa } from 'execa';
import { runCli, startCli, writeConfig } from './support/cli.js';
import { describeTree, makeTree } from './support/tree.js';

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ba-restore-local-'));
  await chmod(work, 0o755);
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('local destination', () => {
  it('run -> list -> restore --latest -> verify; a flipped byte fails verify and restore', async () => {
    const source = await makeTree(join(work, 'src'));
    const dir = join(work, 'cfg');
    await mkdir(dir);
    const config = await writeConfig(dir, {
      host: 'quickstart',
      state_dir: '../store/state',
      destination: { type: 'local', path: '../store/backups' },
      compression: { algorithm: 'zstd', level: 3 },
      assets: [{ name: 'examples', type: 'files', paths: [join(source, 'www')] }],
    });
    const run = await runCli(['run', '-c', config, '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const key = (JSON.parse(run.stdout) as { artifacts: { key: string }[] }).artifacts[0]!.key;

    const listed = await runCli(['list', '-c', config]);
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(`host quickstart\n  examples (files)\n`);
    expect(listed.stdout).toContain(key);

    const target = join(work, 'restored');
    const restored = await runCli(['restore', '-c', config, '--asset', 'examples', '--latest', '--to', target]);
    expect(restored.exitCode, restored.stderr).toBe(0);
    expect(await describeTree(join(target, source.slice(1), 'www'))).toEqual(await describeTree(join(source, 'www')));

    const verified = await runCli(['verify', '-c', config]);
    expect(verified.exitCode, verified.stdout).toBe(0);

    // A second run with a changed file: --latest takes it, the KEY of the first still gives the old bytes.
    await new Promise((resolve) => setTimeout(resolve, 1100)); // keys have one-second stamps
    await writeFile(join(source, 'www/html/index.html'), 'changed\n');
    const second = await runCli(['run', '-c', config]);
    expect(second.exitCode, second.stderr).toBe(0);
    const newest = join(work, 'restored-newest');
    expect((await runCli(['restore', '-c', config, '--asset', 'examples', '--latest', '--to', newest])).exitCode).toBe(
      0,
    );
    expect(await readFile(join(newest, source.slice(1), 'www/html/index.html'), 'utf8')).toBe('changed\n');
    const first = join(work, 'restored-first');
    expect((await runCli(['restore', key, '-c', config, '--to', first])).exitCode).toBe(0);
    expect(await readFile(join(first, source.slice(1), 'www/html/index.html'), 'utf8')).toBe(
      '<h1>hello</h1>\n'.repeat(100),
    );

    const path = join(work, 'store/backups', key);
    const bytes = await readFile(path);
    bytes[100] = bytes[100]! ^ 0x01;
    await chmod(path, 0o600);
    await writeFile(path, bytes);
    const bad = await runCli(['verify', '-c', config]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toContain(`FAIL  quickstart examples`);
    expect(bad.stdout).toMatch(/verified 2 artifacts in 2 manifests since .*: 1 problem$/m);
    expect(bad.stdout).toContain(`${path}: sha256 mismatch`);
    const again = await runCli(['restore', key, '-c', config, '--to', join(work, 'restored-bad')]);
    expect(again.exitCode).toBe(1);
    // zstd (writing straight into tar) may notice the damage before the hash is complete.
    expect(again.stderr).toMatch(
      new RegExp(
        `${path}: (sha256 mismatch|decompression failed: .*\\(the object is damaged; \`verify\` checks its sha256\\))`,
      ),
    );
    expect(existsSync(join(work, 'restored-bad'))).toBe(false);
  });

  it('a manifest whose key climbs out with .. is refused by list, verify and restore --latest; the file it names is never read', async () => {
    const dir = join(work, 'dotdot');
    const root = join(dir, 'store');
    await mkdir(join(dir, 'outside'), { recursive: true });
    // A real archive outside the store, with the manifest's size and sha256: only the key check stands in the way.
    await writeFile(join(dir, 'outside/secret.txt'), 'not yours\n');
    await execa('tar', ['-cf', join(dir, 'outside/secret.tar'), '-C', join(dir, 'outside'), 'secret.txt']);
    const body = await readFile(join(dir, 'outside/secret.tar'));
    const started = new Date(Date.now() - 86_400_000).toISOString().replace(/T.*/, 'T03:15:00.000Z');
    const day = started.slice(0, 10);
    const stamp = `${started.slice(0, 19).replace(/[-:]/g, '')}Z`;
    const runDir = join(root, 'daily', day, 'dotdot');
    const key = `daily/${day}/dotdot/www/${relative(join(runDir, 'www'), join(dir, 'outside/secret.tar'))}`;
    expect(key).toContain('/../');
    await mkdir(runDir, { recursive: true });
    const manifestPath = join(runDir, `${stamp}.manifest.json`);
    await writeFile(
      manifestPath,
      JSON.stringify({
        format: 'backup-agent-manifest',
        version: 1,
        run_id: 'crafted',
        host: 'dotdot',
        tier: 'daily',
        started_at: started,
        finished_at: started,
        status: 'ok',
        artifacts: [
          {
            asset: 'www',
            type: 'files',
            key,
            status: 'ok',
            bytes_read: body.length,
            bytes_stored: body.length,
            sha256: createHash('sha256').update(body).digest('hex'),
            compression: 'none',
            duration_ms: 1,
            skipped: [],
            warnings: [],
            omitted: 0,
          },
        ],
      }),
    );
    const config = await writeConfig(dir, {
      host: 'dotdot',
      state_dir: 'state',
      destination: { type: 'local', path: 'store' },
      assets: [{ name: 'www', type: 'files', paths: ['outside'] }],
    });
    const refusal = `manifest ${manifestPath}: artifacts.0.key "${key}" is not a key of this run (expected daily/${day}/dotdot/www/${stamp}...): the manifest is not trusted`;

    const listed = await runCli(['list', '-c', config]);
    expect(listed.exitCode).toBe(1);
    expect(listed.stderr).toContain(`backup-agent: ${refusal}`);
    expect(listed.stdout).not.toContain('secret');

    const verified = await runCli(['verify', '-c', config]);
    expect(verified.exitCode).toBe(1);
    expect(verified.stdout).toContain(`FAIL  manifest: ${refusal}`);
    expect(verified.stdout).not.toContain('OK ');

    const target = join(dir, 'restored');
    const restored = await runCli(['restore', '-c', config, '--asset', 'www', '--latest', '--to', target]);
    expect(restored.exitCode).toBe(1);
    expect(restored.stderr).toContain(`backup-agent: no stored backup of asset "www" of host "dotdot" under ${root}`);
    expect(restored.stderr).toContain(`  ${refusal}`);
    expect(existsSync(target)).toBe(false);
  });

  it('SIGINT during a restore exits 130 and leaves no partial output', async () => {
    const dir = join(work, 'int');
    await mkdir(join(dir, 'src'), { recursive: true });
    await execa('sh', ['-c', 'head -c 536870912 /dev/urandom > "$1"', 'sh', join(dir, 'src/big.bin')]);
    const config = await writeConfig(dir, {
      host: 'int',
      state_dir: 'state',
      destination: { type: 'local', path: 'store' },
      assets: [{ name: 'big', type: 'files', paths: ['src'] }],
    });
    expect((await runCli(['run', '-c', config])).exitCode).toBe(0);
    const target = join(dir, 'out');
    const child = startCli(['restore', '-c', config, '--asset', 'big', '--latest', '--to', target]);
    const deadline = Date.now() + 60_000;
    const staged = () => existsSync(target) && readdirSync(target).some((n) => n.startsWith('.backup-agent-restore-'));
    while (!staged() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(staged()).toBe(true);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain('SIGINT received: stopping; partial restore output is removed');
    expect(existsSync(target)).toBe(false);
  }, 180_000);
});
