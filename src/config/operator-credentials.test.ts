import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from './load-config.js';
import { operatorDestination } from './operator-credentials.js';

const base = `
destination:
  type: s3
  bucket: acme-backups
  endpoint: http://127.0.0.1:9000
  credentials: { key_file: /etc/backup-agent/host-key }
assets: [{ name: www, type: files, paths: [/srv] }]
`;

describe('operatorDestination', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'operator-creds-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('never hands out the host credentials: without flags or restore: it is the default chain', async () => {
    const { destination, source } = await operatorDestination(parseConfig(base, '/etc/c.yml'), {});
    expect(source).toBe('default chain');
    expect(destination.credentials).toBeUndefined();
    expect(destination.endpoint).toBe('http://127.0.0.1:9000');
  });

  it('prefers --credentials-file/--profile over restore.credentials', async () => {
    const file = join(dir, 'reader');
    await writeFile(file, '[reader]\naws_access_key_id = a\naws_secret_access_key = b\n', { mode: 0o600 });
    const config = parseConfig(`${base}restore: { credentials: { profile: ops } }\n`, '/etc/c.yml');
    expect((await operatorDestination(config, {})).destination.credentials).toEqual({ profile: 'ops' });
    const flagged = await operatorDestination(config, { credentialsFile: file, profile: 'reader' });
    expect(flagged).toEqual(expect.objectContaining({ source: 'flags' }));
    expect(flagged.destination.credentials).toEqual({ key_file: file, profile: 'reader' });
  });

  it('refuses a credentials file that others can read, with the chmod to run', async () => {
    const file = join(dir, 'reader');
    await writeFile(file, '[default]\n');
    await chmod(file, 0o644);
    await expect(operatorDestination(parseConfig(base, '/etc/c.yml'), { credentialsFile: file })).rejects.toThrow(
      `--credentials-file ${file} is accessible by group/others (mode 0644): run chmod 600 ${file}`,
    );
  });

  it('refuses local destinations as a usage error', async () => {
    const config = parseConfig(
      'destination: { type: local, path: /backups }\nassets: [{ name: www, type: files, paths: [/srv] }]\n',
      '/etc/c.yml',
    );
    await expect(operatorDestination(config, {})).rejects.toMatchObject({ code: 'USAGE' });
  });
});
