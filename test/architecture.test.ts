// The import graph keeps the layers of .dependency-cruiser.cjs (shared < config < ... < cli): no folder
// of src/ imports a higher one and no module imports itself in a circle. Fails listing every violation.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

/** Runs dependency-cruiser with the project's rules on `src` under `cwd`; its `err` report lists each violation. */
const cruise = (cwd: string) =>
  execa(process.execPath, [DEPCRUISE, 'src', '--config', CONFIG, '--output-type', 'err'], {
    cwd,
    reject: false,
    all: true,
  });

describe('architecture', () => {
  it('src/ imports only its own layer or lower ones, and nothing in a circle', async () => {
    const result = await cruise(ROOT);
    expect(result.all, 'dependency violations (rules and layers: .dependency-cruiser.cjs)').not.toMatch(/error /);
    expect(result.exitCode).toBe(0);
    // The graph was really read (a resolution failure would cruise nothing and find nothing).
    const [, modules = '0', dependencies = '0'] = /(\d+) modules, (\d+) dependencies cruised/.exec(result.all) ?? [];
    expect(Number(modules)).toBeGreaterThan(100);
    expect(Number(dependencies)).toBeGreaterThan(300);
  });

  it('names an upward import and a circle when the code has them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ba-architecture-'));
    try {
      await writeFile(
        join(dir, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }),
      );
      for (const folder of ['layout', 'backup', 'catalog']) await mkdir(join(dir, 'src', folder), { recursive: true });
      await writeFile(
        join(dir, 'src/layout/keys.ts'),
        "import { writeRun } from '../backup/write-run.js';\nexport const key = writeRun;\n",
      );
      await writeFile(join(dir, 'src/backup/write-run.ts'), 'export const writeRun = 1;\n');
      await writeFile(join(dir, 'src/catalog/a.ts'), "import { b } from './b.js';\nexport const a = () => b;\n");
      await writeFile(join(dir, 'src/catalog/b.ts'), "import { a } from './a.js';\nexport const b = () => a;\n");
      const result = await cruise(dir);
      expect(result.exitCode).not.toBe(0);
      expect(result.all).toContain('layer-layout: src/layout/keys.ts → src/backup/write-run.ts');
      expect(result.all).toMatch(/no-circular: src\/catalog\/a\.ts → \s*src\/catalog\/b\.ts/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
