// Health-check pings against a local HTTP server: start then success, start then fail with the reason, and errors.
import { afterEach, describe, expect, it } from 'vitest';
import { notifyFinished, notifyRunError, notifyStart } from '../../src/notify/notify.js';
import { BackupError } from '../../src/shared/backup-error.js';
import { captureLogger, failedReport, notifyConfig, okReport } from '../fixtures/notify/notify-fixtures.js';
import { startRecordingServer, type RecordingServer } from '../fixtures/notify/recording-server.js';

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const fast = { retryBaseMs: 20 };
const pings = (origin: string) => ({
  ping: { start: `${origin}/uuid/start`, success: `${origin}/uuid`, fail: `${origin}/uuid/fail` },
});
const hitsOf = (s: RecordingServer) => s.hits.map((h) => `${h.method} ${h.path}`);

describe('ping', () => {
  it('pings start, then success (GET) for a run that exited 0', async () => {
    server = await startRecordingServer();
    const { logger, lines } = captureLogger();
    const config = notifyConfig(pings(server.origin));
    await notifyStart(config, logger, fast);
    await notifyFinished(okReport(), config, logger, fast);
    expect(hitsOf(server)).toEqual(['GET /uuid/start', 'GET /uuid']);
    expect(lines().filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('pings start, then POSTs the failure reasons to the fail URL for a partial run', async () => {
    server = await startRecordingServer();
    const { logger } = captureLogger();
    const config = notifyConfig(pings(server.origin));
    await notifyStart(config, logger, fast);
    await notifyFinished(failedReport(), config, logger, fast);
    expect(hitsOf(server)).toEqual(['GET /uuid/start', 'POST /uuid/fail']);
    const fail = server.hits[1]!;
    expect(fail.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(fail.body).toContain('backup-agent on web-01: PARTIAL (exit 3)');
    expect(fail.body).toContain(
      'uploads [failed]: files "uploads": none of the paths can be read: /srv/uploads (no such file or directory)',
    );
  });

  it('retries a failed ping once, then warns without the check URL path', async () => {
    server = await startRecordingServer(() => 500);
    const { logger, text } = captureLogger();
    await notifyFinished(okReport(), notifyConfig(pings(server.origin)), logger, fast);
    expect(hitsOf(server)).toEqual(['GET /uuid', 'GET /uuid']);
    expect(text()).toContain(
      `notify: ping success (${server.origin}/…) failed: HTTP 500 Internal Server Error: scripted 500 (2 attempts)`,
    );
    expect(text()).not.toContain('/uuid');
  });

  it('an error that ended the run before any report (a held lock) pings fail with that error', async () => {
    server = await startRecordingServer();
    const { logger } = captureLogger();
    const config = notifyConfig(pings(server.origin));
    await notifyRunError(
      new BackupError('LOCKED', 'another run (PID 4242) holds the lock /var/lib/backup-agent/lock'),
      config,
      logger,
      fast,
    );
    expect(hitsOf(server)).toEqual(['POST /uuid/fail']);
    expect(server.hits[0]!.body).toContain(
      'Run error: another run (PID 4242) holds the lock /var/lib/backup-agent/lock',
    );
    expect(server.hits[0]!.body).toContain('(exit 11)');
  });
});
