import { describe, expect, it } from 'vitest';
import { BackupError } from '../shared/backup-error.js';
import { defaultHost, parseConfig } from './load-config.js';

const minimal = `
destination: { type: local, path: ./out }
assets:
  - name: www
    type: files
    paths: [data]
`;

function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(text, '/etc/ba/config.yml', env);
  } catch (error) {
    expect(error).toBeInstanceOf(BackupError);
    expect((error as BackupError).code).toBe('CONFIG_INVALID');
    expect((error as BackupError).exitCode).toBe(2);
    return (error as BackupError).details;
  }
  throw new Error('expected the config to be rejected');
}

describe('parseConfig', () => {
  it('applies defaults and resolves relative paths against the config file', () => {
    const config = parseConfig(minimal, '/etc/ba/config.yml', {});
    expect(config.destination).toEqual({ type: 'local', path: '/etc/ba/out', prefix: '' });
    expect(config.assets[0]).toMatchObject({ paths: ['/etc/ba/data'], exclude: [] });
    expect(config.compression.algorithm).toBe('zstd');
    expect(config.retention).toEqual({ daily: 7, monthly: 365 });
    expect(config.state_dir).toBe('/var/lib/backup-agent');
    expect(config.host).toMatch(/^[A-Za-z0-9._-]+$/);
  });

  it('parses sizes and substitutes ${ENV}', () => {
    const config = parseConfig(
      `destination: { type: s3, bucket: "\${BUCKET}", upload: { part_size: 8MiB } }\nassets: [{ name: a, type: files, paths: [/x] }]\n`,
      '/c.yml',
      { BUCKET: 'acme-backups' },
    );
    expect(config.destination).toMatchObject({ bucket: 'acme-backups', upload: { part_size: 8 * 1024 * 1024, queue_size: 4 }, write_once: true });
  });

  it('lists every problem at once with file:line:col and the key path', () => {
    const found = problems(`destination:
  type: s3
  regon: eu-west-1
assets:
  - name: www
    type: files
    paths: [/a]
  - name: www
    type: files
    paths: /var/www
compression: { algorithm: gzip, level: 12 }
`);
    expect(found).toEqual(expect.arrayContaining([
      '/etc/ba/config.yml:3:3: destination: unknown key "regon"',
      '/etc/ba/config.yml:2:3: destination.bucket: missing (required)',
      '/etc/ba/config.yml:10:12: assets[1].paths: must be a list, not text (write [a, b], or one "- item" per line)',
      '/etc/ba/config.yml:8:11: assets[1].name: duplicate asset name "www"',
      '/etc/ba/config.yml:11:40: compression.level: gzip level must be 1 to 9',
    ]));
    expect(found).toHaveLength(5);
  });

  it('reports broken YAML with a position', () => {
    const found = problems('destination:\n  type: local\n  path: [unclosed\nassets: []\n');
    expect(found[0]).toMatch(/^\/etc\/ba\/config\.yml:\d+:\d+: /);
  });

  it('reports duplicate keys and unset environment variables', () => {
    expect(problems('host: a\nhost: b\n')[0]).toMatch(/config\.yml:2:1: .*[Uu]nique/);
    expect(problems(minimal.replace('./out', '"${NOPE}"'))).toEqual([
      '/etc/ba/config.yml:2:35: destination.path: environment variable NOPE is not set',
    ]);
  });

  it('rejects unsafe prefixes and sizes that are not sizes', () => {
    const found = problems(`destination: { type: s3, bucket: bkt, prefix: "a b/", upload: { part_size: lots } }\nassets: [{ name: a, type: files, paths: [/x] }]\n`);
    expect(found).toEqual([
      expect.stringContaining('destination.prefix: may contain only'),
      expect.stringContaining('destination.upload.part_size: "lots" is not a size'),
    ]);
  });

  it('rejects dump options that would remove the "-- Dump completed" footer, and keeps others', () => {
    const config = (options: string) => `destination: { type: local, path: ./out }\nassets: [{ name: db, type: mysql, databases: [shop], extra_options: [${options}] }]\n`;
    expect(problems(config('--skip-lock-tables, --compact, --comments=OFF, --result-file=/tmp/x.sql, --skip-dump-date'))).toEqual([
      expect.stringMatching(/assets\[0\]\.extra_options\[1\]: removes or redirects the "-- Dump completed" footer/),
      expect.stringMatching(/assets\[0\]\.extra_options\[2\]: removes or redirects/),
      expect.stringMatching(/assets\[0\]\.extra_options\[3\]: removes or redirects/),
    ]);
    expect(problems(config('--skip-lock-tables, --skip-dump-date, --loose-skip_comments, --tab=/tmp, --xml, --compatible=ansi'))).toEqual([
      expect.stringMatching(/assets\[0\]\.extra_options\[2\]: removes or redirects/),
      expect.stringMatching(/assets\[0\]\.extra_options\[3\]: removes or redirects/),
      expect.stringMatching(/assets\[0\]\.extra_options\[4\]: removes or redirects/),
    ]);
  });
});

describe('defaultHost', () => {
  it('sanitises a hostname into key-safe characters', () => {
    expect(defaultHost('web 01.example.com')).toBe('web-01.example.com');
    expect(defaultHost('ö')).toBe('unknown-host');
  });
});
