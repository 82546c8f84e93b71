import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackupError } from '../shared/backup-error.js';
import { defaultHost, loadConfig, parseConfig } from './load-config.js';

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
    expect(config.destination).toMatchObject({
      bucket: 'acme-backups',
      upload: { part_size: 8 * 1024 * 1024, queue_size: 4 },
      write_once: true,
    });
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
    expect(found).toEqual(
      expect.arrayContaining([
        '/etc/ba/config.yml:3:3: destination: unknown key "regon"',
        '/etc/ba/config.yml:2:3: destination.bucket: missing (required)',
        '/etc/ba/config.yml:10:12: assets[1].paths: must be a list, not text (write [a, b], or one "- item" per line)',
        '/etc/ba/config.yml:8:11: assets[1].name: duplicate asset name "www"',
        '/etc/ba/config.yml:11:40: compression.level: gzip level must be 1 to 9',
      ]),
    );
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
    const found = problems(
      `destination: { type: s3, bucket: bkt, prefix: "a b/", upload: { part_size: lots } }\nassets: [{ name: a, type: files, paths: [/x] }]\n`,
    );
    expect(found).toEqual([
      expect.stringContaining('destination.prefix: may contain only'),
      expect.stringContaining('destination.upload.part_size: "lots" is not a size'),
    ]);
  });

  it('rejects dump options that would remove the "-- Dump completed" footer, and keeps others', () => {
    const config = (options: string) =>
      `destination: { type: local, path: ./out }\nassets: [{ name: db, type: mysql, databases: [shop], extra_options: [${options}] }]\n`;
    expect(
      problems(config('--skip-lock-tables, --compact, --comments=OFF, --result-file=/tmp/x.sql, --skip-dump-date')),
    ).toEqual([
      expect.stringMatching(/assets\[0\]\.extra_options\[1\]: removes or redirects the "-- Dump completed" footer/),
      expect.stringMatching(/assets\[0\]\.extra_options\[2\]: removes or redirects/),
      expect.stringMatching(/assets\[0\]\.extra_options\[3\]: removes or redirects/),
    ]);
    expect(
      problems(
        config('--skip-lock-tables, --skip-dump-date, --loose-skip_comments, --tab=/tmp, --xml, --compatible=ansi'),
      ),
    ).toEqual([
      expect.stringMatching(/assets\[0\]\.extra_options\[2\]: removes or redirects/),
      expect.stringMatching(/assets\[0\]\.extra_options\[3\]: removes or redirects/),
      expect.stringMatching(/assets\[0\]\.extra_options\[4\]: removes or redirects/),
    ]);
  });
});

