// list and restore of files backups end to end: put-only writer, read-only restorer (policy --restore), real moto.
import { existsSync } from 'node:fs';
import { chmod, chown, lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type MotoServer } from './support/moto.js';
import { runCli, writeConfig } from './support/cli.js';
import { corruptObject, createRestorer, uploadWithManifest } from './support/operator.js';
import { describeTree, makeTree } from './support/tree.js';
import { ifStarted } from './support/if-started.js';

let moto: MotoServer;
let work: string;
let writerKey: string;
let readerKey: string;
let source: string;

function s3Config(host: string, extra: Record<string, unknown> = {}) {
  return {
    host,
    state_dir: join(work, host, 'state'),
    destination: {
      type: 's3',
      bucket: moto.bucket,
      region: moto.region,
      endpoint: moto.endpoint,
      force_path_style: true,
      prefix: moto.prefix,
      credentials: { key_file: writerKey },
    },
    assets: [{ name: 'www', type: 'files', paths: [join(source, 'www')] }],
    ...extra,
  };
}

async function configFile(host: string, extra: Record<string, unknown> = {}): Promise<string> {
  const dir = join(work, host);
  await mkdir(dir, { recursive: true });
  return writeConfig(dir, s3Config(host, extra));
}

interface Report {
  manifest_key: string;
  artifacts: { key: string; status: string }[];
}

