import { describe, expect, it } from 'vitest';
import { BackupError } from '../shared/backup-error.js';
import { parseConfig } from './load-config.js';

/** The problems parseConfig reports for `text` (as `validate` prints them, after `file:line:col: `). */
function problems(text: string): string[] {
  try {
    parseConfig(text, '/etc/ba/config.yml', {});
  } catch (error) {
    expect(error).toBeInstanceOf(BackupError);
    return (error as BackupError).details;
  }
  throw new Error(`expected the config to be rejected:\n${text}`);
}

const asset = '{ name: a, type: files, paths: [/x] }';

/** Bad configs covering every kind of schema problem: wrong types, missing keys, ranges, formats, enums, unions. */
const BAD_CONFIGS = [
  'assets: [] ',
  'destination: local\nassets: x\n',
  'destination:\nassets:\n',
  `destination: { type: s3, bucket: ab }\nassets: [${asset}]\n`,
  `destination: { type: s3, bucket: ${'b'.repeat(64)}, region: "", endpoint: not-a-url, storage_class: COLD, write_once: "yes" }\nassets: [${asset}]\n`,
  `destination: { type: ftp }\nassets: [{ name: a, type: zip }]\n`,
  `destination: { path: /x }\nassets: [{ name: a, paths: [/x] }]\n`,
  `destination: { type: local, path: "" }\nassets: [{ name: a, type: files, paths: [] }, { name: d, type: mysql, databases: [], port: 99999, concurrency: 1.5 }]\n`,
  `destination: { type: local, path: /x }\nassets: [{ name: d, type: mysql, databases: 5, port: "3306", extra_options: [skip-lock-tables] }]\n`,
  `host: 5\nkeys: { randomize: "yes" }\nschedule: ""\ncompression: { algorithm: lz4, level: high }\nretention: { daily: -1, hourly: 3 }\ndestination: { type: local, path: /x }\nassets: [${asset}]\n`,
  `destination: { type: local, path: /x }\nnotify: { email: { to: [nobody] }, webhook: { url: nope, retries: 11, timeout: true } }\nassets: [${asset}]\n`,
  `destination: { type: s3, bucket: abc, upload: { part_size: [1], queue_size: 0 }, object_lock: { mode: KEEP, retain_days: 0 } }\nassets: [${asset}]\n`,
  `destination: { type: local, path: /x }\nencryption: { age_recipients: age1x }\nmetrics: {}\nrestore: { credentials: { role_arn: 5 } }\nassets: [${asset}]\n`,
  '- a list\n- at the top\n',
  'just text\n',
];

/** Wording of the schema library (zod 4's English locale) that must never reach a user. */
const LIBRARY_WORDING = [
  /Invalid input/,
  /Too (small|big)/,
  /expected \w+ to (have|be)/,
  /received (undefined|string|number|object|array|boolean|null)/,
  /Invalid (option|discriminator|email|URL|string|element|key|union)/i,
  /Unrecognized key/,
  />=|<=/,
  /Expected '/,
];

describe('config problems are phrased for people', () => {
  it('no message of a set of bad configs carries the schema library wording', () => {
    const all = BAD_CONFIGS.flatMap(problems);
    expect(all.length).toBeGreaterThan(40);
    for (const line of all) {
      expect(line).toMatch(/^\/etc\/ba\/config\.yml:\d+:\d+: \S/);
      for (const wording of LIBRARY_WORDING) expect(line, `"${line}" contains ${wording}`).not.toMatch(wording);
    }
  });

  it('says what is missing, what is expected and what was found', () => {
    expect(problems('assets: []\n')).toEqual([
      '/etc/ba/config.yml:1:9: assets: must list at least one item',
      '/etc/ba/config.yml:1:1: destination: missing (a destination with type: s3 or local is required, or destinations: a list of named ones)',
    ]);
    expect(problems(`destination: { type: s3, bucket: ab }\nassets: [${asset}]\n`)).toEqual([
      '/etc/ba/config.yml:1:34: destination.bucket: must be 3 to 63 characters (S3 bucket naming rules)',
    ]);
    expect(problems('destination: local\nassets: /var/www\n')).toEqual([
      '/etc/ba/config.yml:1:14: destination: must be a section of keys, not text',
      '/etc/ba/config.yml:2:9: assets: must be a list, not text (write [a, b], or one "- item" per line)',
    ]);
    expect(problems(`destination: { type: ftp }\nassets: [{ name: a, paths: [/x] }]\n`)).toEqual([
      '/etc/ba/config.yml:1:22: destination.type: must be s3 or local, not "ftp"',
      '/etc/ba/config.yml:2:10: assets[0].type: missing (files, mysql, mysql-physical or mysql-binlog)',
    ]);
    const mixed = problems(
      `host: 5\ncompression: { algorithm: lz4 }\nretention: { daily: 0 }\ndestination: { type: local, path: /x }\nassets: [{ name: d, type: mysql, databases: 5, port: 99999, concurrency: 1.5 }]\n`,
    );
    expect(mixed).toEqual(
      expect.arrayContaining([
        '/etc/ba/config.yml:1:7: host: must be text, not a whole number',
        '/etc/ba/config.yml:2:27: compression.algorithm: must be one of zstd, gzip, none, not "lz4"',
        '/etc/ba/config.yml:3:21: retention.daily: must be greater than 0',
        '/etc/ba/config.yml:5:45: assets[0].databases: must be "all" or a list, not a whole number',
        '/etc/ba/config.yml:5:54: assets[0].port: must be at most 65535',
        '/etc/ba/config.yml:5:74: assets[0].concurrency: must be a whole number, not a number',
      ]),
    );
    expect(
      problems(
        `destination: { type: local, path: /x }\nnotify: { webhook: { url: "https://hooks.example/T0KEN" }, email: { to: [nobody] } }\nassets: [${asset}]\n`,
      ),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/notify\.email\.to\[0\]: is not an email address/)]));
  });

  it('never quotes a value that may be a secret', () => {
    const found = problems(
      `destination: { type: s3, bucket: abc, credentials: { access_key_id: [AKIASECRET], secret_access_key: 123456789 } }\nassets: [${asset}]\n`,
    );
    expect(found.join('\n')).not.toMatch(/AKIASECRET|123456789/);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/destination\.credentials\.secret_access_key: must be text, not a whole number$/),
      ]),
    );
  });
});
