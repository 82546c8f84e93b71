// The package as a fleet installs it: `npm pack` builds dist/ from a clean copy of the sources, the
// tarball holds no tests or sources, `npm install -g` into a temp prefix pulls only runtime
// dependencies, the installed bin works (version, help, init, validate), and a normal user runs the
// README's quickstart with it: backup, list, restore, all in a directory it owns.
import { execa } from 'execa';
import { chmod, chown, cp, lstat, mkdir, mkdtemp, readFile, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/cli.js';
import { readmeQuickstart } from './support/markdown.js';
import { requireTool } from './support/require-tool.js';

const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

let work: string;
let tarball: string;
let members: string[];
let prefix: string;
let installed: string;
let bin: string;

const run = (args: string[], cwd = work) =>
  execa(bin, args, {
    cwd,
    reject: false,
    timeout: 60_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ba-package-'));
  // A copy without dist/, so the tarball proves that packing builds it (and the suite's dist/ is not
  // rewritten under tests running in parallel). node_modules is shared for the compiler.
  const source = join(work, 'source');
  await mkdir(source);
  for (const entry of [
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'rolldown.config.mjs',
    'scripts',
    'README.md',
    'docs',
    'bin',
    'src',
    'systemd',
    'examples',
  ]) {
    await cp(join(ROOT, entry), join(source, entry), { recursive: true });
  }
  await symlink(join(ROOT, 'node_modules'), join(source, 'node_modules'));
  const out = join(work, 'out');
  await mkdir(out);
  await execa('npm', ['pack', '--pack-destination', out, '--no-audit', '--no-fund'], { cwd: source, timeout: 180_000 });
  tarball = join(out, `${pkg.name}-${pkg.version}.tgz`);
  members = (await execa('tar', ['-tzf', tarball])).stdout.split('\n').filter(Boolean);

  prefix = join(work, 'prefix');
  await execa('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', tarball], {
    cwd: work,
    timeout: 240_000,
  });
  installed = join(prefix, 'lib/node_modules', pkg.name);
  bin = join(prefix, 'bin/backup-agent');
}, 420_000);
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('npm pack + npm install -g', () => {
  it('packs the built CLI, the systemd units, the example configs, the README and every docs page, and no sources, tests or source maps', async () => {
    expect(members).toContain('package/bin/backup-agent');
    // bin/backup-agent runs the bundle; the tsc output it was bundled from is not shipped.
    expect(members).toContain('package/dist/app/main.js');
    expect(members.filter((m) => m.startsWith('package/dist/') && !m.startsWith('package/dist/app/'))).toEqual([]);
    expect(members).toContain('package/systemd/backup-agent.service');
    expect(members).toContain('package/systemd/backup-agent.timer');
    expect(members).toContain('package/examples/s3-put-only.yml');
    // Operators read the docs on the server: README.md links into docs/, so every page ships.
    expect(members).toContain('package/README.md');
    const pages = (await readdir(join(ROOT, 'docs'))).filter((f) => f.endsWith('.md'));
    expect(pages.length).toBeGreaterThan(0);
    for (const page of pages) expect(members).toContain(`package/docs/${page}`);
    expect(
      members.filter((m) => /\.test\.|\.map$|^package\/(src|test|bench|\.ci)\/|^package\/examples\/.*\//.test(m)),
    ).toEqual([]);
  });

  it('installs only the runtime dependencies', async () => {
    const modules = join(installed, 'node_modules');
    const present = new Set([
      ...(await readdir(modules)),
      ...(await readdir(join(modules, '@aws-sdk'))).map((n) => `@aws-sdk/${n}`),
    ]);
    for (const dependency of Object.keys(pkg.dependencies)) expect(present, dependency).toContain(dependency);
    for (const dependency of Object.keys(pkg.devDependencies)) expect(present, dependency).not.toContain(dependency);
    expect(present).not.toContain('vite');
  });

  it('runs from the installed bin: --version, --help, init + validate', async () => {
    const version = await run(['--version']);
    expect(version.exitCode).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);
    const help = await run(['--help']);
    expect(help.exitCode).toBe(0);
    for (const command of [
      'run',
      'validate',
      'status',
      'policy',
      'daemon',
      'schedule',
      'init',
      'check',
      'lifecycle',
      'list',
      'restore',
      'verify',
    ])
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));

    const etc = join(work, 'etc/backup-agent');
    expect((await run(['init', '--dir', etc, '--bucket', 'acme-backups'])).exitCode).toBe(0);
    const validate = await run(['validate', '--config', join(etc, 'config.yml')]);
    expect(validate.stderr).toBe('');
    expect(validate.exitCode).toBe(0);
  });

  it('runs the README quickstart as an unprivileged user in a directory it owns: backup, list, restore; nothing written under the prefix', async () => {
    await requireTool('setpriv');
    // mkdtemp made these 0700; an install prefix such as /usr/local is reachable by every user.
    await chmod(work, 0o755);
    const home = join(work, 'home');
    await mkdir(home);
    await chown(home, 65534, 65534);
    const before = await snapshot(prefix);
    const result = await execa(
      'setpriv',
      [
        '--reuid=nobody',
        '--regid=nogroup',
        '--clear-groups',
        '--',
        'bash',
        '-e',
        '-o',
        'pipefail',
        '-c',
        await readmeQuickstart(),
      ],
      {
        cwd: home,
        reject: false,
        timeout: 120_000,
        extendEnv: false,
        env: {
          PATH: `${join(prefix, 'bin')}:/usr/local/bin:/usr/bin:/bin`,
          HOME: home,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
      },
    );
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toMatch(/^created .*\/home\/quickstart\.yml \(quickstart config: /m);
    expect(result.stdout).toMatch(/^examples\s+ok\s/m);
    expect(result.stdout).toContain('host quickstart\n  examples (files)\n');
    // Restored by the agent and by stock tools: the installed examples, byte for byte.
    for (const restored of ['restored', 'by-hand']) {
      for (const name of await readdir(join(installed, 'examples'))) {
        expect(
          await readFile(join(home, restored, installed.slice(1), 'examples', name), 'utf8'),
          `${restored}: ${name}`,
        ).toBe(await readFile(join(installed, 'examples', name), 'utf8'));
      }
    }
    const stored = (await readdir(join(home, 'quickstart-backups/store'), { recursive: true })).filter((f) =>
      f.endsWith('.tar.zst'),
    );
    expect(stored).toHaveLength(1);
    expect(await snapshot(prefix)).toEqual(before);
  });
});

/** Every path under `dir` with its size and mtime: what the install prefix looks like. */
async function snapshot(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return Promise.all(
    entries.sort().map(async (entry) => {
      const stats = await lstat(join(dir, entry));
      return `${entry} ${stats.size} ${stats.mtimeMs}`;
    }),
  );
}
