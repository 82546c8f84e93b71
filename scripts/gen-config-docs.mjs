// Regenerates the key reference in docs/config.md from the config schema (`npm run docs`, after tsc has
// compiled src/ to dist/): the text between the GENERATED markers is replaced, the rest is kept.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { withGeneratedReference } from '../dist/config/config-reference.js';

const page = fileURLToPath(new URL('../docs/config.md', import.meta.url));
const before = await readFile(page, 'utf8');
const after = withGeneratedReference(before);
if (after === before) {
  console.log('docs/config.md is up to date');
} else {
  await writeFile(page, after);
  console.log('docs/config.md regenerated from src/config/schema.ts');
}
