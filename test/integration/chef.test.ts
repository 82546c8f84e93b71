// examples/chef: every .rb parses (ruby -c), every template compiles (erb -x | ruby -c), and the
// templates rendered with the cookbook's own helpers give a config `validate` accepts and units that
// `systemd-analyze verify` accepts, hardened exactly like systemd/backup-agent.service.
import { execa } from 'execa';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from './support/cli.js';
import { requireTool } from './support/require-tool.js';

const COOKBOOK = join(ROOT, 'examples/chef/backup_agent');
let work: string;

beforeAll(async () => {
  await requireTool('ruby', 'erb', 'systemd-analyze');
  work = await mkdtemp(join(tmpdir(), 'ba-chef-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function filesUnder(dir: string, suffix: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** The `Key=Value` lines of a unit, without comments and blank lines. */
const directives = (unit: string) => unit.split('\n').filter((line) => /^[A-Za-z]+=/.test(line));

describe('examples/chef cookbook backup_agent', () => {
  it('has metadata, a README, the install/file/mysql resources and templates for config and units', async () => {
    const files = (await readdir(COOKBOOK, { recursive: true })).map(String);
    for (const file of [
      'metadata.rb',
      'README.md',
      'resources/install.rb',
      'resources/file_backup.rb',
      'resources/mysql_backup.rb',
      'templates/config.yml.erb',
      'templates/backup-agent.service.erb',
      'templates/backup-agent.timer.erb',
    ]) {
      expect(files).toContain(file);
    }
    expect(await readFile(join(COOKBOOK, 'metadata.rb'), 'utf8')).toMatch(/^name\s+'backup_agent'$/m);
  });

  it('every Ruby file passes ruby -c', async () => {
    const rubies = [...(await filesUnder(COOKBOOK, '.rb')), join(ROOT, 'test/fixtures/chef/render.rb')];
    expect(rubies.length).toBeGreaterThanOrEqual(8);
    for (const file of rubies) {
      const result = await execa('ruby', ['-c', file], { reject: false });
      expect([relative(ROOT, file), result.exitCode, result.stdout.trim(), result.stderr]).toEqual([
        relative(ROOT, file),
        0,
        'Syntax OK',
        '',
      ]);
    }
  });

  it('every ERB template compiles to valid Ruby (erb -x -T - | ruby -c)', async () => {
    const templates = await filesUnder(join(COOKBOOK, 'templates'), '.erb');
    expect(templates.length).toBe(5);
    for (const file of templates) {
      const result = await execa('sh', ['-c', 'erb -x -T - "$1" | ruby -c', 'sh', file], { reject: false });
      expect([relative(ROOT, file), result.exitCode, result.stdout.trim(), result.stderr]).toEqual([
        relative(ROOT, file),
        0,
        'Syntax OK',
        '',
      ]);
    }
  });

  it('renders a mysql job whose config validates and whose units pass systemd-analyze verify', async () => {
    const out = join(work, 'rendered');
    await mkdir(out, { recursive: true, mode: 0o700 });
    const settings = {
      node: { npm_prefix: ROOT, config_dir: out, state_dir: join(work, 'state'), systemd_dir: out },
      resource: {
        job_name: 'shop',
        bucket: 'acme-backups',
        prefix: 'db-01/',
        region: 'eu-west-1',
        endpoint: null,
        force_path_style: false,
        ca_file: null,
        host: 'db-01',
        schedule: '30 2 * * mon-fri',
        random_delay: '10m',
        retention: { daily: 7, monthly: 365 },
        recipients: [],
        mail_to: ['ops@example.com'],
        access_key_id: 'AKIAEXAMPLE',
        secret_access_key: 'example',
      },
      assets: [
        {
          name: 'shop',
          type: 'mysql',
          databases: ['shop', 'billing'],
          defaults_file: join(out, 'shop.my.cnf'),
          concurrency: 1,
        },
      ],
      my_cnf: { user: 'backup', password: 'pa"ss\\word', socket: '/run/mysqld/mysqld.sock', host: null },
      service: {
        job: 'shop',
        bin: BIN,
        config: join(out, 'shop.yml'),
        user: 'root',
        group: 'root',
        state_dir: join(work, 'state/shop'),
      },
    };
    const rendered = await execa(
      'ruby',
      [join(ROOT, 'test/fixtures/chef/render.rb'), COOKBOOK, out, JSON.stringify(settings)],
      { reject: false },
    );
    expect(rendered.stderr).toBe('');
    expect(rendered.exitCode).toBe(0);

    const config = join(out, 'shop.yml');
    expect(await readFile(config, 'utf8')).toMatch(/^# Managed by Chef/);
    const validate = await runCli(['validate', '--config', config]);
    expect(validate.stderr).toBe('');
    expect(validate.exitCode).toBe(0);
    expect(validate.stdout).toContain(`key_file: ${join(out, 'shop.s3-credentials')}`);
    expect(validate.stdout).toMatch(/databases:\n\s+- shop\n\s+- billing/);
    expect(await readFile(join(out, 'shop.my.cnf'), 'utf8')).toContain('password = "pa\\"ss\\\\word"\n');

    const timer = await readFile(join(out, 'backup-agent-shop.timer'), 'utf8');
    expect(timer).toContain(
      'OnCalendar=Mon..Fri *-*-* 02:30:00\nRandomizedDelaySec=10m\nPersistent=true\nUnit=backup-agent-shop.service\n',
    );
    const verify = await execa(
      'systemd-analyze',
      ['verify', join(out, 'backup-agent-shop.service'), join(out, 'backup-agent-shop.timer')],
      { reject: false, env: { SYSTEMD_LOG_COLOR: '0' } },
    );
    expect([verify.exitCode, verify.stderr, verify.stdout]).toEqual([0, '', '']);

    // The cookbook's unit is the repository's unit with this job's program, config, user and state directory.
    const job = new Set(['ExecStart', 'User', 'Group', 'StateDirectory', 'ReadWritePaths', 'Description']);
    const differs = (line: string) => job.has(line.split('=')[0]!);
    const shipped = directives(await readFile(join(ROOT, 'systemd/backup-agent.service'), 'utf8'));
    const chef = directives(await readFile(join(out, 'backup-agent-shop.service'), 'utf8'));
    expect(chef.filter((l) => !differs(l))).toEqual(shipped.filter((l) => !differs(l)));
    expect(chef).toContain(`ExecStart=${BIN} run --config ${config}`);
    expect(chef).toContain('StateDirectory=backup-agent/shop');
  });
});
