// Files assets end to end against real moto with IAM enforced, as the put-only user, through the CLI.
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type MotoServer } from './support/moto.js';
import { FIXTURE_BIN, logLines, runCli, writeConfig } from './support/cli.js';
import { describeTree, makeTree } from './support/tree.js';
import { requireTool } from './support/require-tool.js';
import { ifStarted } from './support/if-started.js';

let moto: MotoServer;
let work: string;
let keyFile: string;

beforeAll(async () => {
  moto = await startMoto();
  work = await mkdtemp(join(tmpdir(), 'ba-files-'));
  await chmod(work, 0o755);
  keyFile = await moto.writeKeyFile(moto.putOnly, work);
});
afterAll(async () => {
  await ifStarted(moto)?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

function s3Config(name: string, assets: unknown[], extra: Record<string, unknown> = {}) {
  return {
    host: name,
    state_dir: join(work, name, 'state'),
    destination: {
      type: 's3',
      bucket: moto.bucket,
      region: moto.region,
      endpoint: moto.endpoint,
      force_path_style: true,
      prefix: moto.prefix,
      credentials: { key_file: keyFile },
      upload: { part_size: '5MiB', queue_size: 2 },
    },
    assets,
    ...extra,
  };
}

async function restore(key: string, into: string, decompress: string[]): Promise<void> {
  await mkdir(into, { recursive: true });
  const object = await moto.getObject(key);
  const tarData = decompress.length
    ? (await execa(decompress[0]!, decompress.slice(1), { input: object, encoding: 'buffer' })).stdout
    : object;
  await execa('tar', ['-x', '-C', into], { input: tarData });
}

describe('files asset to S3 as a put-only user', () => {
  it('uploads a tar.zst that GNU tar restores with modes, mtimes, symlinks and empty dirs; manifest last; no 403', async () => {
    const source = await makeTree(join(work, 'rt-src'));
    const config = await writeConfig(
      await mkdir(join(work, 'rt'), { recursive: true }).then(() => join(work, 'rt')),
      s3Config('web-01', [{ name: 'www', type: 'files', paths: [join(source, 'www')], exclude: ['**/*.log'] }]),
    );
    const before = moto.count403();
    const result = await runCli(['run', '--config', config, '--json']);
    expect(result.stderr).not.toMatch(/"level":"(warn|error)"/);
    expect(result.exitCode).toBe(0);
    expect(moto.count403() - before).toBe(0);

    const report = JSON.parse(result.stdout) as {
      status: string;
      manifest_key: string;
      artifacts: { key: string; status: string; bytes_stored: number; sha256: string }[];
    };
    expect(report.status).toBe('ok');
    const artifact = report.artifacts[0]!;
    expect(artifact.key).toMatch(
      /^backups\/(daily|weekly|monthly|yearly)\/\d{4}-\d{2}-\d{2}\/web-01\/www\/\d{8}T\d{6}Z\.tar\.zst$/,
    );
    expect(report.manifest_key).toMatch(/^backups\/\w+\/\d{4}-\d{2}-\d{2}\/web-01\/\d{8}T\d{6}Z\.manifest\.json$/);
    expect((await moto.listKeys(moto.prefix)).sort()).toEqual([artifact.key, report.manifest_key].sort());

    const object = await moto.getObject(artifact.key);
    const manifest = JSON.parse((await moto.getObject(report.manifest_key)).toString('utf8')) as {
      artifacts: { key: string; sha256: string; bytes_stored: number; status: string }[];
      status: string;
    };
    expect(manifest.status).toBe('ok');
    expect(manifest.artifacts).toEqual([
      expect.objectContaining({
        key: artifact.key,
        status: 'ok',
        bytes_stored: object.length,
        sha256: createHash('sha256').update(object).digest('hex'),
      }),
    ]);

    const restored = join(work, 'rt-restored');
    await restore(artifact.key, restored, ['zstd', '-d', '-c']);
    const expected = (await describeTree(join(source, 'www'))).filter((e) => !e.path.endsWith('.log'));
    expect(await describeTree(join(restored, source.slice(1), 'www'))).toEqual(expected);
    expect(expected.map((e) => e.path)).toEqual(
      expect.arrayContaining(['empty-dir', 'current', 'dangling', 'run.sh', 'html/ünï cödé.txt']),
    );
  });

  it('writes tar.gz with gzip and plain tar with none, both restorable', async () => {
    const source = await makeTree(join(work, 'gz-src'));
    for (const algorithm of ['gzip', 'none'] as const) {
      const dir = join(work, `alg-${algorithm}`);
      await mkdir(dir, { recursive: true });
      const config = await writeConfig(
        dir,
        s3Config(`alg-${algorithm}`, [{ name: 'www', type: 'files', paths: [join(source, 'www')] }], {
          compression: { algorithm },
        }),
      );
      const result = await runCli(['run', '-c', config, '--json']);
      expect(result.exitCode).toBe(0);
      const { artifacts } = JSON.parse(result.stdout) as { artifacts: { key: string }[] };
      expect(artifacts[0]!.key).toMatch(algorithm === 'gzip' ? /\.tar\.gz$/ : /\d{6}Z\.tar$/);
      await restore(artifacts[0]!.key, join(dir, 'restored'), algorithm === 'gzip' ? ['gunzip', '-c'] : []);
      expect(await describeTree(join(dir, 'restored', source.slice(1), 'www'))).toEqual(
        await describeTree(join(source, 'www')),
      );
    }
  });

  it('skips a missing path and an unreadable file, backs up the rest, records them, exits 3', async () => {
    const dir = join(work, 'partial');
    const source = await makeTree(join(dir, 'src'));
    await writeFile(join(source, 'www/private.key'), 'root only\n');
    await chmod(join(source, 'www/private.key'), 0o000);
    // A Latin-1 name (not UTF-8): named escaped, with the true reason.
    const latin1 = Buffer.concat([Buffer.from(join(source, 'www/caf')), Buffer.of(0xe9), Buffer.from('.key')]);
    await writeFile(latin1, 'root only\n', { mode: 0o000 });
    const ownKey = join(dir, 'keys.ini');
    await writeFile(ownKey, await readFile(keyFile), { mode: 0o600 });
    const config = await writeConfig(
      dir,
      s3Config(
        'partial',
        [
          { name: 'www', type: 'files', paths: [join(source, 'www'), join(dir, 'does-not-exist')] },
          { name: 'etc', type: 'files', paths: [join(source, 'www/html')] },
        ],
        {},
      ),
    );
    await writeFile(config, (await readFile(config, 'utf8')).replace(keyFile, ownKey));
    await execa('chown', ['-R', 'nobody:nogroup', dir]);
    // As root every file is readable; run the agent as an ordinary user so the unreadable file is real.
    await requireTool('setpriv');
    const result = await execa(
      'setpriv',
      ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', 'bin/backup-agent', 'run', '-c', config, '--json'],
      { reject: false },
    );
    expect(result.exitCode, result.stderr).toBe(3);
    const report = JSON.parse(result.stdout) as {
      status: string;
      manifest_key: string;
      artifacts: { asset: string; key: string; status: string; skipped: { path: string; reason: string }[] }[];
    };
    expect(report.status).toBe('partial');
    const www = report.artifacts.find((a) => a.asset === 'www')!;
    expect(www.status, JSON.stringify(www)).toBe('partial');
    expect(www.skipped).toEqual(
      expect.arrayContaining([
        { path: join(dir, 'does-not-exist'), reason: 'no such file or directory' },
        { path: join(source, 'www/private.key'), reason: 'Cannot open: permission denied' },
        { path: join(source, 'www/caf\\xe9.key'), reason: 'Cannot open: permission denied' },
      ]),
    );
    expect(report.artifacts.find((a) => a.asset === 'etc')!.status).toBe('ok');
    const manifest = JSON.parse((await moto.getObject(report.manifest_key)).toString('utf8')) as {
      artifacts: { asset: string; skipped: unknown[] }[];
    };
    expect(manifest.artifacts.find((a) => a.asset === 'www')!.skipped).toHaveLength(3);
    const restored = join(dir, 'restored');
    await restore(www.key, restored, ['zstd', '-d', '-c']);
    const files = (await describeTree(join(restored, source.slice(1), 'www'))).map((e) => e.path);
    expect(files).toEqual(expect.arrayContaining(['html/index.html', 'run.sh']));
    expect(files).not.toContain('private.key');
    expect(
      logLines(result.stderr)
        .filter((l) => l.level === 'warn')
        .map((l) => l.msg),
    ).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`skipping ${join(dir, 'does-not-exist')}: no such file or directory`),
        expect.stringContaining(`skipped ${join(source, 'www/private.key')}: Cannot open: permission denied`),
        expect.stringContaining(`skipped ${join(source, 'www/caf\\xe9.key')}: Cannot open: permission denied`),
      ]),
    );
  });

  it('reports the source error (not the denied abort) when tar fails midway, leaves no object, still runs other assets', async () => {
    const dir = join(work, 'midway');
    await mkdir(join(dir, 'data'), { recursive: true });
    await writeFile(join(dir, 'data/fail-midway'), 'trigger');
    await writeFile(join(dir, 'data/ok.txt'), 'fine');
    const config = await writeConfig(
      dir,
      s3Config('midway', [
        { name: 'broken', type: 'files', paths: [join(dir, 'data/fail-midway')] },
        { name: 'fine', type: 'files', paths: [join(dir, 'data/ok.txt')] },
      ]),
    );
    const uploadsBefore = (await moto.listMultipartUploads()).length;
    const result = await runCli(['run', '-c', config, '--json'], { PATH: `${FIXTURE_BIN}:${process.env.PATH}` });
    expect(result.exitCode).toBe(3);
    const report = JSON.parse(result.stdout) as {
      artifacts: { asset: string; key: string; status: string; error?: string }[];
    };
    const broken = report.artifacts.find((a) => a.asset === 'broken')!;
    expect(broken.status).toBe('failed');
    expect(broken.error).toBe(
      'files "broken": tar exited 2: tar: /dev/sdz1: Input/output error while reading block 1234',
    );
    expect(broken.error).not.toMatch(/AccessDenied/);
    expect(await moto.listKeys(broken.key)).toEqual([]);
    // The put-only user may not abort: the parts stay until a lifecycle rule removes them, and the log says so.
    expect((await moto.listMultipartUploads()).length).toBe(uploadsBefore + 1);
    expect(logLines(result.stderr).map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /an unfinished multipart upload may remain \(abort denied, as expected for put-only credentials\).*lifecycle rule/,
        ),
      ]),
    );
    expect(report.artifacts.find((a) => a.asset === 'fine')!.status).toBe('ok');
  });
});
