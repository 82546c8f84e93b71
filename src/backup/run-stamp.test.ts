import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { timeParts } from '../layout/keys.js';
import { claimRunStamp, lastStampPath } from './run-stamp.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'run-stamp-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('claimRunStamp', () => {
  it('records the stamp, and a second run in the same second waits for the next one', async () => {
    const { started: first } = await claimRunStamp(dir);
    expect(await readFile(lastStampPath(dir), 'utf8')).toBe(`${timeParts(first).stamp}\n`);
    const { started: second, waitedMs } = await claimRunStamp(dir);
    expect(waitedMs).toBeGreaterThan(0);
    expect(timeParts(second).stamp).not.toBe(timeParts(first).stamp);
    expect(second.getTime()).toBeGreaterThan(first.getTime());
    expect(second.getTime() - first.getTime()).toBeLessThan(2500);
    expect(await readFile(lastStampPath(dir), 'utf8')).toBe(`${timeParts(second).stamp}\n`);
  });

  it('does not wait when the previous run used another second', async () => {
    await claimRunStamp(dir, () => new Date('2026-11-22T03:15:00.400Z'));
    const t0 = Date.now();
    const next = await claimRunStamp(dir, () => new Date('2026-11-22T03:15:01.100Z'));
    expect(Date.now() - t0).toBeLessThan(500);
    expect(next.waitedMs).toBe(0);
    expect(timeParts(next.started).stamp).toBe('20261122T031501Z');
  });

  it('explains a state_dir where the stamp cannot be recorded', async () => {
    await expect(claimRunStamp(join(dir, 'missing'))).rejects.toMatchObject({
      code: 'STATE_DIR_FAILED',
      message: expect.stringContaining('(check state_dir)') as string,
    });
  });
});
