// `backup-agent lifecycle` against moto with IAM enforced: the printed JSON is a valid lifecycle
// document; --apply as admin merges this prefix's rules and keeps other prefixes'; put-only is refused.
import {
  CreateBucketCommand,
  GetBucketLifecycleConfigurationCommand,
  PutBucketLifecycleConfigurationCommand,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type MotoServer } from './support/moto.js';
import { runCli, writeConfig } from './support/cli.js';
import { ifStarted } from './support/if-started.js';

let moto: MotoServer;
let work: string;
let adminKey: string;
let putOnlyKey: string;

beforeAll(async () => {
  moto = await startMoto();
  work = await mkdtemp(join(tmpdir(), 'ba-lifecycle-'));
  adminKey = await moto.writeKeyFile(moto.admin, work);
  putOnlyKey = await moto.writeKeyFile(moto.putOnly, work);
});
afterAll(async () => {
  await ifStarted(moto)?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function config(
  name: string,
  prefix: string,
  retention: Record<string, number>,
  bucket = moto.bucket,
): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  return writeConfig(dir, {
    host: name,
    state_dir: join(dir, 'state'),
    // The host's own key is put-only: lifecycle --apply must never use it.
    destination: {
      type: 's3',
      bucket,
      endpoint: moto.endpoint,
      force_path_style: true,
      prefix,
      credentials: { key_file: putOnlyKey },
    },
    retention,
    assets: [{ name: 'data', type: 'files', paths: [dir] }],
  });
}

async function bucketRules(bucket = moto.bucket): Promise<LifecycleRule[]> {
  const result = await moto.adminClient().send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
  return result.Rules ?? [];
}

describe('backup-agent lifecycle', () => {
  it('prints a document that PutBucketLifecycleConfiguration accepts as is', async () => {
    const printed = await runCli([
      'lifecycle',
      '-c',
      await config('print', 'web/', { daily: 7, weekly: 28, monthly: 365 }),
    ]);
    expect(printed.exitCode, printed.stderr).toBe(0);
    const document = JSON.parse(printed.stdout) as { Rules: LifecycleRule[] };
    expect(
      document.Rules.map((r) => [
        r.Filter?.Prefix,
        r.Expiration?.Days ?? r.AbortIncompleteMultipartUpload?.DaysAfterInitiation,
      ]),
    ).toEqual([
      ['web/daily/', 7],
      ['web/weekly/', 28],
      ['web/monthly/', 365],
      ['web/_check/', 1],
      ['web/', 7],
    ]);
    await moto.adminClient().send(new CreateBucketCommand({ Bucket: 'printed-lifecycle' }));
    await moto
      .adminClient()
      .send(
        new PutBucketLifecycleConfigurationCommand({ Bucket: 'printed-lifecycle', LifecycleConfiguration: document }),
      );
    expect(await bucketRules('printed-lifecycle')).toHaveLength(5);
  });

  it("--apply as admin adds this prefix's rules and keeps another prefix's and a manual rule", async () => {
    const admin = ['--credentials-file', adminKey];
    const manual: LifecycleRule = {
      ID: 'logs-30d',
      Status: 'Enabled',
      Filter: { Prefix: 'logs/' },
      Expiration: { Days: 30 },
    };
    await moto.adminClient().send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: moto.bucket,
        LifecycleConfiguration: { Rules: [manual] },
      }),
    );
    const db = await runCli(['lifecycle', '--apply', '-c', await config('db', 'db/', { daily: 3 }), ...admin]);
    expect(db.exitCode, db.stderr).toBe(0);
    const web = await runCli([
      'lifecycle',
      '--apply',
      '-c',
      await config('web', 'web/', { daily: 7, monthly: 365 }),
      ...admin,
    ]);
    expect(web.exitCode, web.stderr).toBe(0);
    expect(web.stdout).toContain('added     backup-agent:daily:web/: expire web/daily/ after 7 days');
    expect(web.stdout).toContain(
      'kept      4 rules of other prefixes: logs-30d, backup-agent:daily:db/, backup-agent:_check:db/, backup-agent:abort-uploads:db/',
    );

    const rules = await bucketRules();
    const byId = new Map(rules.map((r) => [r.ID, r]));
    expect(byId.get('logs-30d')).toMatchObject({ Filter: { Prefix: 'logs/' }, Expiration: { Days: 30 } });
    expect(byId.get('backup-agent:daily:db/')).toMatchObject({
      Filter: { Prefix: 'db/daily/' },
      Expiration: { Days: 3 },
    });
    expect(byId.get('backup-agent:daily:web/')).toMatchObject({
      Filter: { Prefix: 'web/daily/' },
      Expiration: { Days: 7 },
    });
    expect(byId.get('backup-agent:monthly:web/')).toMatchObject({
      Filter: { Prefix: 'web/monthly/' },
      Expiration: { Days: 365 },
    });
    expect(byId.get('backup-agent:_check:web/')).toMatchObject({
      Filter: { Prefix: 'web/_check/' },
      Expiration: { Days: 1 },
    });
    expect(byId.get('backup-agent:abort-uploads:web/')).toMatchObject({
      Filter: { Prefix: 'web/' },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
    });
    expect(rules).toHaveLength(8);

    // Shorter daily retention, monthly dropped: only web's rules change.
    const again = await runCli(['lifecycle', '--apply', '-c', await config('web2', 'web/', { daily: 14 }), ...admin]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain('replaced  backup-agent:daily:web/: expire web/daily/ after 14 days');
    expect(again.stdout).toContain('removed   backup-agent:monthly:web/');
    const after = new Map((await bucketRules()).map((r) => [r.ID, r]));
    expect(after.get('backup-agent:daily:web/')?.Expiration?.Days).toBe(14);
    expect(after.has('backup-agent:monthly:web/')).toBe(false);
    expect(after.get('backup-agent:daily:db/')?.Expiration?.Days).toBe(3);
    expect(after.has('logs-30d')).toBe(true);

    const same = await runCli(['lifecycle', '--apply', '-c', await config('web3', 'web/', { daily: 14 }), ...admin]);
    expect(same.stdout).toMatch(/\nnothing to change$/);
  });

  it('refuses --apply with put-only credentials, naming the permissions, and changes nothing', async () => {
    const before = await bucketRules();
    const denied = await runCli([
      'lifecycle',
      '--apply',
      '-c',
      await config('denied', 'web/', { daily: 1 }),
      '--credentials-file',
      putOnlyKey,
    ]);
    expect(denied.exitCode).toBe(1);
    expect(denied.stderr).toContain(
      'denied (AccessDenied): lifecycle --apply needs s3:GetLifecycleConfiguration and s3:PutLifecycleConfiguration',
    );
    expect(denied.stderr).toContain(`arn:aws:s3:::${moto.bucket}`);
    expect(await bucketRules()).toEqual(before);
  });
});
