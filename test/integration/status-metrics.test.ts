// last-run.json, the Prometheus textfile (checked by promtool) and `status` as a monitoring check.
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, writeConfig } from './support/cli.js';
import { requireTool } from './support/require-tool.js';

let work: string;
beforeAll(async () => {
  await requireTool('promtool');
  work = await mkdtemp(join(tmpdir(), 'ba-status-'));
  await mkdir(join(work, 'data'), { recursive: true });
  await writeFile(join(work, 'data/a.txt'), 'a\n');
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('state, metrics and status', () => {
  it('records each asset, writes metrics promtool accepts, and status turns non-zero past alert_after', async () => {
    const textfile = join(work, 'textfile/backup_agent.prom');
    const config = {
      host: 'mon-01',
      state_dir: join(work, 'state'),
      alert_after: '1h',
      destination: { type: 'local', path: join(work, 'store') },
      metrics: { textfile },
      assets: [
        { name: 'good', type: 'files', paths: [join(work, 'data')] },
        { name: 'gone', type: 'files', paths: [join(work, 'missing')] },
      ],
    };
    const file = await writeConfig(work, config);
    const never = await runCli(['status', '-c', file]);
    expect(never.exitCode).toBe(1);
    expect(never.stdout).toContain('FAIL  good: no successful backup recorded; last run never run');

    const run = await runCli(['run', '-c', file]);
    expect(run.exitCode).toBe(3);
    const metrics = await readFile(textfile, 'utf8');
    expect((await stat(textfile)).mode & 0o777).toBe(0o644);
    const check = await execa('promtool', ['check', 'metrics'], { input: metrics, reject: false });
    expect(check.exitCode, `${check.stdout}${check.stderr}`).toBe(0);
    expect(metrics).toMatch(/^backup_agent_last_success_timestamp_seconds\{host="mon-01",asset="good"\} \d+(\.\d+)?$/m);
    expect(metrics).not.toMatch(/backup_agent_last_success_timestamp_seconds\{[^}]*asset="gone"/);
    expect(metrics).toMatch(/^backup_agent_last_run_status\{host="mon-01",asset="gone"\} 2$/m);
    expect(metrics).toMatch(/^backup_agent_last_run_status\{host="mon-01",asset="good"\} 0$/m);
    expect(metrics).toMatch(/^backup_agent_last_run_stored_bytes\{host="mon-01",asset="good"\} \d+$/m);
    expect(metrics).toMatch(/^backup_agent_alert_after_seconds\{host="mon-01"\} 3600$/m);

    const status = await runCli(['status', '-c', file, '--json']);
    expect(status.exitCode).toBe(1);
    const health = JSON.parse(status.stdout) as {
      healthy: boolean;
      assets: { asset: string; healthy: boolean; last_error?: string }[];
    };
    expect(health.assets.find((a) => a.asset === 'good')!.healthy).toBe(true);
    expect(health.assets.find((a) => a.asset === 'gone')).toMatchObject({ healthy: false, last_status: 'failed' });
    expect(health.assets.find((a) => a.asset === 'gone')!.last_error).toContain(join(work, 'missing'));

    // Only the good asset configured: healthy; then make its last success two hours old: unhealthy.
    const goodOnly = await writeConfig(join(work), { ...config, assets: [config.assets[0]] });
    expect((await runCli(['status', '-c', goodOnly])).exitCode).toBe(0);
    const statePath = join(work, 'state/last-run.json');
    const state = JSON.parse(await readFile(statePath, 'utf8')) as {
      assets: Record<string, { last_success_at: string }>;
    };
    state.assets.good!.last_success_at = new Date(Date.now() - 2 * 3_600_000).toISOString();
    await writeFile(statePath, JSON.stringify(state));
    const stale = await runCli(['status', '-c', goodOnly]);
    expect(stale.exitCode).toBe(1);
    expect(stale.stdout).toContain('FAIL  good: last success 2h0m ago; last run ok');

    // A failed run keeps the previous success time.
    await rm(join(work, 'data'), { recursive: true });
    expect((await runCli(['run', '-c', goodOnly])).exitCode).toBe(1);
    const after = JSON.parse(await readFile(statePath, 'utf8')) as {
      assets: Record<string, { last_success_at: string; last_status: string }>;
    };
    expect(after.assets.good).toMatchObject({
      last_status: 'failed',
      last_success_at: state.assets.good!.last_success_at,
    });
  });
});
