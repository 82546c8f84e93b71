// Finds the placeholders `init` writes (REPLACE_ME in the secret files, its stand-in bucket) still in
// place, so `check` fails on them with what to put there instead of passing on stub credentials.
import { open } from 'node:fs/promises';
import { destinationsOf } from './destinations.js';
import type { Config } from './schema.js';
import type { SecretFile } from './secret-file-check.js';
import { PLACEHOLDER, PLACEHOLDER_BUCKET } from './starter-files.js';

/** Secret files are small; a placeholder sits near the top of the stubs init writes. */
const READ_LIMIT = 64 * 1024;

/** What belongs where init left a placeholder, by the file's label. */
function whatBelongs(label: string): string {
  if (label.endsWith('key_file'))
    return 'the access key of the put-only IAM user (aws_access_key_id and aws_secret_access_key under [default]; `backup-agent policy` prints its policy)';
  if (label.endsWith('defaults_file'))
    return 'the user and password of the MySQL backup user (GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON *.*)';
  return 'the real secret';
}

/** The problem when `file` still holds init's placeholder; undefined when it does not (or cannot be read: checked elsewhere). */
export async function placeholderProblem(file: SecretFile): Promise<string | undefined> {
  let text: string;
  try {
    const handle = await open(file.path, 'r');
    try {
      const { bytesRead, buffer } = await handle.read(Buffer.alloc(READ_LIMIT), 0, READ_LIMIT, 0);
      text = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
  // Comments may mention the word; only values count.
  const values = text.split(/\r?\n/).filter((line) => !/^\s*[#;]/.test(line));
  if (!values.some((line) => line.includes(PLACEHOLDER))) return undefined;
  return `${file.label} ${file.path} still holds the ${PLACEHOLDER} placeholder written by \`backup-agent init\`: put ${whatBelongs(file.label)} there`;
}

/** The problem when a destination is still init's stand-in bucket. */
export function placeholderBucketProblem(config: Config): string | undefined {
  const d = destinationsOf(config).find((d) => d.type === 's3' && d.bucket === PLACEHOLDER_BUCKET);
  if (!d) return undefined;
  return `destination.bucket is still "${PLACEHOLDER_BUCKET}", the placeholder written by \`backup-agent init\`: set the bucket the backups go to`;
}
