// The restore drill of docs/restore.md, run as written (names and paths substituted) with the aws CLI against
// moto, as an operator holding only `policy --restore`: it finds the newest manifest, checks the
// artifact's sha256 and unpacks the very bytes that were backed up.
import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { createIamUser } from './support/iam.js';
import { shBlocks } from './support/markdown.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { writeS3Config } from './support/s3-config.js';
import { requireTool } from './support/require-tool.js';
import { ifStarted } from './support/if-started.js';

let moto: MotoServer;
let work: string;

beforeAll(async () => {
  await requireTool('aws', 'jq', 'zstd', 'tar');
  moto = await startMoto();
  work = await mkdtemp(join(tmpdir(), 'ba-drill-'));
}, 120_000);
afterAll(async () => {
  await ifStarted(moto)?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** The first ```sh block of docs/restore.md's "## Restore drill" section. */
const drillFromDocs = async () => (await shBlocks('docs/restore.md', 'Restore drill'))[0]!;

describe('the restore drill (docs/restore.md)', () => {
  it('restores the newest backup byte for byte with the operator policy, and the put-only key cannot run it', async () => {
    const source = join(work, 'var/www');
    await mkdir(join(source, 'html'), { recursive: true });
    await writeFile(join(source, 'html/index.html'), '<h1>drill</h1>\n'.repeat(500));
    await writeFile(join(source, 'app.bin'), Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 31) % 256)));
    const keyFile = await moto.writeKeyFile(moto.putOnly, work);
    const config = await writeS3Config(moto, work, 'drill-host', [source], { credentials: { key_file: keyFile } });
    // The asset is called www, as in the drill.
    await writeFile(config, (await readFile(config, 'utf8')).replace('name: data', 'name: www'));
    const backup = await runCli(['run', '--config', config]);
    expect(backup.stderr).not.toMatch(/"level":"error"/);
    expect(backup.exitCode).toBe(0);

    const printed = await runCli(['policy', '--restore', '--config', config]);
    expect(printed.exitCode).toBe(0);
    const operator = await createIamUser(
      moto,
      'drill-operator',
      (JSON.parse(printed.stdout) as { Statement: Record<string, unknown>[] }).Statement,
    );

    const restored = join(work, 'restore-drill');
    const drill = (await drillFromDocs())
      .split('\n# 4.')[0]!
      .replace(/^B=acme-backups P=web-01\/ H=web-01$/m, `B=${moto.bucket} P=${moto.prefix} H=drill-host`)
      .replaceAll('/srv/restore-drill', restored)
      .replaceAll('/var/www', source);
    expect(drill).toContain(`H=drill-host`);
    // The drill's `aws` pointed at moto (Debian's aws CLI predates AWS_ENDPOINT_URL).
    const script = `aws() { command aws --endpoint-url "$MOTO_ENDPOINT" "$@"; }\n${drill}`;
    const env = (creds: { accessKeyId: string; secretAccessKey: string }) => ({
      MOTO_ENDPOINT: moto.endpoint,
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
      AWS_DEFAULT_REGION: moto.region,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    });
    const cwd = join(work, 'operator');
    await mkdir(cwd);
    const result = await execa('bash', ['-e', '-o', 'pipefail', '-c', script], {
      cwd,
      env: env(operator),
      reject: false,
      timeout: 120_000,
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^ok$/m);
    expect(result.stdout).toContain('artifact: OK');
    for (const file of ['html/index.html', 'app.bin']) {
      expect(await readFile(join(restored, source, file))).toEqual(await readFile(join(source, file)));
    }

    // The host's put-only key cannot even find the manifest: that is the point of put-only.
    const denied = await execa('bash', ['-e', '-o', 'pipefail', '-c', script], {
      cwd,
      env: env(moto.putOnly),
      reject: false,
      timeout: 120_000,
    });
    expect(denied.exitCode).not.toBe(0);
    expect(denied.stderr).toMatch(/AccessDenied/);
  }, 300_000);
});
