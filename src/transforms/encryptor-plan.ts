// The encryption stage's contract, kept apart from encrypt.ts so a run without encryption never loads
// the age library (~16 MiB of memory).
import type { Duplex } from 'node:stream';

/** How an artifact is encrypted, for --dry-run and logs. */
export interface EncryptorPlan {
  /** `age binary /usr/bin/age, 2 recipients`, `age-encryption (JS), passphrase (...)`, `none`. */
  engine: string;
  /** Appended to artifact and manifest names: `age`, or '' without encryption. */
  extension: 'age' | '';
  /** Creates one stage (plaintext in, age file out); undefined without encryption. */
  create(signal: AbortSignal): Duplex | undefined;
}

/** The plan when `encryption` is not configured. */
export const NO_ENCRYPTION: EncryptorPlan = { engine: 'none', extension: '', create: () => undefined };
