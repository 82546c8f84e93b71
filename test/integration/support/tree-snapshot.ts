// What a restore must bring back, path by path: name bytes, type, mode, owner, mtime (ns), bytes,
// hard-link identity, xattrs, ACLs, capabilities and allocated blocks. Read with the system's own
// tools (getfattr, getfacl, getcap), never with the code under test; reusable by any restore test.
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { execa } from 'execa';

/** Everything compared about one path. */
export interface PathFacts {
  type: 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'char' | 'block';
  mode: string;
  uid: number;
  gid: number;
  mtimeNs: string;
  size?: number;
  sha256?: string;
  /** Link target bytes (hex). */
  target?: string;
  /** 512-byte blocks allocated (regular files): a sparse file must stay sparse. */
  blocks?: number;
  /** Every path of the tree sharing this file's inode (hard links), itself included. */
  hardLinks?: string[];
  xattrs?: Record<string, string>;
  acl?: string;
  capabilities?: string;
}

/**
 * Facts per path under `root`, keyed by the path's bytes relative to `root` as a latin1 string
 * (`.` is the root): a key round-trips to the exact name bytes, so names are compared byte for byte.
 */
export type TreeSnapshot = Map<string, PathFacts>;

const TOOLS = [
  ['getfattr', 'attr'],
  ['setfattr', 'attr'],
  ['getfacl', 'acl'],
  ['setfacl', 'acl'],
  ['getcap', 'libcap2-bin'],
  ['setcap', 'libcap2-bin'],
] as const;

/** Throws naming the tool and its Debian package when one of the metadata tools is missing (tests fail, never skip). */
export async function assertMetadataTools(): Promise<void> {
  const missing: string[] = [];
  for (const [tool, pkg] of TOOLS) {
    const found = await execa('sh', ['-c', `command -v ${tool}`], { reject: false });
    if (found.exitCode !== 0) missing.push(`${tool} (Debian package ${pkg})`);
  }
  if (missing.length > 0)
    throw new Error(`metadata tests need ${missing.join(', ')}: apt-get install attr acl libcap2-bin`);
}

/** Reads every fact of every path under `root` (symlinks are not followed). */
export async function snapshotTree(root: string): Promise<TreeSnapshot> {
  await assertMetadataTools();
  const snapshot: TreeSnapshot = new Map();
  const inodes = new Map<bigint, string[]>();
  const visit = async (key: string): Promise<void> => {
    const path = pathOf(root, key);
    const stats = await lstat(path, { bigint: true });
    const facts: PathFacts = {
      type: typeOf(stats),
      mode: (stats.mode & 0o7777n).toString(8),
      uid: Number(stats.uid),
      gid: Number(stats.gid),
      mtimeNs: stats.mtimeNs.toString(),
    };
    snapshot.set(key, facts);
    if (stats.isFile()) {
      const bytes = await readFile(path);
      Object.assign(facts, {
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        blocks: Number(stats.blocks),
      });
      if (stats.nlink > 1n) inodes.set(stats.ino, [...(inodes.get(stats.ino) ?? []), key]);
    } else if (stats.isSymbolicLink()) {
      facts.target = (await readlink(path, { encoding: 'buffer' })).toString('hex');
    } else if (stats.isDirectory()) {
      const names = (await readdir(path, { encoding: 'buffer' })).map((name) => name.toString('latin1')).sort();
      for (const name of names) await visit(key === '.' ? name : `${key}/${name}`);
    }
  };
  await visit('.');
  for (const keys of inodes.values()) for (const key of keys) snapshot.get(key)!.hardLinks = [...keys].sort();
  for (const [key, xattrs] of await dumpXattrs(root)) (snapshot.get(key) ?? missingFacts(key)).xattrs = xattrs;
  for (const [key, acl] of await dumpAcls(root)) (snapshot.get(key) ?? missingFacts(key)).acl = acl;
  for (const [key, caps] of await dumpCapabilities(root)) (snapshot.get(key) ?? missingFacts(key)).capabilities = caps;
  return snapshot;
}

