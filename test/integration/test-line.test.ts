// The README's test line is what CI runs, verbatim; the tools it installs come from one list, and a
// suite whose tool is missing fails naming the tool and its Debian package.
import { execa } from 'execa';
import { access, constants, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/cli.js';
import { shBlocks } from './support/markdown.js';
import { requireTool } from './support/require-tool.js';

describe('the README test line', () => {
  it('is one line in "## Set up", and .ci/run runs exactly that line', async () => {
    const lines = (await shBlocks('README.md', 'Set up'))
      .flatMap((b) => b.split('\n'))
      .filter((l) => /\bnpm test\b/.test(l));
    expect(lines).toEqual(['scripts/install-test-deps && npm ci && npm test']);
    const ci = (await readFile(join(ROOT, '.ci/run'), 'utf8')).split('\n');
    expect(ci.filter((l) => l === lines[0])).toHaveLength(1);
    await access(join(ROOT, 'scripts/install-test-deps'), constants.X_OK);
  });

  it('installs nothing when every tool is present (idempotent), and its list names acl, attr and libcap2-bin', async () => {
    const result = await execa(join(ROOT, 'scripts/install-test-deps'), [], { reject: false });
    expect({ exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr }).toEqual({
      exitCode: 0,
      stdout: '',
      stderr: '',
    });
    const script = await readFile(join(ROOT, 'scripts/install-test-deps'), 'utf8');
    for (const [command, pkg] of [
      ['setfacl', 'acl'],
      ['getfattr', 'attr'],
      ['setcap', 'libcap2-bin'],
      ['promtool', 'prometheus'],
    ]) {
      expect(script).toMatch(new RegExp(`^${command} +${pkg} `, 'm'));
    }
  });

  it('requireTool fails naming the missing tool and its package, and refuses a tool the list lacks', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(requireTool('jq', 'promtool')).rejects.toThrow(
        'missing jq (Debian package jq), promtool (Debian package prometheus): this suite needs it; run scripts/install-test-deps as root, or apt-get install jq prometheus',
      );
    } finally {
      process.env.PATH = path;
    }
    await expect(requireTool('jq')).resolves.toEqual([expect.stringMatching(/\/jq$/)]);
    await expect(requireTool('frobnicate')).rejects.toThrow(
      'requireTool: frobnicate not in scripts/install-test-deps: add the command and its Debian package to its TOOLS list',
    );
  });
});
