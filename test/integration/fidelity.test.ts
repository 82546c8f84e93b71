// What a restore brings back is what was there: a tree of real system files plus every hard case
// (xattrs, ACLs, capabilities, a 1 GiB sparse file, special files and modes, old times, odd names),
// backed up with put-only credentials to moto, restored by `backup-agent restore` and by the stock
// command of docs/restore.md, and compared path by path with the original.
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, writeConfig } from './support/cli.js';
import { makeFidelityTree } from './support/fidelity-tree.js';
import { createIamUser } from './support/iam.js';
import { shBlocks } from './support/markdown.js';
import { startMoto, type MotoCredentials, type MotoServer } from './support/moto.js';
import { diffSnapshots, snapshotTree, type TreeSnapshot } from './support/tree-snapshot.js';
import { ifStarted } from './support/if-started.js';

let moto: MotoServer;
let work: string;
let source: string;
let original: TreeSnapshot;
let config: string;
let operator: MotoCredentials;
let readerKey: string;
let keys: Record<string, string>;

beforeAll(async () => {
  moto = await startMoto();
  work = await mkdtemp(join(tmpdir(), 'ba-fidelity-'));
  await chmod(work, 0o755);
  source = await makeFidelityTree(join(work, 'src'));
  original = await snapshotTree(source);
  const writerKey = await moto.writeKeyFile(moto.putOnly, work);
  config = await writeConfig(work, {
    host: 'fidelity',
    state_dir: join(work, 'state'),
    destination: {
      type: 's3',
      bucket: moto.bucket,
      region: moto.region,
      endpoint: moto.endpoint,
      force_path_style: true,
      prefix: moto.prefix,
      credentials: { key_file: writerKey },
    },
    retention: { daily: 7 },
    assets: [
      { name: 'tree', type: 'files', paths: [source] },
      { name: 'meta', type: 'files', paths: [join(source, 'meta')] },
      { name: 'plain', type: 'files', paths: [join(source, 'meta')], metadata: { xattrs: false, acls: false } },
    ],
  });
  const printed = await runCli(['policy', '--restore', '-c', config]);
  operator = await createIamUser(
    moto,
    'fidelity-operator',
    (JSON.parse(printed.stdout) as { Statement: Record<string, unknown>[] }).Statement,
  );
  readerKey = await moto.writeKeyFile(operator, work);
  const result = await runCli(['run', '-c', config, '--json']);
  expect(result.exitCode, result.stderr).toBe(0);
  const report = JSON.parse(result.stdout) as {
    artifacts: {
      asset: string;
      key: string;
      status: string;
      bytes_read: number;
      skipped: unknown[];
      warnings: unknown[];
    }[];
  };
  for (const artifact of report.artifacts)
    expect(artifact, JSON.stringify(artifact)).toMatchObject({ status: 'ok', skipped: [], warnings: [] });
  // The 1 GiB sparse file is read as its 64 KiB of data: the whole archive is the size of the real files.
  expect(report.artifacts.find((a) => a.asset === 'tree')!.bytes_read).toBeLessThan(64 * 1024 * 1024);
  keys = Object.fromEntries(report.artifacts.map((a) => [a.asset, a.key]));
}, 300_000);
afterAll(async () => {
  await ifStarted(moto)?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const restoreArgs = (asset: string, to: string) => [
  'restore',
  '-c',
  config,
  '--credentials-file',
  readerKey,
  '--asset',
  asset,
  '--latest',
  '--host',
  'fidelity',
  '--to',
  to,
];

/** The stock-tools block of docs/restore.md ("## Without the agent"), run with the aws CLI (pointed at moto) as the operator. */
async function stockRestore(key: string, target: string): Promise<void> {
  const block = (await shBlocks('docs/restore.md', 'Without the agent'))[0]!;
  const command = block
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n')
    .replace(/s3:\/\/acme-backups\/\S+\.tar\.zst/, `s3://${moto.bucket}/${key}`)
    .replaceAll('/srv/restore', target);
  expect(command).toContain(target);
  await mkdir(target);
  const result = await execa(
    'bash',
    ['-e', '-o', 'pipefail', '-c', `aws() { command aws --endpoint-url "$MOTO_ENDPOINT" "$@"; }\n${command}`],
    {
      reject: false,
      timeout: 240_000,
      env: {
        MOTO_ENDPOINT: moto.endpoint,
        AWS_ACCESS_KEY_ID: operator.accessKeyId,
        AWS_SECRET_ACCESS_KEY: operator.secretAccessKey,
        AWS_DEFAULT_REGION: moto.region,
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
    },
  );
  expect(result.exitCode, result.stderr).toBe(0);
}

describe('files fidelity: everything that was there comes back', () => {
  it('backup-agent restore: bytes, types, modes, owners, mtimes (ns), hard links, xattrs, ACLs, capabilities, sparse blocks, name bytes', async () => {
    const target = join(work, 'by-agent');
    const result = await runCli(restoreArgs('tree', target));
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('warning');
    expect(diffSnapshots(original, await snapshotTree(join(target, source.slice(1))))).toEqual([]);
    // The comparison saw the hard cases (a snapshot that lost them would be equal to nothing).
    const facts = (path: string) => original.get(path)!;
    expect(facts('meta/user-xattr').xattrs).toMatchObject({
      'user.comment': expect.any(String) as string,
      'user.binary': '0x00ff10',
    });
    expect(facts('meta/trusted-xattr').xattrs).toHaveProperty('trusted.origin');
    expect(facts('meta/selinux-label').xattrs).toHaveProperty('security.selinux');
    expect(facts('meta/acl-file').acl).toContain('user:65534:rw-');
    expect(facts('meta/acl-dir').acl).toContain('default:user:65534:r-x');
    expect(facts('meta/cap-bin').capabilities).toMatch(/cap_net_bind_service,cap_net_raw=ep/);
    expect(facts('sparse/disk.img')).toMatchObject({ size: 1024 ** 3, blocks: expect.any(Number) as number });
    expect(facts('sparse/disk.img').blocks!).toBeLessThan(1024);
    expect(facts('special/hard-a').hardLinks).toEqual([
      'special/hard-a',
      'special/hard-b',
      'special/setgid-dir/hard-c',
    ]);
    expect(facts('special/pre-1970').mtimeNs).toBe(
      String(BigInt(Date.UTC(1960, 5, 15, 12, 34, 56)) * 1_000_000n + 123_456_789n),
    );
    expect([facts('special/fifo').type, facts('special/setuid').mode, facts('special/sticky-dir').mode]).toEqual([
      'fifo',
      '4755',
      '1777',
    ]);
    expect(original.has('names/caf\xe9.txt')).toBe(true); // keys are name bytes as latin1
    expect(original.has('names/dir\xff/inside')).toBe(true);
    expect(original.has('names/new\nline')).toBe(true);
    expect(original.size).toBeGreaterThan(1500);
  }, 300_000);

  it('the stock command of docs/restore.md (aws s3 cp | zstd -d | tar -x ...) brings back the same', async () => {
    const target = join(work, 'by-stock-tools');
    await stockRestore(keys.tree!, target);
    expect(diffSnapshots(original, await snapshotTree(join(target, source.slice(1))))).toEqual([]);
  }, 300_000);

  it('as a user other than root: user xattrs and ACLs come back; trusted.* and capabilities are named as not restored', async () => {
    const dir = join(work, 'as-nobody');
    await mkdir(dir);
    const key = join(dir, 'reader.ini');
    await writeFile(key, await readFile(readerKey), { mode: 0o600 });
    await chown(key, 65534, 65534);
    await chown(dir, 65534, 65534);
    const target = join(dir, 'restored');
    const args = restoreArgs('meta', target).map((a) => (a === readerKey ? key : a));
    const result = await execa('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', BIN, ...args], {
      reject: false,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const warnings = result.stderr.split('\n').filter((l) => l.startsWith('backup-agent: warning: '));
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^backup-agent: warning: extended attribute trusted\.origin not restored on 1 file \(.*meta\/trusted-xattr\): operation not permitted: restore as root to keep it$/,
        ),
        expect.stringMatching(
          /^backup-agent: warning: extended attribute security\.capability not restored on 1 file \(.*meta\/cap-bin\): operation not permitted: restore as root to keep it$/,
        ),
      ]),
    );
    const restored = await snapshotTree(join(target, source.slice(1), 'meta'));
    expect(restored.get('user-xattr')!.xattrs).toEqual(original.get('meta/user-xattr')!.xattrs);
    expect(restored.get('acl-file')!.acl).toBe(original.get('meta/acl-file')!.acl);
    expect(restored.get('acl-dir')!.acl).toBe(original.get('meta/acl-dir')!.acl);
    expect(restored.get('cap-bin')!.capabilities).toBeUndefined();
    expect(restored.get('acl-file')!.uid).toBe(65534);
  }, 120_000);

  it('a filesystem without ACLs (ramfs): the restore is refused, since files would come back more accessible; nothing is left', async () => {
    const mountpoint = join(work, 'ramfs');
    await mkdir(mountpoint);
    const mounted = await execa('mount', ['-t', 'ramfs', 'ramfs', mountpoint], { reject: false });
    if (mounted.exitCode !== 0)
      throw new Error(`this test needs root to mount a ramfs (a filesystem without ACLs): ${mounted.stderr}`);
    try {
      const result = await runCli(restoreArgs('meta', join(mountpoint, 'restored')));
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(
        /POSIX ACLs could not be set here \(operation not supported, e\.g\. on .+\) and 3 files of the backup have ACLs \(\S*meta\/acl-dir\/, \S*meta\/acl-dir\/inherited, \S*meta\/acl-file\): without them they would be more accessible than before; nothing was restored: restore onto a filesystem with POSIX ACLs/,
      );
      expect(await readdir(mountpoint)).toEqual([]);
    } finally {
      await execa('umount', [mountpoint]);
    }
  }, 120_000);

  it('metadata: { xattrs: false, acls: false } stores neither (the ACL file then comes back with its mask as group bits)', async () => {
    const target = join(work, 'plain');
    const result = await runCli(restoreArgs('plain', target));
    expect(result.exitCode, result.stderr).toBe(0);
    const restored = await snapshotTree(join(target, source.slice(1), 'meta'));
    expect(restored.get('user-xattr')!.xattrs).toBeUndefined();
    expect(restored.get('acl-file')!.acl).toBeUndefined();
    expect(restored.get('acl-file')!.mode).toBe('660');
    expect(restored.get('cap-bin')!.capabilities).toBeUndefined();
  }, 120_000);
});
