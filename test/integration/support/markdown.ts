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
  const section = text
    .split('\n')
    .slice(start.line + 1, end)
    .join('\n');
  const blocks = [...section.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
  if (blocks.length === 0) throw new Error(`${file} has no \`\`\`sh block under "${heading}"`);
  return blocks;
}

/** The quickstart: the last ```sh block of the README's "Set up" (init --quickstart, run, list, restore, the stock-tools restore). */
export async function readmeQuickstart(): Promise<string> {
  const block = (await shBlocks('README.md', 'Set up')).at(-1)!;
  if (!block.includes('init --quickstart'))
    throw new Error('the last ```sh block of the README\'s "Set up" is not the quickstart');
  return block;
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens. */
export function headingAnchor(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor of a markdown text, numbered as GitHub numbers repeated headings (`x`, `x-1`, ...). */
export function markdownAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  for (const { text: heading } of markdownHeadings(text)) {
    const base = headingAnchor(heading);
    let anchor = base;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

/** The targets of the inline links `[text](target)` of a markdown text, outside fenced and inline code. */
export function markdownLinks(text: string): string[] {
  return fencedLines(text).flatMap(({ line, fenced }) => {
    if (fenced) return [];
    const prose = line.replace(/(`+)[^`]*?\1/g, '');
    return [...prose.matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
  });
}
