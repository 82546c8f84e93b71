import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { binlogAssetSchema } from './binlog-asset-schema.js';
import { positionPath, writePosition } from './binlog-state.js';
import { binlogStreamStatus } from './stream-status.js';

let stateDir: string;
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'ba-stream-status-'));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

const asset = binlogAssetSchema.parse({ name: 'shop-binlog', type: 'mysql-binlog', upload_interval: '30s' });
const position = { series: '7-20261206T020000Z', server_id: 7, file: 'binlog.000003', offset: 1234, segment: 9 };
const now = new Date('2026-12-06T03:00:00Z');

describe('binlogStreamStatus', () => {
  it('a stream that never shipped is unhealthy and says where its state would be', async () => {
    const status = await binlogStreamStatus(asset, stateDir, now);
    expect(status.healthy).toBe(false);
    expect(status.detail).toContain(positionPath(stateDir, 'shop-binlog'));
  });

  it('caught up 2 minutes ago: healthy, with the position', async () => {
    await writePosition(positionPath(stateDir, 'shop-binlog'), {
      ...position,
      caught_up_at: '2026-12-06T02:58:00.000Z',
    });
    expect(await binlogStreamStatus(asset, stateDir, now)).toEqual({
      caught_up_at: '2026-12-06T02:58:00.000Z',
      behind_seconds: 120,
      healthy: true,
      detail: 'stream caught up 2m ago at binlog.000003 byte 1234',
    });
  });

  it('caught up over 5 minutes ago (and over 3 upload intervals): unhealthy', async () => {
    await writePosition(positionPath(stateDir, 'shop-binlog'), {
      ...position,
      caught_up_at: '2026-12-06T02:54:00.000Z',
    });
    const status = await binlogStreamStatus(asset, stateDir, now);
    expect(status.healthy).toBe(false);
    expect(status.detail).toMatch(
      /^stream caught up 6m ago at binlog\.000003 byte 1234; is `backup-agent binlog` running/,
    );
  });

  it('a position without a caught-up time (shipping, never caught up) is unhealthy', async () => {
    await writePosition(positionPath(stateDir, 'shop-binlog'), position);
    const status = await binlogStreamStatus(asset, stateDir, now);
    expect(status).toMatchObject({ healthy: false });
    expect(status.detail).toMatch(/never caught up \(at binlog\.000003 byte 1234\)/);
  });
});
