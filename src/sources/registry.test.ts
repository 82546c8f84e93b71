import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceOf, sources } from './registry.js';

const SRC = join(import.meta.dirname, '..');

/** Every non-test module under src/, as [path relative to src, text]. */
async function modules(): Promise<[string, string][]> {
  const names = (await readdir(SRC, { recursive: true })).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'));
  return Promise.all(names.map(async (n) => [n, await readFile(join(SRC, n), 'utf8')] as [string, string]));
}

describe('the source registry', () => {
  it('finds each source by its type, and none for an unknown type', () => {
    expect(sources.map((s) => s.type)).toEqual(['files', 'mysql', 'mysql-physical', 'mysql-binlog']);
    expect(sourceOf('mysql')?.restoreFlags.map((f) => f.flags)).toContain('--db-host <host>');
    expect(sourceOf('postgresql')).toBeUndefined();
  });

  it('is the only place that knows the asset types: no module outside a source folder branches on them', async () => {
    const types = sources.map((s) => s.type).join('|');
    const branch = new RegExp(`\\.type\\s*[!=]==\\s*'(${types})'|case '(${types})':`);
    const offenders = (await modules())
      .filter(([name, text]) => !sources.some((s) => name.startsWith(`sources/${s.type}/`)) && branch.test(text))
      .map(([name]) => name);
    expect(offenders).toEqual([]);
  });
});

describe('child processes', () => {
  it('are started by src/shared/child-process.ts alone', async () => {
    const importers = (await modules())
      .filter(([, text]) => text.includes("from 'execa'"))
      .map(([name]) => relative('.', name));
    expect(importers).toEqual([join('shared', 'child-process.ts')]);
  });
});
