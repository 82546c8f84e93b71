// Reads command blocks out of README.md, so tests run what a reader copies and cannot drift from it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from './cli.js';

/** The ```sh blocks of the README section `## heading` (up to the next `## `), in order. */
export async function readmeShBlocks(heading: string): Promise<string[]> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0] ?? '';
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  if (blocks.length === 0) throw new Error(`README has no \`\`\`sh block under "## ${heading}"`);
  return blocks;
}

/** The quickstart: the last ```sh block of "## Set up" (init --quickstart, run, list, restore, the stock-tools restore). */
export async function readmeQuickstart(): Promise<string> {
  const block = (await readmeShBlocks('Set up')).at(-1)!;
  if (!block.includes('init --quickstart')) throw new Error('the last ```sh block of "## Set up" is not the quickstart');
  return block;
}
