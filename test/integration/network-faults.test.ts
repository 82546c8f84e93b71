// Network faults between the agent and S3 (real moto with IAM, a put-only key): refused connections,
// stalls shorter and longer than the retry budget, a server clock that is off, and credentials that
// expire during an upload. Faults come from real proxies (test/fixtures/fault-proxy.mjs, flaky-proxy.ts).
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logLines, runCli, startCli } from './support/cli.js';
import { startFaultProxy } from './support/fault-proxy.js';
import { startSkewedClockProxy } from './support/flaky-proxy.js';
import { createIamRole, createIamUser, putOnlyStatement } from './support/iam.js';
import { expectLanded } from './support/landed.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { writeS3Config } from './support/s3-config.js';
import { ifStarted } from './support/if-started.js';

const MiB = 1024 * 1024;
let moto: MotoServer;
let work: string;
let keyFile: string;
let secrets: string[];
/** 100 MiB of random bytes (zstd cannot shrink it: the upload is >= 100 MB). */
let big: string;
/** 20 MiB of random bytes. */
let medium: string;

async function randomFile(dir: string, size: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  const chunks = Array.from({ length: Math.ceil(size / (4 * MiB)) }, (_, i) =>
    randomBytes(Math.min(4 * MiB, size - i * 4 * MiB)),
  );
  await writeFile(join(dir, 'random.bin'), Buffer.concat(chunks));
  return dir;
}

