// Words a decryption failure for people; apart from decrypt.ts so the read path can name a failure
// without loading the age library (decrypt.ts stays a lazily loaded chunk).
import { tail } from '../shared/child-process.js';

/** One line for a decryption failure: a wrong identity is said so. */
export function describeDecryptFailure(error: unknown): string {
  const e = error as { stderr?: unknown; message?: string };
  const text = typeof e.stderr === 'string' && e.stderr !== '' ? tail(e.stderr, 2) : (e.message ?? String(error));
  if (/no identity matched|incorrect passphrase|no identities? (matched|found)/i.test(text)) {
    return `decryption failed: the --identity does not match this backup's recipients (${text.replace(/^age: error: /, '')})`;
  }
  return `decryption failed: ${text.replace(/^age: error: /, '')}`;
}