async function backup(config: string): Promise<Report> {
  const result = await runCli(['run', '-c', config, '--json']);
  expect(result.exitCode, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Report;
}

beforeAll(async () => {
  moto = await startMoto();
  work = await mkdtemp(join(tmpdir(), 'ba-restore-'));
  await chmod(work, 0o755);
  writerKey = await moto.writeKeyFile(moto.putOnly, work);
  source = await makeTree(join(work, 'src'));
  await chown(join(source, 'www/secret.conf'), 1234, 2345); // owners come back too (the tests run as root)
  readerKey = await createRestorer(moto, await configFile('policy-host'), work);
});
afterAll(async () => {
  await ifStarted(moto)?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('list and restore of a files backup', () => {
  it('round trip: bytes, modes, mtimes, symlinks and empty dirs identical; by --latest and by KEY', async () => {
    const config = await configFile('web-1');
    const report = await backup(config);
    const key = report.artifacts[0]!.key;

    const listed = await runCli(['list', '-c', config, '--credentials-file', readerKey]);
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(
      new RegExp(
        `^host web-1\\n  www \\(files\\)\\n    \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}Z  \\w+ +\\d+\\.\\d (KiB|MiB)  ok       ${key}$`,
        'm',
      ),
    );
    const json = JSON.parse(
      (await runCli(['list', '-c', config, '--credentials-file', readerKey, '--json', '--host', 'web-1'])).stdout,
    ) as { key: string; sha256: string; status: string }[];
    expect(json).toEqual([
      expect.objectContaining({ host: 'web-1', asset: 'www', key, status: 'ok', manifest_key: report.manifest_key }),
    ]);

    const expected = await describeTree(join(source, 'www'));
    const latest = join(work, 'restored-latest');
    const restored = await runCli([
      'restore',
      '-c',
      config,
      '--credentials-file',
      readerKey,
      '--asset',
      'www',
      '--latest',
      '--to',
      latest,
    ]);
    expect(restored.exitCode, restored.stderr).toBe(0);
    expect(restored.stdout).toContain(`restored files "www" of web-1`);
    expect(await describeTree(join(latest, source.slice(1), 'www'))).toEqual(expected);
    expect(expected.map((e) => e.path)).toEqual(expect.arrayContaining(['empty-dir', 'current', 'dangling', 'run.sh']));
    expect((await readdir(latest)).filter((n) => n.startsWith('.'))).toEqual([]); // no staging dir left
    const owner = await lstat(join(latest, source.slice(1), 'www/secret.conf'));
    expect([owner.uid, owner.gid]).toEqual([1234, 2345]);

    const byKey = join(work, 'restored-key');
    const again = await runCli(['restore', key, '-c', config, '--credentials-file', readerKey, '--to', byKey]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(await describeTree(join(byKey, source.slice(1), 'www'))).toEqual(expected);

    // A non-empty target is refused without --force (exit 2) and left as it was; --force merges into it.
    const busy = join(work, 'busy');
    await mkdir(busy);
    await writeFile(join(busy, 'keep.txt'), 'mine');
    const refused = await runCli(['restore', key, '-c', config, '--credentials-file', readerKey, '--to', busy]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(
      `--to ${busy}: the directory is not empty: restore into an empty or new directory, or pass --force`,
    );
    expect(await readdir(busy)).toEqual(['keep.txt']);
    const forced = await runCli([
      'restore',
      key,
      '-c',
      config,
      '--credentials-file',
      readerKey,
      '--to',
      busy,
      '--force',
    ]);
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(await describeTree(join(busy, source.slice(1), 'www'))).toEqual(expected);
    expect(existsSync(join(busy, 'keep.txt'))).toBe(true);
  });

  it('the put-only host key can neither list nor restore: AccessDenied explained, nothing written', async () => {
    const config = await configFile('web-2');
    await backup(config);
    const listed = await runCli(['list', '-c', config, '--credentials-file', writerKey]);
    expect(listed.exitCode).toBe(1);
    expect(listed.stderr).toContain(
      `ListObjectsV2 denied (AccessDenied) for the credentials from --credentials-file ${writerKey}: they need s3:ListBucket on arn:aws:s3:::${moto.bucket}`,
    );
    const target = join(work, 'denied');
    const restored = await runCli([
      'restore',
      '-c',
      config,
      '--credentials-file',
      writerKey,
      '--asset',
      'www',
      '--latest',
      '--to',
      target,
    ]);
    expect(restored.exitCode).toBe(1);
    expect(restored.stderr).toContain('s3:ListBucket');
    expect(existsSync(target)).toBe(false);
  });

  it('restore.credentials in the config is used when no flag is given (never the host key)', async () => {
    const config = await configFile('web-3', { restore: { credentials: { key_file: readerKey } } });
    await backup(config);
    const listed = await runCli(['list', '-c', config, '--host', 'web-3']);
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('host web-3');
  });

  it('list covers the whole fleet in the bucket: every host, grouped and sorted; --asset and --since filter', async () => {
    const all = await runCli(['list', '-c', await configFile('web-1'), '--credentials-file', readerKey, '--json']);
    expect(all.exitCode, all.stderr).toBe(0);
    const rows = JSON.parse(all.stdout) as { host: string; asset: string; started_at: string }[];
    expect([...new Set(rows.map((r) => r.host))].sort()).toEqual(expect.arrayContaining(['web-1', 'web-2', 'web-3']));
    const text = await runCli(['list', '-c', await configFile('web-1'), '--credentials-file', readerKey]);
    const hosts = [...text.stdout.matchAll(/^host (\S+)$/gm)].map((m) => m[1]);
    expect(hosts).toEqual([...hosts].sort());
    expect(hosts.length).toBeGreaterThanOrEqual(3);
    const none = await runCli([
      'list',
      '-c',
      await configFile('web-1'),
      '--credentials-file',
      readerKey,
      '--asset',
      'nope',
    ]);
    expect(none.stdout).toBe('no backups found');
    const future = await runCli([
      'list',
      '-c',
      await configFile('web-1'),
      '--credentials-file',
      readerKey,
      '--since',
      '2099-01-01',
    ]);
    expect(future.stdout).toBe('no backups found');
  });

  it('a corrupted object (one byte flipped) is refused with the sha256 mismatch; partial output removed', async () => {
    const config = await configFile('web-4', { compression: { algorithm: 'none' } });
    const {
      artifacts: [artifact],
    } = await backup(config);
    await corruptObject(moto, artifact!.key, 5000);
    const target = join(work, 'corrupt');
    const restored = await runCli([
      'restore',
      artifact!.key,
      '-c',
      config,
      '--credentials-file',
      readerKey,
      '--to',
      target,
    ]);
    expect(restored.exitCode).toBe(1);
    expect(restored.stderr).toMatch(
      new RegExp(
        `s3://${moto.bucket}/${artifact!.key}: sha256 mismatch: the stored bytes hash to [0-9a-f]{64}, the manifest says [0-9a-f]{64} \\(the object is corrupted or was replaced\\)`,
      ),
    );
    expect(existsSync(target)).toBe(false);
  });

  it('an archive with device nodes (made by GNU tar as root) is refused with UNSAFE_ARCHIVE naming them; nothing is written, no node is created', async () => {
    const tree = join(work, 'devices');
    await mkdir(join(tree, 'srv/app'), { recursive: true });
    await writeFile(join(tree, 'srv/app/ok.txt'), 'fine\n');
    await execa('mkfifo', [join(tree, 'srv/app/fifo')]); // FIFOs are allowed
    await execa('mknod', ['-m', '0666', join(tree, 'srv/app/null'), 'c', '1', '3']);
    await execa('mknod', ['-m', '0666', join(tree, 'srv/app/disk'), 'b', '7', '0']);
    await writeFile(join(tree, 'srv/app/later.bin'), Buffer.alloc(32 * 1024 * 1024)); // extracted after the nodes: a window to look
    const crafted = join(work, 'devices.tar');
    await execa('tar', [
      '--format=posix',
      '-cf',
      crafted,
      '-C',
      tree,
      'srv/app/ok.txt',
      'srv/app/fifo',
      'srv/app/null',
      'srv/app/disk',
      'srv/app/later.bin',
    ]);
    const key = `${moto.prefix}daily/2026-11-02/dev-host/www/20261102T000000Z.tar`;
    await uploadWithManifest(moto, {
      host: 'dev-host',
      asset: 'www',
      type: 'files',
      key,
      body: await readFile(crafted),
      startedAt: '2026-11-02T00:00:00.000Z',
    });
    const config = await configFile('dev-host');
    const target = join(work, 'dev-target');
    const watcher = execa(
      'sh',
      ['-c', `while :; do find "${target}" \\( -type c -o -type b \\) -print 2>/dev/null; sleep 0.01; done`],
      { reject: false },
    );
    const restored = await runCli(['restore', key, '-c', config, '--credentials-file', readerKey, '--to', target]);
    watcher.kill('SIGKILL');
    expect(restored.exitCode).toBe(1);
    expect(restored.stderr).toContain(
      `backup-agent: files "www" from s3://${moto.bucket}/${key}: refused: the archive has members that are not regular files, directories, symlinks, hard links or FIFOs (`,
    );
    expect(restored.stderr).toMatch(
      /\((block device srv\/app\/disk, character device srv\/app\/null|character device srv\/app\/null, block device srv\/app\/disk)\); backup-agent never writes them; nothing was restored/,
    );
    expect(existsSync(target)).toBe(false);
    // As root, tar ran without CAP_MKNOD: no device node existed even in the staging directory.
    expect((await watcher).stdout).toBe('');
  });

  it('a crafted archive (absolute names, ../, a symlink out and a member through it) is refused; nothing written outside', async () => {
    const outside = join(work, 'outside');
    await mkdir(outside);
    const crafted = join(work, 'evil.tar');
    await execa('python3', [
      '-c',
      `
import io, sys, tarfile
t = tarfile.open(sys.argv[1], 'w', format=tarfile.PAX_FORMAT)
def add(name, data=b'pwned\\n', kind=tarfile.REGTYPE, link=''):
    i = tarfile.TarInfo(name); i.type = kind; i.linkname = link
    if kind == tarfile.REGTYPE:
        i.size = len(data); t.addfile(i, io.BytesIO(data))
    else:
        t.addfile(i)
add('ok.txt', b'fine\\n')
add(sys.argv[2] + '/abs.txt')
add('../' * 12 + sys.argv[2][1:] + '/dotdot.txt')
add('evil', kind=tarfile.SYMTYPE, link=sys.argv[2])
add('evil/through.txt')
t.close()
`,
      crafted,
      outside,
    ]);
    const key = `${moto.prefix}daily/2026-11-01/evil-host/www/20261101T000000Z.tar`;
    await uploadWithManifest(moto, {
      host: 'evil-host',
      asset: 'www',
      type: 'files',
      key,
      body: await readFile(crafted),
      startedAt: '2026-11-01T00:00:00.000Z',
    });
    const config = await configFile('evil-host');
    const target = join(work, 'evil-target');
    const restored = await runCli(['restore', key, '-c', config, '--credentials-file', readerKey, '--to', target]);
    expect(restored.exitCode).toBe(1);
    expect(restored.stderr).toMatch(/refused: the archive has members outside the target \(.*\); nothing was restored/);
    expect(await readdir(outside)).toEqual([]);
    expect(existsSync(target)).toBe(false);
  });
});
