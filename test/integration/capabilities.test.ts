// The systemd unit runs as its own user with CAP_DAC_READ_SEARCH instead of root: secrets owned by
// root (0600) must then be readable to the agent exactly as the kernel allows it, not as access(2) says.
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, writeConfig } from './support/cli.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { makeTree } from './support/tree.js';
import { requireTool } from './support/require-tool.js';
import { ifStarted } from './support/if-started.js';

let moto: MotoServer;
let work: string;

/** Runs the CLI as nobody, optionally with CAP_DAC_READ_SEARCH in its ambient set (what the unit grants). */
function asNobody(args: string[], withCapability: boolean) {
  const caps = withCapability ? ['--inh-caps=+dac_read_search', '--ambient-caps=+dac_read_search'] : [];
  return execa('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', ...caps, '--', BIN, ...args], {
    reject: false,
    timeout: 120_000,
  });
}

beforeAll(async () => {
  await requireTool('setpriv');
  moto = await startMoto();
  work = await mkdtemp(join(tmpdir(), 'ba-caps-'));
  await chmod(work, 0o755);
});
afterAll(async () => {
  await ifStarted(moto)?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('secret files owned by root, read through CAP_DAC_READ_SEARCH', () => {
  it('validate and run accept a root-owned 0600 key file with the capability, and name EACCES without it', async () => {
    const secrets = join(work, 'secrets');
    await mkdir(secrets, { mode: 0o700 });
    const keyFile = await moto.writeKeyFile(moto.putOnly, secrets);
    const source = await makeTree(join(work, 'src'));
    await chmod(join(work, 'src'), 0o755);
    const config = await writeConfig(work, {
      host: 'caps',
      state_dir: join(work, 'state'),
      destination: {
        type: 's3',
        bucket: moto.bucket,
        region: moto.region,
        endpoint: moto.endpoint,
        force_path_style: true,
        prefix: moto.prefix,
        credentials: { key_file: keyFile },
      },
      retention: { daily: 7 },
      assets: [{ name: 'www', type: 'files', paths: [join(source, 'www')] }],
    });
    await mkdir(join(work, 'state'), { mode: 0o777 });
    await chmod(join(work, 'state'), 0o777);

    const denied = await asNobody(['validate', '-c', config], false);
    expect(denied.exitCode, denied.stderr).toBe(2);
    expect(denied.stderr).toContain(`cannot read key_file ${keyFile}: EACCES`);

    const validated = await asNobody(['validate', '-c', config], true);
    expect(validated.exitCode, validated.stderr).toBe(0);
    const run = await asNobody(['run', '-c', config, '--json'], true);
    expect(run.exitCode, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { artifacts: { key: string; status: string }[] };
    expect(report.artifacts.map((a) => a.status)).toEqual(['ok']);
    expect(await moto.listKeys(report.artifacts[0]!.key)).toEqual([report.artifacts[0]!.key]);
  });
});
