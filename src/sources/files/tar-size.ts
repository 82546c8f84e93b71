// Estimates the size of the archive GNU tar writes, from the walker's lstat, so the progress display
// can show a total and an ETA for files while tar streams straight into the compressor.
import { TAR_RECORD_SIZE } from './tar-messages.js';

const BLOCK = 512;
/** Per member: its ustar header plus a pax extended header (header + one block; posix format stores sub-second mtimes there). */
const MEMBER_OVERHEAD = 3 * BLOCK;

/** What the estimate needs of an lstat. */
export interface MemberStats {
  isFile(): boolean;
  size: number;
  /** 512-byte blocks allocated: fewer than the size needs means a sparse file, stored as its data (tar --sparse). */
  blocks: number;
}

/** Archive bytes of one member: headers, and for a regular file its data (the allocated part of a sparse one, plus its map) padded to whole blocks. */
export function tarMemberSize(stats: MemberStats): number {
  if (!stats.isFile()) return MEMBER_OVERHEAD;
  const allocated = stats.blocks * BLOCK;
  if (allocated < stats.size) return MEMBER_OVERHEAD + BLOCK + allocated;
  return MEMBER_OVERHEAD + Math.ceil(stats.size / BLOCK) * BLOCK;
}

/** The whole archive for members totalling `members` bytes: two end blocks, padded to a full record. */
export function tarArchiveSize(members: number): number {
  return Math.ceil((members + 2 * BLOCK) / TAR_RECORD_SIZE) * TAR_RECORD_SIZE;
}

/** A running estimate: members are added while the walker lists them; the total is known once it finished. */
export class TarSizeEstimate {
  #members = 0;
  #complete = false;

  add(stats: MemberStats): void {
    this.#members += tarMemberSize(stats);
  }

  /** The walker listed every member. */
  complete(): void {
    this.#complete = true;
  }

  /** The archive's expected size, or undefined while members are still being listed. */
  total(): number | undefined {
    return this.#complete ? tarArchiveSize(this.#members) : undefined;
  }
}
