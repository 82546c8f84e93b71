// Where a dump stands in the server's binary log, read from the dump's own bytes: MariaDB's
// `mariadb-dump --single-transaction --master-data=2` writes its consistent snapshot's file/position as a
// commented CHANGE MASTER near the head and the matching GTID position as a commented
// `SET GLOBAL gtid_slave_pos` near the end. Point-in-time recovery replays the binlog from there.
import type { BinlogRecord } from '../../layout/manifest.js';

/** How many first bytes of a dump are searched for the CHANGE MASTER comment (it follows the ~1 KiB header). */
const HEAD_WINDOW = 64 * 1024;
/** How many last bytes are searched for the GTID comment (it precedes the ~1 KiB trailer and the footer). */
const TAIL_WINDOW = 16 * 1024;

const CHANGE_MASTER = /^-- CHANGE MASTER TO MASTER_LOG_FILE='([^'\n]+)', MASTER_LOG_POS=(\d+);$/m;
const GTID = /^-- SET GLOBAL gtid_slave_pos='([0-9,-]*)';$/m;

/**
 * The position in `head` (the dump's first bytes) and `tail` (its last bytes), or undefined when the
 * dump carries no CHANGE MASTER comment (no --master-data, or a server without binary logging). The GTID
 * is left out when absent or empty (a server that never wrote a GTID event).
 */
export function parseDumpBinlogPosition(head: string, tail: string): BinlogRecord | undefined {
  const change = CHANGE_MASTER.exec(head);
  if (!change) return undefined;
  const position = Number(change[2]);
  if (!Number.isSafeInteger(position)) return undefined;
  const gtid = GTID.exec(tail)?.[1];
  return { file: change[1] ?? '', position, ...(gtid ? { gtid } : {}) };
}

/** Feed it every chunk of a dump in order; `result()` after the last. Keeps at most HEAD_WINDOW + TAIL_WINDOW bytes. */
export class BinlogPositionScanner {
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;

  write(chunk: Buffer): void {
    if (this.headBytes < HEAD_WINDOW) {
      const part = chunk.subarray(0, HEAD_WINDOW - this.headBytes);
      this.head.push(part);
      this.headBytes += part.length;
    }
    // Chunks are kept as references; whole chunks are dropped once the rest still covers the window.
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    for (let first = this.tail[0]; first && this.tail.length > 1; first = this.tail[0]) {
      if (this.tailBytes - first.length < TAIL_WINDOW) break;
      this.tail.shift();
      this.tailBytes -= first.length;
    }
  }

  /** The position the dump recorded, or undefined when it recorded none. */
  result(): BinlogRecord | undefined {
    const text = (parts: Buffer[]) => Buffer.concat(parts).toString('latin1');
    return parseDumpBinlogPosition(text(this.head), text(this.tail).slice(-TAIL_WINDOW));
  }
}
