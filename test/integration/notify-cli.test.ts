// `backup-agent run` end to end with notifications: the webhook and ping servers hear about a failure, and a
// dead or hanging notification endpoint never changes the backup's own exit code.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadUrl, startRecordingServer, type RecordingServer } from '../fixtures/notify/recording-server.js';
import type { WebhookPayload } from '../../src/notify/send-webhook.js';
import { logLines, runCli, writeConfig } from './support/cli.js';
import { ifStarted } from './support/if-started.js';

let work: string;
let hooks: RecordingServer;
let pings: RecordingServer;
let hangs: RecordingServer;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ba-notify-cli-'));
  await mkdir(join(work, 'data'), { recursive: true });
  await writeFile(join(work, 'data/a.txt'), 'a\n');
  [hooks, pings, hangs] = await Promise.all([
    startRecordingServer(),
    startRecordingServer(),
    startRecordingServer(() => 'hang'),
  ]);
});
afterAll(async () => {
  await Promise.all([ifStarted(hooks)?.close(), ifStarted(pings)?.close(), ifStarted(hangs)?.close()]);
  if (work) await rm(work, { recursive: true, force: true });
});

async function configFile(name: string, paths: string[], notify: Record<string, unknown>): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  return writeConfig(dir, {
    host: 'web-01',
    state_dir: join(dir, 'state'),
    destination: { type: 'local', path: join(dir, 'store') },
    assets: [{ name: 'uploads', type: 'files', paths }],
    notify,
  });
}

const pingUrls = (origin: string, check: string) => ({
  start: `${origin}/${check}/start`,
  success: `${origin}/${check}`,
  fail: `${origin}/${check}/fail`,
  timeout: '1s',
});

describe('run with notifications', () => {
  it('a run whose asset path does not exist exits 1; the webhook gets the asset and reason, the pings start then fail', async () => {
    const missing = join(work, 'no-such-dir');
    const file = await configFile('failing', [missing], {
      webhook: { url: `${hooks.origin}/hook` },
      ping: pingUrls(pings.origin, 'c1'),
    });
    const result = await runCli(['run', '-c', file]);

    expect(result.exitCode, result.stderr).toBe(1);
    expect(hooks.hits).toHaveLength(1);
    const payload = JSON.parse(hooks.hits[0]!.body) as WebhookPayload;
    const reason = `files "uploads": none of the paths can be read: ${missing} (no such file or directory)`;
    expect(payload).toMatchObject({
      host: 'web-01',
      status: 'failed',
      exit_code: 1,
      assets_failed: 1,
      assets_total: 1,
      manifest_key: null,
    });
    expect(payload.text).toBe(`[backup-agent] web-01: FAILED (1 of 1 asset): ${reason}`);
    expect(payload.assets).toEqual([expect.objectContaining({ name: 'uploads', status: 'failed', error: reason })]);
    expect(payload.run_id).toMatch(/^[0-9a-f]{12}$/);

    expect(pings.hits.map((h) => `${h.method} ${h.path}`)).toEqual(['GET /c1/start', 'POST /c1/fail']);
    expect(pings.hits[1]!.body).toContain(reason);
    expect(logLines(result.stderr).filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('a dead webhook and a hanging ping are warnings: a good run still exits 0, a failed one still exits 1', async () => {
    const notify = {
      webhook: { url: await deadUrl(), when: 'always', retries: 1, timeout: '1s' },
      ping: pingUrls(hangs.origin, 'c2'),
    };
    const good = await runCli(['run', '-c', await configFile('good', [join(work, 'data')], notify)]);
    expect(good.exitCode, good.stderr).toBe(0);
    const warnings = logLines(good.stderr)
      .filter((l) => l.level === 'warn')
      .map((l) => l.msg);
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^notify: ping start \(http:\/\/127\.0\.0\.1:\d+\/…\) failed: timed out after 1s \(2 attempts\)$/,
        ),
        expect.stringMatching(
          /^notify: webhook \(http:\/\/127\.0\.0\.1:\d+\/…\) failed: connect ECONNREFUSED .* \(2 attempts\)$/,
        ),
        expect.stringMatching(
          /^notify: ping success \(http:\/\/127\.0\.0\.1:\d+\/…\) failed: timed out after 1s \(2 attempts\)$/,
        ),
      ]),
    );
    expect(good.stdout).toContain('status: ok (exit 0)');

    const bad = await runCli([
      'run',
      '-c',
      await configFile('bad', [join(work, 'nope')], { webhook: { ...notify.webhook, retries: 0 } }),
    ]);
    expect(bad.exitCode, bad.stderr).toBe(1);
    expect(logLines(bad.stderr).some((l) => l.level === 'warn' && l.msg.startsWith('notify: webhook'))).toBe(true);
  });

  it('a run refused by a held lock keeps exit 11 and pings start then fail with the lock holder', async () => {
    const file = await configFile('locked', [join(work, 'data')], { ping: pingUrls(pings.origin, 'c3') });
    const state = join(work, 'locked', 'state');
    await mkdir(state, { recursive: true });
    await writeFile(join(state, 'lock'), `${process.pid}\n`);
    const result = await runCli(['run', '-c', file]);

    expect(result.exitCode, result.stderr).toBe(11);
    const hits = pings.hits.filter((h) => h.path.startsWith('/c3'));
    expect(hits.map((h) => `${h.method} ${h.path}`)).toEqual(['GET /c3/start', 'POST /c3/fail']);
    expect(hits[1]!.body).toContain(`another run (PID ${process.pid}) holds the lock ${join(state, 'lock')}`);
  });
});
