// Every config in examples/ passes the built CLI's `validate` once the files it names exist (0600).
import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from './support/cli.js';
import { requireTool } from './support/require-tool.js';

let work: string;
let recipient: string;
beforeAll(async () => {
  await requireTool('age-keygen');
  work = await mkdtemp(join(tmpdir(), 'ba-examples-'));
  const { stdout } = await execa('age-keygen', [], { stderr: 'pipe' });
  recipient = /^# public key: (age1\S+)$/m.exec(stdout)![1]!;
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** What each example names under /etc/backup-agent/, and what the test writes there. */
function stubFor(name: string): string {
  if (name === 'recipients.txt') return `# operators\n${recipient}\n`;
  if (name === 'my.cnf') return '[client]\nuser = backup\npassword = example\n';
  if (name.endsWith('.password')) return 'example\n';
  if (name.endsWith('.pem')) return '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n';
  return '[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = example\n';
}

describe('examples/', () => {
  it('holds the S3, MySQL, encryption, MinIO and second-copy examples (the quickstart config is written by init --quickstart)', async () => {
    const names = (await readdir(join(ROOT, 'examples'))).filter((n) => n.endsWith('.yml')).sort();
    expect(names).toEqual(['encrypted.yml', 'minio.yml', 'mysql.yml', 's3-put-only.yml', 'second-copy.yml']);
  });

  for (const example of ['s3-put-only.yml', 'mysql.yml', 'encrypted.yml', 'minio.yml', 'second-copy.yml']) {
    it(`${example} validates once the files it names under /etc/backup-agent exist with mode 0600`, async () => {
      const text = await readFile(join(ROOT, 'examples', example), 'utf8');
      const root = join(work, example.replace('.yml', ''));
      const etc = join(root, 'etc/backup-agent');
      await mkdir(etc, { recursive: true, mode: 0o700 });
      const named = [...new Set([...text.matchAll(/\/etc\/backup-agent\/([\w.-]+)/g)].map((m) => m[1]!))].filter(
        (n) => n !== 'config.yml',
      );
      expect(named.length).toBeGreaterThan(0);
      for (const name of named) await writeFile(join(etc, name), stubFor(name), { mode: 0o600 });
      const config = join(etc, 'config.yml');
      await writeFile(config, text.replaceAll('/etc/backup-agent/', `${etc}/`));

      const result = await runCli(['validate', '--config', config]);
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain(`# ${config}: valid`);
      for (const name of named) expect(result.stdout).toContain(join(etc, name));
    });
  }

  it('refuses an example whose secret file is readable by others, with the chmod to run', async () => {
    const etc = join(work, 'loose/etc/backup-agent');
    await mkdir(etc, { recursive: true });
    const text = await readFile(join(ROOT, 'examples/s3-put-only.yml'), 'utf8');
    await writeFile(join(etc, 's3-credentials'), stubFor('s3-credentials'), { mode: 0o644 });
    const config = join(etc, 'config.yml');
    await writeFile(config, text.replaceAll('/etc/backup-agent/', `${etc}/`));
    const result = await runCli(['validate', '--config', config]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      `key_file ${join(etc, 's3-credentials')} is accessible by group/others (mode 0644): run chmod 600 ${join(etc, 's3-credentials')}`,
    );
  });
});
