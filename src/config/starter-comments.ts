// Puts the schema's description of each key above it in the starter config, so `init`'s comments are
// the reference's words and cannot drift from them.
import { configKeys, yamlValue, type ConfigKey } from './config-keys.js';
import { configSchema } from './schema.js';

const WIDTH = 100;
const MARKED = /^( *)(# )?( *)(.*?) *@([a-z_.[\]]+)$/;

let byPath: Map<string, ConfigKey> | undefined;

/** The documented key at `path` (`destination.bucket`, `assets[].paths`); under a union, its first variant's. */
export function documentedKey(path: string): ConfigKey {
  byPath ??= configKeys(configSchema).reduce(
    (map, key) => (map.has(key.path) ? map : map.set(key.path, key)),
    new Map<string, ConfigKey>(),
  );
  const key = byPath.get(path);
  if (key === undefined) throw new Error(`starter config: no config key ${path}`);
  return key;
}

/** `text` split into lines of at most `width` characters at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

/**
 * `template` with every line ending in ` @path` preceded by that key's description as comments (at the
 * line's indentation, commented out like the line). A marked line with nothing before the marker
 * becomes `key: example`. Throws naming a path the schema does not have.
 */
export function withKeyComments(template: string): string {
  return template
    .split('\n')
    .flatMap((line) => {
      const match = MARKED.exec(line);
      if (match === null) return [line];
      const [, indent = '', , inner = '', body = '', path = ''] = match;
      const key = documentedKey(path);
      const lead = `${indent}# ${inner}`;
      const comments = wrap(key.description ?? '', WIDTH - lead.length).map((chunk) => `${lead}${chunk}`);
      const written = body === '' ? `${path.split('.').at(-1)}: ${yamlValue(key.examples[0])}` : body;
      return [...comments, `${indent}${match[2] ?? ''}${inner}${written}`];
    })
    .join('\n');
}
