// The CLI as a user meets it: usage errors, config errors, validate, dry-run, a local-destination run and
// the README's quickstart.
import { execa } from 'execa';
import { access, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli, writeConfig } from './support/cli.js';
import { readmeQuickstart } from './support/markdown.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ba-cli-'));
  await mkdir(join(work, 'data/sub'), { recursive: true });
  await writeFile(join(work, 'data/sub/a.txt'), 'a\n');
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const localConfig = (name: string) => ({
  host: 'cli-host',
  state_dir: join(work, name, 'state'),
  destination: { type: 'local', path: join(work, name, 'store'), prefix: 'p/' },
  // Only the daily tier, so keys are p/daily/... on every day (monthly would win on the 1st).
  retention: { daily: 7 },
  assets: [
    { name: 'data', type: 'files', paths: [join(work, 'data')] },
    { name: 'other', type: 'files', paths: [join(work, 'data/sub')] },
  ],
});

describe('backup-agent CLI', () => {
  it('prints its version and help with exit 0; bare and unknown commands exit 2 with usage on stderr', async () => {
    expect((await runCli(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await runCli(['--help']);
    expect(help).toMatchObject({ exitCode: 0, stderr: '' });
    expect(help.stdout).toContain('run [options]');
    // A typo in a cron line must not look like success.
    for (const args of [[], ['rn'], ['rn', '--help'], ['-c', '/etc/x.yml', 'rn'], ['help', 'rn']]) {
      const wrong = await runCli(args);
      expect({ args, exitCode: wrong.exitCode, stdout: wrong.stdout }).toEqual({ args, exitCode: 2, stdout: '' });
      expect(wrong.stderr).toContain('Usage: backup-agent [options] [command]');
      if (args.includes('rn') && args[0] !== 'help') expect(wrong.stderr).toContain("unknown command 'rn'");
    }
  });

  it('exits 2 with file:line:col and key paths for a bad config, listing every problem', async () => {
    const file = join(work, 'bad.yml');
    await writeFile(
      file,
      'destination:\n  type: s3\nassets:\n  - name: www\n    type: files\n    paths: /var/www\n    exlude: []\n',
    );
    const result = await runCli(['run', '-c', file]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`backup-agent: config ${file}: 3 problems`);
    expect(result.stderr).toContain(`${file}:2:3: destination.bucket: missing (required)`);
    expect(result.stderr).toContain(
      `${file}:6:12: assets[0].paths: must be a list, not text (write [a, b], or one "- item" per line)`,
    );
    expect(result.stderr).toContain(`${file}:7:5: assets[0]: unknown key "exlude"`);
  });

  it('validate exits 2 with file:line:col for unsafe names and prefixes, non-http endpoints, schedules the daemon rejects, alias bombs and oversized files', async () => {
    const base = 'destination: { type: local, path: /tmp/b }\nassets: [{ name: www, type: files, paths: [/srv] }]\n';
    const cases: [string, string, string][] = [
      ['name-dot', base.replace('name: www', 'name: "."'), ':2:18: assets[0].name: cannot be "." or ".."'],
      ['name-dotdot', base.replace('name: www', 'name: ".."'), ':2:18: assets[0].name: cannot be "." or ".."'],
      ['name-option', base.replace('name: www', 'name: "-rf"'), ':2:18: assets[0].name: cannot start with "-"'],
      [
        'prefix',
        base.replace('path: /tmp/b', 'path: /tmp/b, prefix: "x/../../"'),
        ':1:51: destination.prefix: cannot have a "." or ".." segment',
      ],
      [
        'file-url',
        base.replace('{ type: local, path: /tmp/b }', '{ type: s3, bucket: bkt, endpoint: "file:///etc/passwd" }'),
        ':1:49: destination.endpoint: must be an http:// or https:// URL',
      ],
      [
        'ftp-url',
        base.replace('{ type: local, path: /tmp/b }', '{ type: s3, bucket: bkt, endpoint: "ftp://127.0.0.1/" }'),
        ':1:49: destination.endpoint: must be an http:// or https:// URL',
      ],
      [
        'schedule-range',
        `${base}schedule: "61 25 * * *"\n`,
        ':3:11: schedule: 61 is a invalid expression for minute ("61 25 * * *")',
      ],
      [
        'schedule-words',
        `${base}schedule: "every night"\n`,
        ':3:11: schedule: expected 5 or 6 fields but got 2 ("every night")',
      ],
      [
        'alias-bomb',
        `a: &a [x, x, x, x, x, x, x, x, x]\n${'bcdefghi'
          .split('')
          .map((l, i) => `${l}: &${l} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]`)
          .join('\n')}\n${base}`,
        ':2:8: YAML aliases expand to too much data',
      ],
    ];
    for (const [name, text, expected] of cases) {
      const file = join(work, `${name}.yml`);
      await writeFile(file, text);
      const result = await runCli(['validate', '-c', file]);
      expect(result.exitCode, `${name}: ${result.stderr}`).toBe(2);
      expect(result.stderr, name).toContain(`\n  ${file}${expected}`);
      expect(result.stderr).not.toContain('unexpected error');
    }
    const big = join(work, 'big.yml');
    await writeFile(big, `${base}# ${'x'.repeat(10 * 1024 * 1024)}\n`);
    const refused = await runCli(['validate', '-c', big]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(
      `${big}:1:1: the file has ${base.length + 10 * 1024 * 1024 + 3} bytes; a config may have at most 1048576 (1 MiB): is this the right file?`,
    );
  });

  it('exits 2 for a missing config file, naming --config and BACKUP_AGENT_CONFIG', async () => {
    const result = await runCli(['validate'], { BACKUP_AGENT_CONFIG: join(work, 'nope.yml') });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      `config ${join(work, 'nope.yml')}: cannot read: no such file (set --config or BACKUP_AGENT_CONFIG)`,
    );
  });

  it('validate prints the resolved config with defaults applied and paths resolved', async () => {
    const dir = join(work, 'validate');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'creds.ini'),
      '[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = example\n',
      { mode: 0o600 },
    );
    const file = await writeConfig(dir, {
      ...localConfig('validate'),
      destination: { type: 's3', bucket: 'acme', credentials: { key_file: 'creds.ini' } },
    });
    const result = await runCli(['validate', '-c', file]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`# ${file}: valid`);
    expect(result.stdout).toContain(`key_file: ${join(dir, 'creds.ini')}`);
    // Durations and sizes read as people write them, not as milliseconds and bytes.
    for (const line of ['part_size: 16MiB', 'alert_after: 26h', 'shutdown_timeout: 5m', 'random_delay: 0s'])
      expect(result.stdout).toContain(`  ${line}\n`.trimStart());
    expect(result.stdout).toContain('write_once: true');
  });

  it('run --dry-run resolves keys and uploads nothing; run --asset runs one asset to a local directory', async () => {
    const dir = join(work, 'local');
    await mkdir(dir, { recursive: true });
    const file = await writeConfig(dir, localConfig('local'));
    const dry = await runCli(['run', '-c', file, '--dry-run']);
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toMatch(
      /data\s+planned\s+-\s+-\s+-\s+p\/(daily|weekly|monthly|yearly)\/\d{4}-\d{2}-\d{2}\/cli-host\/data\/\d{8}T\d{6}Z\.tar\.zst/,
    );
    expect(dry.stdout).toContain('dry run: nothing was uploaded');
    await expect(access(join(dir, 'store'))).rejects.toThrow();

    const one = await runCli(['run', '-c', file, '--asset', 'other']);
    expect(one.exitCode).toBe(0);
    expect(one.stdout).toMatch(/^other\s+ok\s/m);
    expect(one.stdout).not.toMatch(/^data\s/m);
    const tier = (await readdir(join(dir, 'store/p')))[0]!; // daily, or monthly/weekly/yearly on such days
    const day = (await readdir(join(dir, 'store/p', tier)))[0]!;
    expect(await readdir(join(dir, 'store/p', tier, day, 'cli-host'))).toEqual(
      expect.arrayContaining(['other', expect.stringMatching(/Z\.manifest\.json$/)]),
    );

    const unknown = await runCli(['run', '-c', file, '--asset', 'nope']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('unknown asset "nope" (configured: data, other)');
  });

  it('reports a failing compressor (fed by tar directly) by name and stores nothing', async () => {
    const dir = join(work, 'zstd-fails');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'big.bin'), Buffer.alloc(1024 * 1024, 7));
    const file = await writeConfig(dir, {
      ...localConfig('zstd-fails'),
      assets: [{ name: 'data', type: 'files', paths: [dir] }],
    });
    const result = await runCli(['run', '-c', file, '--json'], {
      PATH: `${join(ROOT, 'test/fixtures/failing-zstd')}:${process.env.PATH}`,
    });
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout) as { artifacts: { error: string; key: string }[] };
    expect(report.artifacts[0]!.error).toBe(
      'files "data": compression failed: zstd exited 70: zstd: error 70 : Write error : cannot write block : No space left on device',
    );
    await expect(access(join(dir, 'store', report.artifacts[0]!.key))).rejects.toThrow();
  });

  it('runs the README quickstart as written from a checkout: init --quickstart, run, list, restore, stock tools', async () => {
    const dir = join(work, 'quickstart');
    const bin = join(work, 'quickstart-bin');
    await mkdir(dir);
    await mkdir(bin);
    await symlink(BIN, join(bin, 'backup-agent'));
    const result = await execa('bash', ['-e', '-o', 'pipefail', '-c', await readmeQuickstart()], {
      cwd: dir,
      reject: false,
      env: { PATH: `${bin}:${process.env.PATH}` },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^examples\s+ok\s/m);
    expect(result.stdout).toContain('host quickstart\n  examples (files)\n');
    for (const restored of ['restored', 'by-hand']) {
      expect(await readFile(join(dir, restored, ROOT.slice(1), 'examples/s3-put-only.yml'), 'utf8')).toBe(
        await readFile(join(ROOT, 'examples/s3-put-only.yml'), 'utf8'),
      );
    }
    expect((await readdir(join(dir, 'quickstart-backups/store'))).length).toBeGreaterThan(0);
  });
});
