// The webhook channel against a local HTTP server: retries, per-attempt timeouts, `when`, and secret-free warnings.
import { afterEach, describe, expect, it } from 'vitest';
import { notifyFinished } from '../../src/notify/notify.js';
import type { WebhookPayload } from '../../src/notify/send-webhook.js';
import { captureLogger, failedReport, notifyConfig, okReport } from '../fixtures/notify/notify-fixtures.js';
import { deadUrl, startRecordingServer, type RecordingServer } from '../fixtures/notify/recording-server.js';

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const fast = { retryBaseMs: 20 };

describe('webhook', () => {
  it('retries two 503s and delivers on the third attempt a Slack-style text plus structured fields', async () => {
    server = await startRecordingServer((_hit, i) => (i < 2 ? 503 : 200));
    const { logger, lines } = captureLogger();
    await notifyFinished(
      failedReport(),
      notifyConfig({ webhook: { url: `${server.origin}/hook`, retries: 3 } }),
      logger,
      fast,
    );

    expect(server.hits.map((h) => `${h.method} ${h.path}`)).toEqual(['POST /hook', 'POST /hook', 'POST /hook']);
    // Exponential backoff: the second wait is about twice the first.
    const [a, b, c] = server.hits.map((h) => h.at);
    expect(b! - a!).toBeGreaterThanOrEqual(15);
    expect(c! - b!).toBeGreaterThanOrEqual(35);
    const last = server.hits[2]!;
    expect(last.headers['content-type']).toBe('application/json');
    const body = JSON.parse(last.body) as WebhookPayload;
    expect(body.text).toContain('[backup-agent] web-01: PARTIAL (2 of 5 assets)');
    expect(body.text).toContain(
      'files "uploads": none of the paths can be read: /srv/uploads (no such file or directory)',
    );
    expect(body).toMatchObject({
      host: 'web-01',
      status: 'partial',
      exit_code: 3,
      run_id: 'a1b2c3d4e5f6',
      manifest_key: 'daily/2026-11-22/web-01/20261122T031500Z.manifest.json',
      assets_total: 5,
      assets_failed: 2,
    });
    expect(body.assets).toContainEqual(
      expect.objectContaining({
        name: 'shop/orders',
        status: 'failed',
        error: 'mysql "shop": mysqldump exited 2: Access denied for user',
      }),
    );
    expect(body.assets).toContainEqual(expect.objectContaining({ name: 'etc', status: 'partial', skipped: 3 }));
    expect(lines().filter((l) => l.level === 'warn')).toEqual([]);
    expect(lines().map((l) => l.msg)).toContain(`notify: webhook (${server.origin}/…) sent`);
  });

  it('limits each attempt to `timeout` when the server never answers, then warns and returns', async () => {
    server = await startRecordingServer(() => 'hang');
    const { logger, lines } = captureLogger();
    const started = Date.now();
    await notifyFinished(
      failedReport(),
      notifyConfig({ webhook: { url: `${server.origin}/hook`, timeout: '1s', retries: 1 } }),
      logger,
      fast,
    );
    const elapsed = Date.now() - started;

    expect(server.hits).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(2_000);
    expect(elapsed).toBeLessThan(5_000);
    const warnings = lines().filter((l) => l.level === 'warn');
    expect(warnings.map((w) => w.msg)).toEqual([
      `notify: webhook (${server.origin}/…) failed: timed out after 1s (2 attempts)`,
    ]);
    expect(warnings[0]!.run_id).toBe('a1b2c3d4e5f6');
  });

  it('with when: failure sends nothing for a successful run; with when: always it does', async () => {
    server = await startRecordingServer();
    const { logger } = captureLogger();
    await notifyFinished(okReport(), notifyConfig({ webhook: { url: `${server.origin}/hook` } }), logger, fast);
    expect(server.hits).toHaveLength(0);

    await notifyFinished(
      okReport(),
      notifyConfig({ webhook: { url: `${server.origin}/hook`, when: 'always' } }),
      logger,
      fast,
    );
    expect(server.hits).toHaveLength(1);
    const body = JSON.parse(server.hits[0]!.body) as WebhookPayload;
    expect(body).toMatchObject({
      text: '[backup-agent] web-01: OK',
      status: 'ok',
      exit_code: 0,
      assets_failed: 0,
      error: null,
    });
  });

  it('does not retry a 400; userinfo becomes Basic auth; the warning shows neither userinfo, path nor query', async () => {
    server = await startRecordingServer(() => 400);
    const { logger, text } = captureLogger();
    const url = `${server.origin.replace('//', '//hookuser:hunter2-pw@')}/services/T000/B000/XyzSecretToken?token=qs-secret`;
    await notifyFinished(failedReport(), notifyConfig({ webhook: { url, retries: 3 } }), logger, fast);

    expect(server.hits).toHaveLength(1);
    expect(server.hits[0]!.path).toBe('/services/T000/B000/XyzSecretToken?token=qs-secret');
    expect(server.hits[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('hookuser:hunter2-pw').toString('base64')}`,
    );
    expect(text()).toContain(
      `notify: webhook (${server.origin}/…) failed: HTTP 400 Bad Request: scripted 400 (1 attempt)`,
    );
    for (const secret of ['hunter2-pw', 'hookuser', 'XyzSecretToken', 'qs-secret'])
      expect(text()).not.toContain(secret);
  });

  it('retries a refused connection and then warns with the cause', async () => {
    const { logger, lines } = captureLogger();
    await notifyFinished(failedReport(), notifyConfig({ webhook: { url: await deadUrl(), retries: 2 } }), logger, fast);
    const warning = lines().find((l) => l.level === 'warn')!;
    expect(warning.msg).toMatch(
      /^notify: webhook \(http:\/\/127\.0\.0\.1:\d+\/…\) failed: connect ECONNREFUSED 127\.0\.0\.1:\d+ \(3 attempts\)$/,
    );
  });
});
