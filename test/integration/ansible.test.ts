// examples/ansible as a fleet runs it: syntax check, then the playbook against localhost (-c local) with
// every path in a temp root, twice; the second run changes nothing and the rendered config validates.
import { execa } from 'execa';
import { access, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/cli.js';
import { requireTool } from './support/require-tool.js';

const ANSIBLE_DIR = join(ROOT, 'examples/ansible');
const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
// A throwaway system user per test run, removed afterwards.
const user = `ba-ci-${process.pid}`;
const secrets = { key: 'AKIAANSIBLETESTKEY', secret: 'ansible-s3-secret-Zq81', dbPassword: 'ansible-db-pa"ss\\9' };

let work: string;
let root: string;
let inventory: string;
let varsFile: string;

const env = (dir: string) => ({
  ANSIBLE_NOCOLOR: '1',
  ANSIBLE_FORCE_COLOR: '0',
  ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
  ANSIBLE_RETRY_FILES_ENABLED: '0',
  ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-local'),
  ANSIBLE_REMOTE_TEMP: join(dir, 'ansible-remote'),
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});
const playbook = (args: string[]) =>
  execa('ansible-playbook', [...args, 'playbook.yml'], {
    cwd: ANSIBLE_DIR,
    env: env(work),
    reject: false,
    timeout: 300_000,
  });
const recap = (stdout: string) =>
  /localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/.exec(stdout);

beforeAll(async () => {
  await requireTool('ansible-playbook', 'age-keygen');
  work = await mkdtemp(join(tmpdir(), 'ba-ansible-'));
  root = join(work, 'root');
  // The package the role installs: the suite's built dist/, packed without re-running the build.
  const out = join(work, 'out');
  await mkdir(out);
  await execa('npm', ['pack', '--ignore-scripts', '--pack-destination', out], { cwd: ROOT });
  const { stdout } = await execa('age-keygen', []);
  inventory = join(work, 'inventory.ini');
  await writeFile(inventory, '[backup_agent]\nlocalhost ansible_connection=local\n');
  varsFile = join(work, 'vars.json');
  await writeFile(
    varsFile,
    JSON.stringify({
      ansible_become: false,
      backup_agent_root: root,
      backup_agent_tarball: join(out, `${pkg.name}-${pkg.version}.tgz`),
      backup_agent_version: pkg.version,
      backup_agent_user: user,
      backup_agent_group: user,
      backup_agent_system_packages: [],
      backup_agent_bucket: 'fleet-backups',
      backup_agent_prefix: 'ci-host/',
      backup_agent_host: 'ci-host',
      backup_agent_aws_access_key_id: secrets.key,
      backup_agent_aws_secret_access_key: secrets.secret,
      backup_agent_assets: [{ name: 'etc', paths: ['/etc/hostname'], exclude: ['*.swp'] }],
      backup_agent_databases: [{ name: 'mysql', databases: ['shop', 'billing'] }],
      backup_agent_mysql_password: secrets.dbPassword,
      backup_agent_schedule: '30 2 * * *',
      backup_agent_recipients: [/^# public key: (age1\S+)$/m.exec(stdout)![1]],
      backup_agent_mail_to: ['ops@example.com'],
    }),
  );
}, 120_000);
afterAll(async () => {
  await execa('userdel', [user], { reject: false });
  await execa('groupdel', [user], { reject: false });
  if (work) await rm(work, { recursive: true, force: true });
});

describe('examples/ansible', () => {
  it('passes ansible-playbook --syntax-check', async () => {
    const result = await execa('ansible-playbook', ['--syntax-check', '-i', 'inventory.ini', 'playbook.yml'], {
      cwd: ANSIBLE_DIR,
      env: env(work),
      reject: false,
    });
    expect(result.stderr).not.toMatch(/ERROR/);
    expect(result.exitCode).toBe(0);
  });

  it('installs, configures and schedules backup-agent on localhost; a second run changes nothing', async () => {
    // The systemctl steps must be skipped here: on a host running systemd they would act on the real system.
    await expect(access('/run/systemd/system'), 'this test expects a host without systemd as PID 1').rejects.toThrow();

    const first = await playbook(['-v', '-i', inventory, '-e', `@${varsFile}`]);
    expect(first.stderr).not.toMatch(/ERROR|FAILED/);
    expect(first.exitCode).toBe(0);
    const [, , changed, , failed] = recap(first.stdout)!;
    expect(failed).toBe('0');
    expect(Number(changed)).toBeGreaterThan(0);
    // no_log: even with -v the secrets never reach the output.
    for (const secret of Object.values(secrets)) expect(first.stdout).not.toContain(secret);
    expect(first.stdout).toMatch(
      /TASK \[backup_agent : Enable and start backup-agent\.timer\][^\n]*\nskipping: \[localhost\]/,
    );

    const etc = join(root, 'etc/backup-agent');
    const uid = Number((await execa('id', ['-u', user])).stdout);
    for (const name of ['s3-credentials', 'my.cnf']) {
      const info = await stat(join(etc, name));
      expect((info.mode & 0o777).toString(8), name).toBe('600');
      expect(info.uid, name).toBe(uid);
    }
    expect(await readFile(join(etc, 's3-credentials'), 'utf8')).toContain(
      `aws_secret_access_key = ${secrets.secret}\n`,
    );
    expect(await readFile(join(etc, 'my.cnf'), 'utf8')).toContain('password = "ansible-db-pa\\"ss\\\\9"\n');
    expect(((await stat(etc)).mode & 0o777).toString(8)).toBe('750');
    expect(((await stat(join(root, 'var/lib/backup-agent'))).mode & 0o777).toString(8)).toBe('700');

    // The rendered config passes the installed program's validate.
    const bin = join(root, 'usr/local/bin/backup-agent');
    const validate = await execa(bin, ['validate', '--config', join(etc, 'config.yml')], {
      reject: false,
      env: env(work),
    });
    expect(validate.stderr).toBe('');
    expect(validate.exitCode).toBe(0);
    expect(validate.stdout).toContain('bucket: fleet-backups');
    expect(validate.stdout).toContain(`defaults_file: ${join(etc, 'my.cnf')}`);
    expect(validate.stdout).toMatch(/databases:\n\s+- shop\n\s+- billing/);
    expect((await execa(bin, ['--version'])).stdout.trim()).toBe(pkg.version);

    const units = join(root, 'etc/systemd/system');
    expect(await readFile(join(units, 'backup-agent.service'), 'utf8')).toBe(
      await readFile(join(ROOT, 'systemd/backup-agent.service'), 'utf8'),
    );
    const dropIn = await readFile(join(units, 'backup-agent.service.d/ansible.conf'), 'utf8');
    expect(dropIn).toContain(`ExecStart=\nExecStart=${bin} run --config ${join(etc, 'config.yml')}\n`);
    expect(dropIn).toContain(`User=${user}\n`);
    expect(await readFile(join(units, 'backup-agent.timer'), 'utf8')).toContain('OnCalendar=*-*-* 02:30:00\n');

    const second = await playbook(['-i', inventory, '-e', `@${varsFile}`]);
    expect(second.exitCode).toBe(0);
    const [, , changedAgain, , failedAgain] = recap(second.stdout)!;
    expect(failedAgain).toBe('0');
    expect(changedAgain).toBe('0');
  }, 420_000);
});