/** The differences between two snapshots, one line per path and fact (empty when they are equal). */
export function diffSnapshots(expected: TreeSnapshot, actual: TreeSnapshot): string[] {
  const differences: string[] = [];
  const show = (key: string) =>
    JSON.stringify(
      Buffer.from(key, 'latin1').toString('utf8') === key ? key : `bytes:${Buffer.from(key, 'latin1').toString('hex')}`,
    );
  for (const [key, facts] of expected) {
    const other = actual.get(key);
    if (other === undefined) {
      differences.push(`${show(key)}: missing`);
      continue;
    }
    for (const field of new Set([...Object.keys(facts), ...Object.keys(other)]) as Set<keyof PathFacts>) {
      const [a, b] = [JSON.stringify(facts[field]), JSON.stringify(other[field])];
      if (a !== b) differences.push(`${show(key)}: ${field} ${a} != ${b}`);
    }
  }
  for (const key of actual.keys()) if (!expected.has(key)) differences.push(`${show(key)}: not in the original`);
  return differences;
}

const pathOf = (root: string, key: string) =>
  key === '.' ? root : Buffer.concat([Buffer.from(`${root}/`), Buffer.from(key, 'latin1')]);

function typeOf(stats: {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
}): PathFacts['type'] {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'dir';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isFIFO()) return 'fifo';
  if (stats.isSocket()) return 'socket';
  return stats.isCharacterDevice() ? 'char' : 'block';
}

function missingFacts(key: string): never {
  throw new Error(`a metadata tool named ${JSON.stringify(key)}, which the walk did not find (a name quoting problem)`);
}

/** The tools print names relative to `.` (`./a/b`), with `\ooo` octal escapes and `\\`; raw bytes otherwise. */
function keyOf(printed: string): string {
  const raw = printed.replace(/\\([0-7]{3}|\\)/g, (_, escape: string) =>
    escape === '\\' ? '\\' : String.fromCharCode(Number.parseInt(escape, 8)),
  );
  return raw === '.' ? '.' : raw.replace(/^\.\//, '');
}

/** Runs a tool in `root`; its output as latin1 (every byte one character). */
async function run(root: string, file: string, args: string[]): Promise<string> {
  const result = await execa(file, args, { cwd: root, encoding: 'buffer', reject: false, env: { LC_ALL: 'C' } });
  if (result.exitCode !== 0)
    throw new Error(
      `${file} ${args.join(' ')} in ${root} exited ${result.exitCode}: ${Buffer.from(result.stderr).toString()}`,
    );
  return Buffer.from(result.stdout).toString('latin1');
}

/** Blocks of `# file: NAME` followed by lines, as getfattr -d and getfacl print them. */
function fileBlocks(text: string): Map<string, string[]> {
  const blocks = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    const file = /^# file: (.*)$/.exec(line);
    if (file) blocks.set(keyOf(file[1]!), (current = []));
    else if (line !== '' && current) current.push(line);
  }
  return blocks;
}

async function dumpXattrs(root: string): Promise<Map<string, Record<string, string>>> {
  const blocks = fileBlocks(
    await run(root, 'getfattr', [
      '--recursive',
      '--physical',
      '--no-dereference',
      '--dump',
      '--match=-',
      '--encoding=hex',
      '.',
    ]),
  );
  return new Map(
    [...blocks].map(([key, lines]) => [
      key,
      Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])),
    ]),
  );
}

async function dumpAcls(root: string): Promise<Map<string, string>> {
  const blocks = fileBlocks(await run(root, 'getfacl', ['--recursive', '--physical', '--numeric', '--skip-base', '.']));
  return new Map([...blocks].map(([key, lines]) => [key, lines.filter((l) => !/^# (owner|group):/.test(l)).join(' ')]));
}

async function dumpCapabilities(root: string): Promise<Map<string, string>> {
  const lines = (await run(root, 'getcap', ['-r', '.'])).split('\n').filter(Boolean);
  return new Map(
    lines.map((line) => [keyOf(line.slice(0, line.lastIndexOf(' '))), line.slice(line.lastIndexOf(' ') + 1)]),
  );
}
