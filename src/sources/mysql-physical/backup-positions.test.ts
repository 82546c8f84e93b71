import { describe, expect, it } from 'vitest';
import { parseBinlogPosition, physicalRecordOf } from './backup-positions.js';

// As mariabackup 10.11 wrote them into --extra-lsndir (the test suite's server, binary log on).
const CHECKPOINTS =
  'backup_type = incremental\nfrom_lsn = 44744\nto_lsn = 44744\nlast_lsn = 52969\nrecover_binlog_info = 0\n';
const INFO = [
  'uuid = d2d10c12-f0ac-11f1-b8be-02fc00000001',
  'tool_name = mariabackup',
  'tool_version = 10.11.19-MariaDB',
  'server_version = 10.11.19-MariaDB-0+deb12u1-log',
  "binlog_pos = filename 'binlog.000001', position '3537', GTID of the last change '0-1-19'",
].join('\n');

describe('physicalRecordOf', () => {
  it('reads the LSNs as decimal strings and the binlog position and GTID', () => {
    expect(physicalRecordOf(CHECKPOINTS, INFO)).toEqual({
      tool: 'mariabackup',
      tool_version: '10.11.19-MariaDB',
      server_version: '10.11.19-MariaDB-0+deb12u1-log',
      backup_type: 'incremental',
      from_lsn: '44744',
      to_lsn: '44744',
      last_lsn: '52969',
      binlog_file: 'binlog.000001',
      binlog_position: 3537,
      gtid: '0-1-19',
    });
  });

  it('keeps LSNs past 2^53 exact, and finds checkpoints without an LSN suspect', () => {
    const big = CHECKPOINTS.replace('52969', '18446744073709551000');
    expect(physicalRecordOf(big, INFO)?.last_lsn).toBe('18446744073709551000');
    expect(physicalRecordOf('backup_type = full-backuped\n', INFO)).toBeUndefined();
  });

  it('leaves the binlog fields out when binary logging is off, and reads xtrabackup form without a GTID', () => {
    expect(parseBinlogPosition(undefined)).toEqual({});
    expect(parseBinlogPosition("filename 'binlog.000002', position '157'")).toEqual({
      binlog_file: 'binlog.000002',
      binlog_position: 157,
    });
  });
});
