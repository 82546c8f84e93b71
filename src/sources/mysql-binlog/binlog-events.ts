// Walks the event headers of one binlog file as its bytes stream past, segment after segment, without
// keeping them: `verify` learns from the shipped bytes themselves when the last whole event was written
// (the end of the recovery window) and that they are a binary log at all. Layout (MariaDB/MySQL v4):
// the magic `\xfebin`, then events, each with a 19-byte header: timestamp (u32 LE, seconds), type,
// server_id, event size (u32 LE at byte 9, header included), end position, flags.
import { Writable } from 'node:stream';

const MAGIC = Buffer.from([0xfe, 0x62, 0x69, 0x6e]);
const HEADER_BYTES = 19;

/** What the walk found so far. */
export interface BinlogWalk {
  /** Whole events seen. */
  events: number;
  /** The newest timestamp of a whole event (events stamped 0, such as the client's fake rotate, are skipped). */
  lastEventAt?: Date;
  /** The byte where the last whole event ends. */
  complete: number;
  /** Why the bytes are not a binary log, naming the byte; undefined while they are. */
  problem?: string;
}

/** Reads the headers of one file's events from its bytes, pushed in order from byte 0. */
export class BinlogEventWalker {
  private seen = 0;
  private next = MAGIC.length;
  private head = Buffer.alloc(0);
  private current: { stamp: number; end: number } | undefined;
  private readonly found: BinlogWalk = { events: 0, complete: MAGIC.length };

  constructor(private readonly file: string) {}

  /** Takes the next bytes of the file. */
  push(chunk: Buffer): void {
    const start = this.seen;
    this.seen += chunk.length;
    let i = 0;
    while (i < chunk.length && this.found.problem === undefined) {
      const at = start + i;
      if (at < MAGIC.length) {
        if (chunk[i] !== MAGIC[at]) this.found.problem = `${this.file} does not begin with the binlog magic bytes`;
        i += 1;
      } else if (at < this.next) {
        i += Math.min(this.next - at, chunk.length - i);
      } else {
        const take = chunk.subarray(i, i + HEADER_BYTES - this.head.length);
        this.head = Buffer.concat([this.head, take]);
        i += take.length;
        if (this.head.length === HEADER_BYTES) this.header(this.head);
      }
    }
  }

  private header(head: Buffer): void {
    this.settle();
    const size = head.readUInt32LE(9);
    if (size < HEADER_BYTES) {
      this.found.problem = `${this.file} byte ${this.next}: an event of ${size} bytes: not a binary log event`;
      return;
    }
    this.current = { stamp: head.readUInt32LE(0), end: this.next + size };
    this.next += size;
    this.head = Buffer.alloc(0);
  }

  /** Counts the current event when all its bytes were seen. */
  private settle(): void {
    const event = this.current;
    if (event === undefined || event.end > this.seen) return;
    this.found.events += 1;
    this.found.complete = event.end;
    if (event.stamp > 0) this.found.lastEventAt = new Date(event.stamp * 1000);
    this.current = undefined;
  }

  /** What was found, counting the last event only when its bytes are all there. */
  result(): BinlogWalk {
    this.settle();
    return { ...this.found };
  }

  /** A sink for a read pipeline that pushes into this walker. */
  sink(): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        this.push(chunk);
        callback();
      },
    });
  }
}
