// Makes a suite whose tool is missing fail at once, naming the tool and the Debian package that
// provides it (from scripts/install-test-deps, the one list), instead of a confusing assertion later.
import { constants, readFileSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { ROOT } from './cli.js';

const SCRIPT = 'scripts/install-test-deps';

/** command -> Debian package, read from the TOOLS list of scripts/install-test-deps. */
function packages(): Map<string, string> {
  const text = readFileSync(join(ROOT, SCRIPT), 'utf8');
  const list = /^TOOLS='\n([\s\S]*?)^'/m.exec(text)?.[1];
  if (list === undefined) throw new Error(`${SCRIPT}: no TOOLS='...' list`);
  return new Map(
    list
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((f) => f.length >= 2)
      .map(([command, pkg]) => [command!, pkg!]),
  );
}

/** Where `command` is on PATH (or in an sbin directory), or undefined. */
async function locate(command: string): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'].filter(Boolean);
  for (const dir of dirs) {
    const path = join(dir, command);
    if (
      await access(path, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return path;
  }
  return undefined;
}

/**
 * Resolves to the path of each command; throws (failing the suite or test that called it) naming the
 * missing commands and their packages. A command missing from scripts/install-test-deps' list is an
 * error too: add it there, so a fresh machine gets it.
 */
export async function requireTool(...commands: string[]): Promise<string[]> {
  const known = packages();
  const unlisted = commands.filter((c) => !known.has(c));
  if (unlisted.length > 0)
    throw new Error(
      `requireTool: ${unlisted.join(', ')} not in ${SCRIPT}: add the command and its Debian package to its TOOLS list`,
    );
  const found = await Promise.all(commands.map(locate));
  const missing = commands.filter((_, i) => found[i] === undefined);
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((c) => known.get(c)!))];
    throw new Error(
      `missing ${missing.map((c) => `${c} (Debian package ${known.get(c)})`).join(', ')}: this suite needs it; run ${SCRIPT} as root, or apt-get install ${pkgs.join(' ')}`,
    );
  }
  return found as string[];
}
