// The starter config `init` writes validates and carries the schema's own descriptions as its comments.
import { describe, expect, it } from 'vitest';
import { parseConfig } from './load-config.js';
import { documentedKey, withKeyComments } from './starter-comments.js';
import { starterConfig } from './starter-files.js';

const options = {
  dir: '/etc/backup-agent',
  bucket: 'acme-backups',
  prefix: 'web-01/',
  host: 'web-01',
  region: 'eu-west-1',
};

describe('starter config comments', () => {
  it("the starter validates and says what each key is in the schema's words", () => {
    const text = starterConfig(options);
    const config = parseConfig(text, 'config.yml', {});
    expect(config).toMatchObject({
      host: 'web-01',
      destination: { bucket: 'acme-backups', prefix: 'web-01/', region: 'eu-west-1' },
    });
    expect(text).toContain('# bucket name\n  bucket: "acme-backups"\n');
    expect(text).toContain(
      '  #   a .my.cnf (mode 0600) with [client] user/password/host\n  #   defaults_file: /etc/backup-agent/my.cnf\n',
    );
    expect(text).toContain(
      `  # ${documentedKey('destination.endpoint').description}\n  # endpoint: https://minio.example.internal:9000\n`,
    );
    expect(text).not.toMatch(/ @[a-z_.[\]]+$/m);
  });

  it('wraps long descriptions at 100 columns and refuses a key the schema does not have', () => {
    const text = withKeyComments('assets:\n  - name: x\n    exclude: [] @assets[].exclude\n');
    const lines = text.split('\n');
    expect(lines.every((line) => line.length <= 100)).toBe(true);
    expect(
      lines
        .filter((line) => line.startsWith('    # '))
        .join(' ')
        .replaceAll('    # ', ''),
    ).toBe(documentedKey('assets[].exclude').description);
    expect(() => withKeyComments('bucket: x @destination.bukket')).toThrow(
      'starter config: no config key destination.bukket',
    );
  });
});
