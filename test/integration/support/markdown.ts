// Reads headings and command blocks out of README.md and docs/*.md, so tests run what a reader copies
// and the docs' links and anchors cannot drift from the text they point at.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from './cli.js';

/** One heading outside fenced code: its level (number of #), text, and the line it is on (0-based). */
export interface Heading {
  level: number;
  text: string;
  line: number;
}

/** The lines of `text`, each marked whether it lies inside a fenced code block (fence lines count as inside). */
function fencedLines(text: string): { line: string; fenced: boolean }[] {
  let open = false;
  return text.split('\n').map((line) => {
    const fence = /^\s*```/.test(line);
    const fenced = open || fence;
    if (fence) open = !open;
    return { line, fenced };
  });
}

/** The headings of a markdown text, skipping `#` lines inside fenced code (shell comments). */
export function markdownHeadings(text: string): Heading[] {
  return fencedLines(text).flatMap(({ line, fenced }, index) => {
    const match = fenced ? null : /^(#{1,6}) +(.+?) *#*$/.exec(line);
    return match ? [{ level: match[1]!.length, text: match[2]!, line: index }] : [];
  });
}

/**
 * The ```sh blocks under the heading `heading` (any level) of the repository file `file`, up to the
 * next heading of the same or a higher level, in order. Throws naming the file when there are none.
 */
export async function shBlocks(file: string, heading: string): Promise<string[]> {
  const text = await readFile(join(ROOT, file), 'utf8');
  const headings = markdownHeadings(text);
  const start = headings.find((h) => h.text === heading);
  if (!start) throw new Error(`${file} has no heading "${heading}"`);
  const end = headings.find((h) => h.line > start.line && h.level <= start.level)?.line;
  const section = text.split('\n').slice(start.line + 1, end).join('\n');
  const blocks = [...section.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
  if (blocks.length === 0) throw new Error(`${file} has no \`\`\`sh block under "${heading}"`);
  return blocks;
}

/** The quickstart: the last ```sh block of the README's "Set up" (init --quickstart, run, list, restore, the stock-tools restore). */
export async function readmeQuickstart(): Promise<string> {
  const block = (await shBlocks('README.md', 'Set up')).at(-1)!;
  if (!block.includes('init --quickstart')) throw new Error('the last ```sh block of the README\'s "Set up" is not the quickstart');
  return block;
}
