// The schema documents every key, its examples validate, and docs/config.md is what the schema generates.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { configKeys, yamlValue } from './config-keys.js';
import { configReference, GENERATED_BEGIN, GENERATED_END, withGeneratedReference } from './config-reference.js';
import { configSchema } from './schema.js';

const keys = configKeys(configSchema);
const CONFIG_MD = new URL('../../docs/config.md', import.meta.url);

describe('config schema documentation', () => {
  it('lists every key, each with a description; every value key with an example its own schema accepts', () => {
    expect(keys.length).toBeGreaterThan(80);
    expect(keys.filter((k) => !k.description).map((k) => k.path)).toEqual([]);
    expect(keys.filter((k) => !k.isSection && k.examples.length === 0).map((k) => k.path)).toEqual([]);
    const rejected = keys.flatMap((k) =>
      k.examples.filter((e) => !k.schema.safeParse(e).success).map((e) => `${k.path}: ${yamlValue(e)}`),
    );
    expect(rejected).toEqual([]);
  });

  it('reads types and defaults as people write them', () => {
    const byPath = (path: string) => keys.find((k) => k.path === path);
    expect(byPath('alert_after')).toMatchObject({ type: 'duration', default: '26h', examples: ['26h'] });
    expect(byPath('destination.upload.part_size')).toMatchObject({
      type: 'size',
      default: '16MiB',
      section: 'destination (type: s3)',
    });
    expect(byPath('destination.bucket')).toMatchObject({ type: 'text', default: 'required' });
    expect(byPath('assets[].databases')).toMatchObject({
      type: 'all or list of text',
      section: 'assets (type: mysql)',
    });
    expect(byPath('destination.upload.queue_size')?.type).toBe('integer 1-64');
    expect(byPath('retention')?.type).toBe('map: daily, weekly, monthly or yearly to integer >= 1');
  });

  it('docs/config.md holds the reference the schema generates (regenerate with `npm run docs`)', async () => {
    const page = await readFile(CONFIG_MD, 'utf8');
    expect(
      page,
      'docs/config.md differs from what src/config/schema.ts generates: run `npm run docs` and commit docs/config.md',
    ).toBe(withGeneratedReference(page));
    expect(page).toContain(configReference());
  });

  it('replaces only the text between the markers, and refuses a page without them', () => {
    const page = `# Title\n\nmine\n\n${GENERATED_BEGIN}\nstale\n${GENERATED_END}\n\nmine too\n`;
    const regenerated = withGeneratedReference(page);
    expect(regenerated).toBe(
      `# Title\n\nmine\n\n${GENERATED_BEGIN}\n\n${configReference()}\n\n${GENERATED_END}\n\nmine too\n`,
    );
    expect(withGeneratedReference(regenerated)).toBe(regenerated);
    expect(() => withGeneratedReference('# Title\n')).toThrow(/needs the lines/);
  });
});
