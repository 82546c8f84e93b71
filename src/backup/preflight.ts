// `backup-agent check`'s work: everything a backup needs, tested without uploading one, in the
// order a run meets it: secret files, state_dir, tools, assets, then the destination.
import { randomBytes } from 'node:crypto';
import { unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { destinationsOf } from '../config/destinations.js';
import { placeholderBucketProblem, placeholderProblem } from '../config/placeholder-secrets.js';
import type { Config } from '../config/schema.js';
import { checkSecretFile } from '../config/secret-file-check.js';
import { secretFilesOf } from '../config/secret-files.js';
import { probeLocal } from '../destinations/local-probe.js';
import { probeS3 } from '../destinations/s3-probe.js';
import { checkKey } from '../layout/keys.js';
import { errorText, fail, ok, warn, type CheckResult } from '../shared/check-result.js';
import type { Logger } from '../shared/logger.js';
import { plannedDirectory } from '../shared/planned-directory.js';
import { sourceFor, sources } from '../sources/registry.js';
import { planCompressor } from '../transforms/compress.js';

export interface PreflightOptions {
  signal: AbortSignal;
  logger: Logger;
  /** Time used in the check object's key (tests). */
  now?: Date;
}

/** Runs every check for `config` and returns the results in order; never throws for a failed check. */
export async function preflight(config: Config, options: PreflightOptions): Promise<CheckResult[]> {
  const { signal, logger } = options;
  const results: CheckResult[] = [];
  const files = secretFilesOf(config);
  const defined = (p: string | undefined): p is string => p !== undefined;
  const problems = (await Promise.all(files.map(checkSecretFile))).filter(defined);
  // Stubs that `init` wrote: a destination probe with them would only send a made-up key to S3.
  const stubs = await Promise.all(files.map(placeholderProblem));
  const placeholders = stubs.filter(defined);
  const stubKey = files.some((file, i) => file.label.endsWith('key_file') && stubs[i] !== undefined);
  results.push(...[...problems, ...placeholders].map((p) => fail('secret files', p)));
  if (files.length > 0 && problems.length === 0 && placeholders.length === 0)
    results.push(ok('secret files', `${files.map((f) => f.label).join(', ')}: readable and private to their owner`));
  const bucket = placeholderBucketProblem(config);

  results.push(await checkStateDir(config.state_dir));
  if (config.metrics) {
    const dir = dirname(config.metrics.textfile);
    const problem = await writable(dir);
    results.push(
      problem === undefined
        ? ok('metrics', `${dir} is writable`)
        : warn(
            'metrics',
            `cannot write in ${dir}: ${problem}: the backup would succeed, but ${config.metrics.textfile} would not be updated`,
          ),
    );
  }

  for (const source of sources) {
    const assets = config.assets.filter((a) => a.type === source.type);
    if (assets.length > 0 && source.checkTools) results.push(...(await source.checkTools(assets, signal)));
  }
  results.push(
    await planCompressor(config.compression.algorithm, config.compression.level).then(
      (plan) => ok('compression', plan.engine),
      (error: unknown) => fail('compression', errorText(error)),
    ),
  );
  if (config.encryption) {
    // The age library is loaded only when encryption is configured.
    const { planEncryptor } = await import('../transforms/encrypt.js');
    results.push(
      await planEncryptor(config.encryption).then(
        (plan) => ok('encryption', plan.engine),
        (error: unknown) => fail('encryption', errorText(error)),
      ),
    );
  }

  for (const asset of config.assets) {
    if (signal.aborted) break;
    results.push(await sourceFor(asset).checkAsset(asset, signal));
  }

  if (bucket !== undefined || stubKey) {
    results.push(
      fail('destination', bucket ?? "not tried while the credentials are init's placeholders (see secret files above)"),
    );
  } else {
    const all = destinationsOf(config);
    for (const d of all) {
      if (signal.aborted) break;
      const key = checkKey(d.prefix, config.host, options.now ?? new Date());
      const probed = d.type === 's3' ? await probeS3(d, key, logger, signal) : [await probeLocal(d, key, signal)];
      // With several destinations each line names the one it probed.
      results.push(...(all.length > 1 ? probed.map((r) => ({ ...r, check: `${d.name}: ${r.check}` })) : probed));
    }
  }
  return results;
}

/** state_dir takes the lock and last-run.json; a missing one is created by the first run, so check only says whether it could be. */
async function checkStateDir(dir: string): Promise<CheckResult> {
  const planned = await plannedDirectory(dir);
  if (!planned.exists) {
    return planned.problem === undefined
      ? ok(
          'state_dir',
          `${dir} does not exist yet: the first run creates it (mode 0700) in ${planned.ancestor}, which is writable`,
        )
      : fail(
          'state_dir',
          `${dir} does not exist and cannot be created in ${planned.ancestor}: ${planned.problem}: runs need it for their lock; create it owned by the backup user`,
        );
  }
  const problem = await writable(dir);
  return problem === undefined
    ? ok('state_dir', `${dir} is writable (lock, last-run.json)`)
    : fail(
        'state_dir',
        `${dir}: cannot write: ${problem}: runs need it for their lock; make it writable by the backup user`,
      );
}

/** Why the existing `dir` does not take a new file, or undefined when it does (the probe file is removed again). */
async function writable(dir: string): Promise<string | undefined> {
  const probe = join(dir, `.backup-agent-check-${randomBytes(6).toString('hex')}`);
  try {
    await writeFile(probe, '', { flag: 'wx', mode: 0o600 });
    await unlink(probe);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  }
}
