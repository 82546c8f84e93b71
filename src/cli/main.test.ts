import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMMANDS, main } from './main.js';

/** Runs main with `args` and returns its exit code and what it printed. */
async function cli(...args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { exitCode: await main(['node', 'backup-agent', ...args]), stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('main', () => {
  it('lists every command of the table in --help, and each command lists its own flags', async () => {
    const help = await cli('--help');
    expect(help.exitCode).toBe(0);
    for (const command of COMMANDS) {
      expect(help.stdout).toContain(`  ${command.name} `);
      const own = await cli(command.name, '--help');
      expect(own.exitCode).toBe(0);
      for (const flag of command.flags) expect(own.stdout).toContain(flag.flags.split(' <')[0]);
    }
  });

  it('maps an error a command throws to its message on stderr and its exit code, in one place', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'backup-agent-main-'));
    try {
      const missing = await cli('-c', join(dir, 'missing.yml'), 'validate');
      expect(missing).toMatchObject({ exitCode: 2, stdout: '' });
      expect(missing.stderr).toMatch(/^backup-agent: config .*missing\.yml: cannot read: no such file/);
      const quickstart = await cli('init', '--quickstart', '--dir', dir, '--bucket', 'b');
      expect(quickstart).toMatchObject({
        exitCode: 2,
        stderr:
          'backup-agent: init --quickstart takes only --dir (not --bucket): it writes a local-destination config\n',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('answers usage errors with exit 2 and usage on stderr', async () => {
    const unknown = await cli('rn', '--help');
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'rn'");
    expect((await cli('schedule', '--print', 'x')).exitCode).toBe(2);
  });
});
