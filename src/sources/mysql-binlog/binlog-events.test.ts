import { describe, expect, it } from 'vitest';
import { BinlogEventWalker } from './binlog-events.js';

/** One event: a 19-byte header (timestamp, type, server_id, size, end, flags) and a body. */
function event(stamp: number, bodyBytes: number): Buffer {
  const bytes = Buffer.alloc(19 + bodyBytes, 0x61);
  bytes.writeUInt32LE(stamp, 0);
  bytes.writeUInt8(2, 4);
  bytes.writeUInt32LE(7, 5);
  bytes.writeUInt32LE(19 + bodyBytes, 9);
  return bytes;
}
const file = Buffer.concat([
  Buffer.from([0xfe, 0x62, 0x69, 0x6e]),
  event(0, 40),
  event(1_765_000_000, 10),
  event(1_765_000_005, 100),
]);

/** Pushes `bytes` in pieces of `size`. */
function walk(bytes: Buffer, size: number) {
  const walker = new BinlogEventWalker('binlog.000001');
  for (let at = 0; at < bytes.length; at += size) walker.push(bytes.subarray(at, at + size));
  return walker.result();
}

describe('BinlogEventWalker', () => {
  it('finds the last whole event and its time, however the bytes are split', () => {
    for (const size of [1, 5, 19, 64, file.length]) {
      expect(walk(file, size)).toEqual({
        events: 3,
        complete: file.length,
        lastEventAt: new Date(1_765_000_005_000),
      });
    }
  });

  it('does not count an event whose bytes are not all there', () => {
    const cut = walk(file.subarray(0, file.length - 1), 7);
    expect(cut).toMatchObject({ events: 2, lastEventAt: new Date(1_765_000_000_000) });
    expect(cut.complete).toBe(4 + 59 + 29);
  });

  it('says when the bytes are no binary log', () => {
    expect(walk(Buffer.from('-- MariaDB dump'), 4).problem).toBe(
      'binlog.000001 does not begin with the binlog magic bytes',
    );
    const bad = Buffer.concat([file.subarray(0, 4), Buffer.alloc(19)]);
    expect(walk(bad, 3).problem).toBe('binlog.000001 byte 4: an event of 0 bytes: not a binary log event');
  });
});