describe('unsafe or hostile input', () => {
  it('refuses asset names and hosts that are not safe path segments', () => {
    const config = (name: string, host = 'web-01') =>
      `host: "${host}"\ndestination: { type: local, path: ./out }\nassets: [{ name: "${name}", type: files, paths: [/x] }]\n`;
    expect(problems(config('.'))).toEqual([
      '/etc/ba/config.yml:3:18: assets[0].name: cannot be "." or "..": it becomes a directory in keys and paths',
    ]);
    expect(problems(config('..'))).toEqual([
      '/etc/ba/config.yml:3:18: assets[0].name: cannot be "." or "..": it becomes a directory in keys and paths',
    ]);
    expect(problems(config('-rf'))).toEqual([
      '/etc/ba/config.yml:3:18: assets[0].name: cannot start with "-": programs given it would read it as an option',
    ]);
    expect(problems(config('a/b'))).toEqual([
      '/etc/ba/config.yml:3:18: assets[0].name: may contain only A-Za-z0-9 . _ -',
    ]);
    expect(problems(config('www', '..'))).toEqual([
      '/etc/ba/config.yml:1:7: host: cannot be "." or "..": it becomes a directory in keys and paths',
    ]);
    expect(parseConfig(config('.hidden-ok_1'), '/c.yml', {}).assets[0]!.name).toBe('.hidden-ok_1');
  });

  it('refuses prefixes with a "." or ".." segment, on S3 and local destinations', () => {
    expect(
      problems(
        'destination: { type: local, path: /b, prefix: "a/../../etc/" }\nassets: [{ name: a, type: files, paths: [/x] }]\n',
      ),
    ).toEqual([
      '/etc/ba/config.yml:1:47: destination.prefix: cannot have a "." or ".." segment: it would point outside the destination',
    ]);
    expect(
      problems(
        'destination: { type: s3, bucket: bkt, prefix: "../" }\nassets: [{ name: a, type: files, paths: [/x] }]\n',
      ),
    ).toEqual([
      '/etc/ba/config.yml:1:47: destination.prefix: cannot have a "." or ".." segment: it would point outside the destination',
    ]);
    expect(
      parseConfig(
        'destination: { type: s3, bucket: bkt, prefix: "web..1/x/" }\nassets: [{ name: a, type: files, paths: [/x] }]\n',
        '/c.yml',
        {},
      ).destination.prefix,
    ).toBe('web..1/x/');
  });

  it('accepts only http(s) URLs for the endpoint, webhooks and pings', () => {
    const config = (endpoint: string, ping = 'https://hc.example/x') =>
      `destination: { type: s3, bucket: bkt, endpoint: "${endpoint}" }\nnotify: { ping: { start: "${ping}" } }\nassets: [{ name: a, type: files, paths: [/x] }]\n`;
    expect(problems(config('file:///etc/passwd'))).toEqual([
      '/etc/ba/config.yml:1:49: destination.endpoint: must be an http:// or https:// URL',
    ]);
    expect(problems(config('ftp://127.0.0.1/'))).toEqual([
      '/etc/ba/config.yml:1:49: destination.endpoint: must be an http:// or https:// URL',
    ]);
    expect(problems(config('http://127.0.0.1:9000', 'file:///tmp/x'))).toEqual([
      '/etc/ba/config.yml:2:26: notify.ping.start: must be an http:// or https:// URL',
    ]);
    expect(parseConfig(config('https://minio.internal:9000'), '/c.yml', {}).destination).toMatchObject({
      endpoint: 'https://minio.internal:9000',
    });
  });

  it('refuses a YAML alias bomb at its first alias, with exit 2', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...'bcdefghi'.split('').map((l, i) => `${l}: &${l} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
    ].join('\n');
    expect(
      problems(`${bomb}\ndestination: { type: local, path: /b }\nassets: [{ name: a, type: files, paths: [/x] }]\n`),
    ).toEqual([
      expect.stringMatching(
        /^\/etc\/ba\/config\.yml:2:8: YAML aliases expand to too much data \(more than 100 alias expansions; an "alias bomb"\?\)/,
      ),
    ]);
  });

  it('refuses a config file over 1 MiB without parsing it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'load-config-'));
    try {
      const file = join(dir, 'config.yml');
      await writeFile(file, `# ${'x'.repeat(1024 * 1024)}\n${minimal}`);
      const error = await loadConfig(file, {}).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'CONFIG_INVALID',
        exitCode: 2,
        details: [
          `${file}:1:1: the file has 1048678 bytes; a config may have at most 1048576 (1 MiB): is this the right file?`,
        ],
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('validates a large config in linear time (duplicate keys are found in one pass)', () => {
    // ~800 KiB of top-level keys: yaml's own uniqueKeys check was quadratic here (about 20 s; now about
    // 1 s on an idle machine). No timed assertion (it failed under load): the behaviour is checked here,
    // the time is what the test's duration shows.
    const keys = Array.from({ length: 60_000 }, (_, i) => `k${i}: ${i}`).join('\n');
    const found = problems(`${minimal}${keys}\nk7: again\n`);
    expect(found).toEqual(['/etc/ba/config.yml:60007:1: duplicate key "k7" (map keys must be unique)']);
  });
});

describe('defaultHost', () => {
  it('sanitises a hostname into key-safe characters', () => {
    expect(defaultHost('web 01.example.com')).toBe('web-01.example.com');
    expect(defaultHost('ö')).toBe('unknown-host');
  });
});
