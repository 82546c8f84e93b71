import { describe, expect, it } from 'vitest';
import { BackupError } from '../shared/backup-error.js';
import { destinationsOf, selectDestination } from './destinations.js';
import { parseConfig } from './load-config.js';

const asset = 'assets: [{ name: www, type: files, paths: [/srv] }]\n';
const two = `destinations:
  - { name: near, type: local, path: ./copy }
  - { name: far, type: s3, bucket: acme-far, prefix: web/, credentials: { key_file: ./far.ini } }
${asset}`;

function problems(text: string): string[] {
  try {
    parseConfig(text, '/etc/ba/config.yml', {});
  } catch (error) {
    return (error as BackupError).details;
  }
  throw new Error('expected the config to be rejected');
}

describe('destinations', () => {
  it('reads a list of named destinations; the first is `destination`, paths resolved', () => {
    const config = parseConfig(two, '/etc/ba/config.yml', {});
    expect(destinationsOf(config).map((d) => d.name)).toEqual(['near', 'far']);
    expect(config.destination).toMatchObject({ name: 'near', path: '/etc/ba/copy' });
    expect(config.destinations?.[1]).toMatchObject({ credentials: { key_file: '/etc/ba/far.ini' } });
  });

  it('makes a single destination a list of one named "default"', () => {
    const config = parseConfig(`destination: { type: local, path: /b }\n${asset}`, '/c.yml', {});
    expect(destinationsOf(config)).toEqual([{ name: 'default', type: 'local', path: '/b', prefix: '' }]);
  });

  it('refuses both keys, duplicate names and unnamed entries, saying where', () => {
    expect(problems(`destination: { type: local, path: /b }\n${two}`)).toContain(
      '/etc/ba/config.yml:3:3: destinations: set destination (one) or destinations (a list), not both: move destination into the list, with a name',
    );
    const dup = two.replace('name: far', 'name: near');
    expect(problems(dup)).toEqual(['/etc/ba/config.yml:3:13: destinations[1].name: duplicate destination name "near"']);
    expect(problems(two.replace('name: far, ', ''))[0]).toMatch(/destinations\[1\]\.name: missing/);
    expect(problems(two.replace('credentials: { key_file: ./far.ini }', 'credentials: { access_key_id: x }'))).toEqual([
      '/etc/ba/config.yml:3:73: destinations[1].credentials: set access_key_id and secret_access_key together',
    ]);
  });

  it('selects one by name for operator commands, naming the configured ones otherwise', () => {
    const config = parseConfig(two, '/etc/ba/config.yml', {});
    expect(selectDestination(config, 'far').destination).toMatchObject({ name: 'far', bucket: 'acme-far' });
    expect(selectDestination(config, undefined).destination).toMatchObject({ name: 'near' });
    expect(() => selectDestination(config, 'nope')).toThrow(
      '--destination "nope": no such destination (configured: near, far)',
    );
  });
});
