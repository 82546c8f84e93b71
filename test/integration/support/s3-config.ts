// Writes the configs and secret files that credential and TLS tests hand to the CLI.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeConfig } from './cli.js';
import type { MotoServer } from './moto.js';

/**
 * Writes `work/NAME/config.yml`: host NAME, state in that directory, a files asset `data` of
 * `paths`, retention daily only (keys under `daily/`), and moto's bucket and prefix as the destination, with `destination` merged over it.
 * Resolves to the config's path.
 */
export async function writeS3Config(
  moto: MotoServer,
  work: string,
  name: string,
  paths: string[],
  destination: Record<string, unknown>,
): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  return writeConfig(dir, {
    host: name,
    state_dir: join(dir, 'state'),
    destination: {
      type: 's3',
      bucket: moto.bucket,
      endpoint: moto.endpoint,
      force_path_style: true,
      prefix: moto.prefix,
      ...destination,
    },
    retention: { daily: 7 }, // one tier: keys are under daily/ on any date (on the 1st the default makes them monthly)
    assets: [{ name: 'data', type: 'files', paths }],
  });
}

/** moto's bucket as a config `destination`, signed by the put-only user (its key file written into `work`). */
export async function putOnlyDestination(moto: MotoServer, work: string): Promise<Record<string, unknown>> {
  return {
    type: 's3',
    bucket: moto.bucket,
    endpoint: moto.endpoint,
    force_path_style: true,
    prefix: moto.prefix,
    credentials: { key_file: await moto.writeKeyFile(moto.putOnly, work) },
  };
}

/** Writes `text` to `path` with `mode` (default 0600, also when the file existed); resolves to `path`. */
export async function writePrivateFile(path: string, text: string, mode = 0o600): Promise<string> {
  await writeFile(path, text, { mode });
  await chmod(path, mode);
  return path;
}