beforeAll(async () => {
  moto = await startMoto();
  work = await mkdtemp(join(tmpdir(), 'ba-netfaults-'));
  keyFile = await moto.writeKeyFile(moto.putOnly, work);
  secrets = [moto.admin.secretAccessKey, moto.putOnly.secretAccessKey];
  big = await randomFile(join(work, 'big'), 100 * MiB);
  medium = await randomFile(join(work, 'medium'), 20 * MiB);
});
afterAll(async () => {
  await ifStarted(moto)?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const warnings = (stderr: string) =>
  logLines(stderr)
    .filter((l) => l.level === 'warn')
    .map((l) => l.msg);

describe('S3 through a faulty network', () => {
  it('10 s of refused connections in the middle of a 100 MiB upload: retried with the defaults, exit 0, the object whole', async () => {
    const proxy = await startFaultProxy(moto.endpoint);
    try {
      await proxy.command(`after ${50 * MiB} refuse 10000`);
      const file = await writeS3Config(moto, work, 'refused', [big], {
        endpoint: proxy.endpoint,
        credentials: { key_file: keyFile },
      });
      const result = await runCli(['run', '-c', file, '--json']);
      const began = await proxy.waitFor(/^fault refuse begin$/, 1);
      const ended = await proxy.waitFor(/^fault refuse end$/, 1);
      expect(ended - began).toBeGreaterThan(9_000); // 10 s by the proxy's clock; these are arrival times of its lines
      // The object read back as admin hashes to the report's sha256 (expectLanded), which the manifest holds.
      const report = await expectLanded(moto, result, secrets);
      expect(report.artifacts[0]!.key).toMatch(/\/refused\//);
      const manifest = JSON.parse((await moto.getObject(report.manifest_key!)).toString('utf8')) as {
        artifacts: { sha256: string; bytes_stored: number }[];
      };
      expect(manifest.artifacts[0]).toMatchObject({
        sha256: report.artifacts[0]!.sha256,
        bytes_stored: expect.any(Number) as number,
      });
      expect(manifest.artifacts[0]!.bytes_stored).toBeGreaterThanOrEqual(100 * MiB);
      const retries = warnings(result.stderr).filter((m) =>
        /: (UploadPart \d+|CreateMultipartUpload|CompleteMultipartUpload): .*; retry \d+ in /.test(m),
      );
      expect(retries.length).toBeGreaterThan(0);
      expect(retries.join('\n')).toMatch(/connection refused \(ECONNREFUSED\)/);
    } finally {
      await proxy.stop();
    }
  }, 240_000);

  it('3 s of connections reset mid-upload: retried, exit 0', async () => {
    const proxy = await startFaultProxy(moto.endpoint);
    try {
      await proxy.command(`after ${8 * MiB} reset 3000`);
      const file = await writeS3Config(moto, work, 'reset', [medium], {
        endpoint: proxy.endpoint,
        credentials: { key_file: keyFile },
        upload: { part_size: '5MiB', queue_size: 2 },
      });
      const result = await runCli(['run', '-c', file, '--json']);
      await proxy.waitFor(/^fault reset end$/, 1);
      await expectLanded(moto, result, secrets);
      expect(warnings(result.stderr)).toContainEqual(
        expect.stringMatching(/: UploadPart \d+: connection reset \(ECONNRESET\); retry 1 in /),
      );
    } finally {
      await proxy.stop();
    }
  }, 120_000);

  it('a stall longer than the idle timeout and shorter than the budget: abandoned, retried on a new connection, exit 0', async () => {
    const proxy = await startFaultProxy(moto.endpoint);
    try {
      await proxy.command(`after ${8 * MiB} stall 12000`);
      const file = await writeS3Config(moto, work, 'stall-short', [medium], {
        endpoint: proxy.endpoint,
        credentials: { key_file: keyFile },
        upload: { part_size: '5MiB', queue_size: 2 },
        timeouts: { connect: '5s', idle: '5s' },
        retry: { budget: '60s' },
      });
      const result = await runCli(['run', '-c', file, '--json']);
      await proxy.waitFor(/^fault stall end$/, 1);
      await expectLanded(moto, result, secrets);
      expect(warnings(result.stderr)).toContainEqual(
        expect.stringMatching(
          /^s3:\/\/backup-agent-test\/backups\/daily\/.*\/stall-short\/.*: UploadPart \d+: no data for 5s \(destination\.timeouts\.idle\); retry 1 in \d+(\.\d)?s \(\d+(\.\d)?s of destination\.retry\.budget left\)$/,
        ),
      );
    } finally {
      await proxy.stop();
    }
  }, 120_000);

  it('a stall that outlasts the budget: exit 1 within budget + idle timeout, naming the timeout; nothing stored, no manifest', async () => {
    const proxy = await startFaultProxy(moto.endpoint);
    try {
      await proxy.command(`after ${6 * MiB} stall`);
      const file = await writeS3Config(moto, work, 'stall-long', [medium], {
        endpoint: proxy.endpoint,
        credentials: { key_file: keyFile },
        upload: { part_size: '5MiB', queue_size: 2 },
        timeouts: { connect: '3s', idle: '3s' },
        retry: { budget: '10s' },
      });
      const run = startCli(['run', '-c', file, '--json']);
      const began = await proxy.waitFor(/^fault stall begin$/);
      const result = await run;
      const took = Date.now() - began;
      expect(result.exitCode, result.stderr).toBe(1);
      // budget 10 s + one idle timeout 3 s; the rest is slack for a loaded machine.
      expect(took).toBeGreaterThanOrEqual(10_000);
      expect(took).toBeLessThan(10_000 + 3_000 + 9_000);
      const report = JSON.parse(result.stdout) as {
        status: string;
        manifest_key?: string;
        artifacts: { status: string; error: string }[];
      };
      expect(report).toMatchObject({ status: 'failed', artifacts: [{ status: 'failed' }] });
      expect(report.manifest_key).toBeUndefined();
      expect(report.artifacts[0]!.error).toMatch(
        new RegExp(
          `^files "data": s3://backup-agent-test/backups/daily/.*/stall-long/.*: cannot reach ${proxy.endpoint.replace(/[.:/]/g, '\\$&')}: ` +
            String.raw`no data for 3s \(destination\.timeouts\.idle\); gave up after \d+ attempts in 1\d(\.\d)?s \(destination\.retry\.budget 10s\)$`,
        ),
      );
      expect((await moto.listKeys(moto.prefix)).filter((k) => k.includes('/stall-long/'))).toEqual([]);
    } finally {
      await proxy.stop();
    }
  }, 120_000);

  it('SIGTERM while the request that makes the object visible is in flight: it may finish, and the manifest lists what the server stored', async () => {
    const small = await randomFile(join(work, 'small'), MiB); // one PutObject (below part_size)
    const proxy = await startFaultProxy(moto.endpoint);
    try {
      // moto gets every request and stores the object; its answer is held back until `pass`.
      await proxy.command('mute');
      const file = await writeS3Config(moto, work, 'commit', [small], {
        endpoint: proxy.endpoint,
        credentials: { key_file: keyFile },
      });
      const run = startCli(['run', '-c', file, '--json']);
      const stored = async () =>
        (await moto.listKeys(moto.prefix)).filter((k) => k.includes('/commit/') && !k.endsWith('.manifest.json'));
      const deadline = Date.now() + 60_000;
      while ((await stored()).length === 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await stored(), 'moto never received the PutObject').toHaveLength(1);
      run.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await proxy.command('pass');
      const result = await run;
      expect(result.exitCode, result.stderr).toBe(130);
      const report = JSON.parse(result.stdout) as { status: string; manifest_key: string };
      expect(report.status).toBe('interrupted');
      const manifest = JSON.parse((await moto.getObject(report.manifest_key)).toString('utf8')) as {
        artifacts: { key: string; status: string }[];
      };
      expect(manifest.artifacts.map((a) => [a.key, a.status])).toEqual([[(await stored())[0], 'ok']]);
    } finally {
      await proxy.stop();
    }
  }, 120_000);

  it('RequestTimeTooSkewed: the SDK corrects its clock offset from the answer, the request is retried, every later one is signed right', async () => {
    const proxy = await startSkewedClockProxy(moto.endpoint, 3_600_000);
    try {
      const file = await writeS3Config(moto, work, 'skewed', [medium], {
        endpoint: proxy.endpoint,
        credentials: { key_file: keyFile },
        upload: { part_size: '5MiB', queue_size: 2 },
      });
      const result = await runCli(['run', '-c', file, '--json']);
      await expectLanded(moto, result, secrets);
      // Only the very first request (CreateMultipartUpload) was signed with this host's clock.
      expect(proxy.rejected).toEqual([
        expect.stringMatching(/^POST \/backup-agent-test\/backups\/daily\/.*\/skewed\/.*\?uploads/),
      ]);
      expect(warnings(result.stderr)).toContainEqual(
        expect.stringMatching(
          /: CreateMultipartUpload: RequestTimeTooSkewed: this host's clock is off; the SDK corrected its offset; retry 1 in /,
        ),
      );
    } finally {
      await proxy.close();
    }
  }, 120_000);
});

describe('credentials that expire during an upload', () => {
  let server: Server | undefined;
  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('container credentials about to expire are fetched again while the upload runs, never kept from the start', async () => {
    const assumer = await createIamUser(moto, 'ba-net-assumer', [
      { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' },
    ]);
    const role = await createIamRole(moto, 'ba-net-writer', assumer.arn, [putOnlyStatement(moto)]);
    const session = await fromTemporaryCredentials({
      masterCredentials: assumer,
      params: { RoleArn: role, RoleSessionName: 'container' },
      clientConfig: { region: moto.region, endpoint: moto.endpoint },
    })();
    // An ECS-style credentials endpoint whose credentials expire in 2 minutes: the SDK renews anything
    // with less than 5 minutes left before each request.
    let fetched = 0;
    server = createServer((_req, res) => {
      fetched += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          AccessKeyId: session.accessKeyId,
          SecretAccessKey: session.secretAccessKey,
          Token: session.sessionToken,
          Expiration: new Date(Date.now() + 120_000).toISOString(),
        }),
      );
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const file = await writeS3Config(moto, work, 'container', [medium], {
      upload: { part_size: '5MiB', queue_size: 2 },
    });
    const result = await runCli(['run', '-c', file, '--json'], {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${(server.address() as AddressInfo).port}/creds`,
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
      AWS_WEB_IDENTITY_TOKEN_FILE: '',
      AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-credentials'),
      AWS_CONFIG_FILE: join(work, 'no-config'),
    });
    await expectLanded(moto, result, [...secrets, session.secretAccessKey]);
    // Create, 4 parts, Complete and the manifest: the credentials were fetched for most of them, not once.
    expect(fetched).toBeGreaterThanOrEqual(3);
  }, 120_000);
});
