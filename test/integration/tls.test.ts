// A private-CA TLS endpoint (loopback proxy in front of moto): refused without ca_file, trusted with it, never unverified.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { createIamRole, createIamUser, putOnlyStatement } from './support/iam.js';
import { expectLanded, expectNoSecrets } from './support/landed.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { writeS3Config } from './support/s3-config.js';
import { makeTestPki, startTlsProxy, type TestPki, type TlsProxy } from './support/tls-proxy.js';
import { requireTool } from './support/require-tool.js';
import { ifStarted } from './support/if-started.js';

let moto: MotoServer;
let work: string;
let data: string;
let keyFile: string;
let pki: TestPki;
let proxy: TlsProxy;
let secrets: string[];

beforeAll(async () => {
  await requireTool('openssl');
  moto = await startMoto();
  work = await mkdtemp(join(tmpdir(), 'ba-tls-'));
  data = join(work, 'data');
  await mkdir(data, { recursive: true });
  await writeFile(join(data, 'a.txt'), 'hello\n');
  keyFile = await moto.writeKeyFile(moto.putOnly, work);
  pki = makeTestPki(work);
  proxy = await startTlsProxy(moto.endpoint, pki);
  secrets = [moto.admin.secretAccessKey, moto.putOnly.secretAccessKey];
});
afterAll(async () => {
  await ifStarted(proxy)?.close();
  await ifStarted(moto)?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const configFile = (name: string, destination: Record<string, unknown>) =>
  writeS3Config(moto, work, name, [data], {
    endpoint: proxy.endpoint,
    credentials: { key_file: keyFile },
    ...destination,
  });

const stored = (host: string) => moto.listKeys(moto.prefix).then((keys) => keys.filter((k) => k.includes(`/${host}/`)));

describe('TLS with a private CA', () => {
  it('without ca_file the run fails naming the endpoint, the verification code and ca_file; nothing reaches S3', async () => {
    const forwardedBefore = proxy.forwarded.length;
    const result = await runCli(['run', '-c', await configFile('no-ca', {})]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(
      /s3:\/\/backup-agent-test\/backups\/\w+\/\S+\/no-ca\/data\/\S+: TLS verification of https:\/\/127\.0\.0\.1:\d+ failed \(SELF_SIGNED_CERT_IN_CHAIN\): set destination\.ca_file to the CA bundle that signed it/,
    );
    expect(result.stdout).toContain(`TLS verification of ${proxy.endpoint} failed`);
    expect(proxy.forwarded.length).toBe(forwardedBefore);
    expect(await stored('no-ca')).toEqual([]);
    expectNoSecrets(result, secrets);
  });

  it('with ca_file the backup lands through the TLS endpoint', async () => {
    const forwardedBefore = proxy.forwarded.length;
    await expectLanded(
      moto,
      await runCli(['run', '-c', await configFile('with-ca', { ca_file: pki.caFile }), '--json']),
      secrets,
    );
    expect(proxy.forwarded.slice(forwardedBefore).filter((r) => r.startsWith('PUT ')).length).toBeGreaterThanOrEqual(2); // artifact + manifest
  });

  it('ca_file never turns verification off: another CA, or a certificate for another name, is still refused', async () => {
    const otherDir = join(work, 'other-pki');
    await mkdir(otherDir, { recursive: true });
    const otherCa = makeTestPki(otherDir, 'IP:127.0.0.1', 'other');
    const wrongCa = await runCli(['run', '-c', await configFile('wrong-ca', { ca_file: otherCa.caFile })]);
    expect(wrongCa.exitCode).toBe(1);
    expect(wrongCa.stdout).toContain(`TLS verification of ${proxy.endpoint} failed (SELF_SIGNED_CERT_IN_CHAIN)`);

    const misnamed = makeTestPki(otherDir, 'DNS:s3.other.example', 'misnamed');
    const misnamedProxy = await startTlsProxy(moto.endpoint, misnamed);
    try {
      const result = await runCli([
        'run',
        '-c',
        await configFile('misnamed', { endpoint: misnamedProxy.endpoint, ca_file: misnamed.caFile }),
      ]);
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toContain(
        `TLS verification of ${misnamedProxy.endpoint} failed (ERR_TLS_CERT_ALTNAME_INVALID): the certificate does not name this host`,
      );
      expect(misnamedProxy.forwarded).toEqual([]);
    } finally {
      await misnamedProxy.close();
    }
    expect([...(await stored('wrong-ca')), ...(await stored('misnamed'))]).toEqual([]);
  });

  it('role_arn through the TLS endpoint: the AssumeRole call trusts ca_file too', async () => {
    const assumer = await createIamUser(moto, 'tls-assumer', [
      { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/tls-*' },
    ]);
    const role = await createIamRole(moto, 'tls-writer', assumer.arn, [putOnlyStatement(moto)]);
    const credentials = { key_file: await moto.writeKeyFile(assumer, work), role_arn: role };
    const forwardedBefore = proxy.forwarded.length;
    const result = await runCli([
      'run',
      '-c',
      await configFile('tls-role', { ca_file: pki.caFile, credentials }),
      '--json',
    ]);
    await expectLanded(moto, result, [...secrets, assumer.secretAccessKey]);
    expect(proxy.forwarded.slice(forwardedBefore)).toContain('POST /'); // AssumeRole went through the proxy
  });

  it('an unreadable ca_file is a config error (exit 2)', async () => {
    const missing = join(work, 'no-such-ca.pem');
    const result = await runCli(['run', '-c', await configFile('missing-ca', { ca_file: missing })]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`backup-agent: destination.ca_file ${missing}: cannot read: ENOENT`);
  });
});
