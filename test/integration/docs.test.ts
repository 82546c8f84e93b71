// The README stays a door (short, with links) and the docs hold together: every relative link in
// README.md, docs/ and the example READMEs reaches a file, and every #anchor a heading of it.
import { access, readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/cli.js';
import { markdownAnchors, markdownHeadings, markdownLinks } from './support/markdown.js';

const docsPages = async () =>
  (await readdir(join(ROOT, 'docs')))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
const markdownFiles = async () => [
  'README.md',
  ...(await docsPages()),
  'examples/ansible/README.md',
  'examples/chef/backup_agent/README.md',
];
const read = (file: string) => readFile(join(ROOT, file), 'utf8');

/** What is wrong with one relative link of `file` (undefined when it reaches its file and anchor). */
async function brokenLink(file: string, target: string): Promise<string | undefined> {
  const [path = '', anchor] = target.split('#');
  const resolved = path === '' ? join(ROOT, file) : join(ROOT, dirname(file), decodeURIComponent(path));
  try {
    await access(resolved);
  } catch {
    return `${file}: link ${target}: no file ${relative(ROOT, resolved)}`;
  }
  if (anchor === undefined) return undefined;
  if (!resolved.endsWith('.md')) return `${file}: link ${target}: an anchor into a file that is not markdown`;
  const anchors = markdownAnchors(await readFile(resolved, 'utf8'));
  return anchors.has(anchor)
    ? undefined
    : `${file}: link ${target}: ${relative(ROOT, resolved)} has no heading with anchor #${anchor}`;
}

describe('README and docs', () => {
  it('README.md stays at most 220 lines and links to every page in docs/', async () => {
    const readme = await read('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(220);
    const linked = new Set(markdownLinks(readme).map((t) => t.split('#')[0]));
    const pages = await docsPages();
    expect(pages.length).toBeGreaterThan(0);
    expect(pages.filter((page) => !linked.has(page))).toEqual([]);
  });

  it('every docs page opens with its title and a paragraph saying what it is for', async () => {
    for (const page of await docsPages()) {
      const [title, blank, purpose] = (await read(page)).split('\n');
      expect({ page, title: /^# \S/.test(title ?? ''), blank, purpose: /^[A-Z`]/.test(purpose ?? '') }).toEqual({
        page,
        title: true,
        blank: '',
        purpose: true,
      });
    }
  });

  it('every relative link reaches an existing file, and every #anchor a heading in it', async () => {
    const problems: string[] = [];
    let checked = 0;
    for (const file of await markdownFiles()) {
      for (const target of markdownLinks(await read(file))) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: ...
        checked++;
        const problem = await brokenLink(file, target);
        if (problem) problems.push(problem);
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });

  it('the link checker itself sees a missing file, a missing anchor and numbered repeated headings', async () => {
    expect(await brokenLink('README.md', 'docs/nope.md')).toBe('README.md: link docs/nope.md: no file docs/nope.md');
    expect(await brokenLink('README.md', '#no-such-heading')).toBe(
      'README.md: link #no-such-heading: README.md has no heading with anchor #no-such-heading',
    );
    expect(await brokenLink('README.md', '#exit-codes')).toBeUndefined();
    expect([
      ...markdownAnchors('# A\n\n```sh\n# not a heading\n```\n## Lock waits (MySQL)\n## `x` y\n## `x` y\n'),
    ]).toEqual(['a', 'lock-waits-mysql', 'x-y', 'x-y-1']);
    expect(markdownHeadings('```sh\n# comment\n```\n### Three\n')).toEqual([{ level: 3, text: 'Three', line: 3 }]);
  });
});
