// A pass-through that hashes what it passes and, at the end, fails unless size and sha256 match the manifest.
import type { TransformCallback } from 'node:stream';
import { BackupError } from '../shared/backup-error.js';
import { Measure } from './measure.js';

/**
 * A {@link Measure} (counts and hashes what passes). At the end of input it errors with BackupError
 * INTEGRITY_FAILED when the byte count or sha256 differs from what the manifest recorded, so the
 * stages after it never see a clean end of a corrupted object; a sink must treat that error as
 * "remove what you wrote".
 */
export class ChecksumGate extends Measure {
  /** `sha256` undefined checks the size only; `subject` names what was hashed (default: the stored bytes). */
  constructor(
    private readonly expected: { sha256: string | undefined; bytes: number; location: string; subject?: string },
  ) {
    super({ hash: true });
  }

  override _flush(callback: TransformCallback): void {
    const { sha256, bytes, location, subject = 'the stored bytes' } = this.expected;
    if (this.bytes !== bytes) {
      callback(
        new BackupError(
          'INTEGRITY_FAILED',
          `${location}: size mismatch: read ${this.bytes} bytes, the manifest says ${bytes} (the object is truncated, corrupted or was replaced)`,
        ),
      );
      return;
    }
    const actual = this.sha256();
    if (sha256 !== undefined && actual !== sha256) {
      callback(
        new BackupError(
          'INTEGRITY_FAILED',
          `${location}: sha256 mismatch: ${subject} hash to ${actual}, the manifest says ${sha256} (the object is corrupted or was replaced)`,
        ),
      );
      return;
    }
    callback();
  }
}
