// `backup-agent init` as an operator (or Chef/Ansible) meets it: files 0600 in a 0700 directory, a config
// that validates, the same policy `policy` prints, and nothing ever overwritten.
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from './support/cli.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ba-init-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const mode = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);

describe('backup-agent init', () => {
  it('writes config.yml, my.cnf and s3-credentials (0600, dir 0700), prints the policy and next steps; the config validates', async () => {
    const dir = join(work, 'fresh/etc/backup-agent');
    const result = await runCli([
      'init',
      '--dir',
      dir,
      '--bucket',
      'acme-backups',
      '--prefix',
      'web/',
      '--host',
      'web-01',
      '--region',
      'eu-west-1',
    ]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['config.yml', 'my.cnf', 's3-credentials']);
    expect(await mode(dir)).toBe('700');
    for (const name of ['config.yml', 'my.cnf', 's3-credentials']) {
      expect(await mode(join(dir, name))).toBe('600');
      expect(result.stdout).toContain(`created ${join(dir, name)} (`);
    }
    const config = await readFile(join(dir, 'config.yml'), 'utf8');
    expect(config).toMatch(/^# backup-agent configuration/);
    expect(config).toContain(`key_file: ${join(dir, 's3-credentials')}`);
    expect(config).toContain(`#   defaults_file: ${join(dir, 'my.cnf')}`);
    expect(await readFile(join(dir, 'my.cnf'), 'utf8')).toContain('[client]\nuser = backup\n');
    expect(await readFile(join(dir, 's3-credentials'), 'utf8')).toContain(
      '[default]\naws_access_key_id = REPLACE_ME\n',
    );
    expect(result.stdout).toContain('Next steps:');
    expect(result.stdout).toContain(`backup-agent --config ${join(dir, 'config.yml')} validate`);

    const validate = await runCli(['validate', '--config', join(dir, 'config.yml')]);
    expect(validate.stderr).toBe('');
    expect(validate.exitCode).toBe(0);
    expect(validate.stdout).toContain('bucket: acme-backups');
    expect(validate.stdout).toContain('host: web-01');

    // The policy init printed is the one `policy` prints for that config, put-only on the prefix.
    const policy = await runCli(['policy', '--config', join(dir, 'config.yml')]);
    expect(policy.exitCode).toBe(0);
    expect(result.stdout).toContain(policy.stdout.trim());
    expect(JSON.parse(policy.stdout)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'BackupAgentWriteNewBackups',
          Effect: 'Allow',
          Action: ['s3:PutObject'],
          Resource: 'arn:aws:s3:::acme-backups/web/*',
        },
      ],
    });
  });

  it('never overwrites: existing files are kept byte for byte and listed, missing ones are created, exit 0', async () => {
    const dir = join(work, 'existing');
    await mkdir(dir, { mode: 0o755 });
    const own =
      'destination: { type: local, path: /var/backups/agent }\nassets: [{ name: etc, type: files, paths: [/etc] }]\n';
    await writeFile(join(dir, 'config.yml'), own, { mode: 0o640 });
    await writeFile(join(dir, 's3-credentials'), 'mine\n', { mode: 0o600 });
    const result = await runCli(['init', '--dir', dir, '--bucket', 'other-bucket']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`kept    ${join(dir, 'config.yml')}: it exists; not overwritten`);
    expect(result.stdout).toContain(`kept    ${join(dir, 's3-credentials')}: it exists; not overwritten`);
    expect(result.stdout).toContain(`created ${join(dir, 'my.cnf')} (`);
    expect(result.stdout).toContain('destination.type is local: no IAM policy needed');
    expect(await readFile(join(dir, 'config.yml'), 'utf8')).toBe(own);
    expect(await mode(join(dir, 'config.yml'))).toBe('640');
    expect(await readFile(join(dir, 's3-credentials'), 'utf8')).toBe('mine\n');
    expect(await mode(dir)).toBe('755');

    // Run again (as a config-management tool would): nothing changes, still exit 0.
    const again = await runCli(['init', '--dir', dir]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).not.toContain('created ');
  });

  it("--quickstart writes quickstart.yml into the current directory: the package's examples into ./quickstart-backups, valid, never overwritten", async () => {
    const dir = join(work, 'quickstart');
    await mkdir(dir);
    const result = await runCli(['init', '--quickstart'], {}, dir);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(
      [
        `created ${join(dir, 'quickstart.yml')} (quickstart config: ${join(ROOT, 'examples')} -> ${join(dir, 'quickstart-backups/store')})`,
        'Next:',
        '  backup-agent -c quickstart.yml run',
        '  backup-agent -c quickstart.yml list',
        '  backup-agent -c quickstart.yml restore --asset examples --latest --to restored',
      ].join('\n'),
    );
    expect(await readdir(dir)).toEqual(['quickstart.yml']);
    const validate = await runCli(['validate', '-c', join(dir, 'quickstart.yml')]);
    expect(validate.exitCode, validate.stderr).toBe(0);
    expect(validate.stdout).toContain(`path: ${join(dir, 'quickstart-backups/store')}\n`);
    expect(validate.stdout).toContain(`state_dir: ${join(dir, 'quickstart-backups/state')}\n`);
    expect(validate.stdout).toContain(`- ${join(ROOT, 'examples')}\n`);

    await writeFile(join(dir, 'quickstart.yml'), '# mine\n');
    const again = await runCli(['init', '--quickstart', '--dir', dir]);
    expect(again.stdout).toContain(`kept    ${join(dir, 'quickstart.yml')}: it exists; not overwritten`);
    expect(await readFile(join(dir, 'quickstart.yml'), 'utf8')).toBe('# mine\n');
    expect(again.exitCode).toBe(2); // and the kept file is no config: said so
    const mixed = await runCli(['init', '--quickstart', '--bucket', 'b'], {}, dir);
    expect(mixed.exitCode).toBe(2);
    expect(mixed.stderr).toContain('init --quickstart takes only --dir (not --bucket)');
  });

  it('exits 2 naming the bad option and writes nothing', async () => {
    const dir = join(work, 'bad');
    const result = await runCli(['init', '--dir', dir, '--prefix', '/web', '--host', 'web 01']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('init: these options would make an invalid config; nothing was written');
    expect(result.stderr).toContain('destination.prefix: must not start with /');
    expect(result.stderr).toContain('host: may contain only A-Za-z0-9 . _ -');
    await expect(stat(dir)).rejects.toThrow(/ENOENT/);
  });
});
