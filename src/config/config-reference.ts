// The key reference of docs/config.md, generated from the config schema: `npm run docs` writes it between
// the markers, and a test fails when the committed page differs from what this produces.
import { configKeys, yamlValue, type ConfigKey } from './config-keys.js';
import { configSchema } from './schema.js';

/** The markers around the generated part of docs/config.md; the text outside them is hand-written. */
export const GENERATED_BEGIN =
  '<!-- BEGIN GENERATED from src/config/schema.ts by `npm run docs`: edit the schema, not this block -->';
export const GENERATED_END = '<!-- END GENERATED -->';

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const code = (text: string) => (text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``);

function row(key: ConfigKey): string {
  const example = key.examples.length > 0 ? code(yamlValue(key.examples[0])) : '';
  const defaultText = key.default === undefined ? '' : key.default === 'required' ? '**required**' : code(key.default);
  const type = key.isSection ? 'section (below)' : key.type;
  return `| ${[code(key.path), type, defaultText, key.description ?? '', example].map(cell).join(' | ')} |`;
}

/** The tables of every key, one per section, as markdown (without the markers). */
export function configReference(): string {
  const sections = new Map<string, ConfigKey[]>();
  for (const key of configKeys(configSchema)) {
    const rows = sections.get(key.section) ?? [];
    rows.push(key);
    sections.set(key.section, rows);
  }
  const parts = [...sections].map(([section, keys]) =>
    [
      `### ${section === '' ? 'Top level' : section}`,
      '',
      '| Key | Type | Default | Description | Example |',
      '|---|---|---|---|---|',
      ...keys.map(row),
    ].join('\n'),
  );
  return parts.join('\n\n');
}

/**
 * `page` (docs/config.md) with the text between the markers replaced by {@link configReference}.
 * Throws when a marker is missing: the hand-written page must say where the reference goes.
 */
export function withGeneratedReference(page: string): string {
  const begin = page.indexOf(GENERATED_BEGIN);
  const end = page.indexOf(GENERATED_END);
  if (begin < 0 || end < begin)
    throw new Error(`docs/config.md needs the lines ${GENERATED_BEGIN} and ${GENERATED_END}`);
  return `${page.slice(0, begin + GENERATED_BEGIN.length)}\n\n${configReference()}\n\n${page.slice(end)}`;
}
