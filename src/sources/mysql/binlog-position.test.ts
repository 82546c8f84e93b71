import { describe, expect, it } from 'vitest';
import { BinlogPositionScanner, parseDumpBinlogPosition } from './binlog-position.js';

// The head and tail of `mariadb-dump --single-transaction --master-data=2 --databases shop` (10.11).
const HEAD = `-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)
/*!40111 SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0 */;

--
-- Alternately, following is the position of the binary logging from SHOW MASTER STATUS at point of backup.
-- Use this when creating a slave of the master server where the backup was made.
-- The new server will be connecting to the master server where the backup was taken.
--

-- CHANGE MASTER TO MASTER_LOG_FILE='binlog.000001', MASTER_LOG_POS=1222;

--
-- A corresponding to the above master-data CHANGE-MASTER settings to the slave gtid state is printed as comments later in the file.
--
`;
const TAIL = `UNLOCK TABLES;

--
-- The deferred gtid setting for slave corresponding to the master-data CHANGE-MASTER follows
--

-- SET GLOBAL gtid_slave_pos='0-1-5';
/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;

-- Dump completed on 2026-12-05 18:22:52
`;

describe('parseDumpBinlogPosition', () => {
  it('reads file, position and GTID', () => {
    expect(parseDumpBinlogPosition(HEAD, TAIL)).toEqual({ file: 'binlog.000001', position: 1222, gtid: '0-1-5' });
  });
  it('keeps a multi-domain GTID position whole', () => {
    const tail = TAIL.replace("'0-1-5'", "'0-1-5,1-2-77'");
    expect(parseDumpBinlogPosition(HEAD, tail)?.gtid).toBe('0-1-5,1-2-77');
  });
  it('records no GTID when the server never wrote one', () => {
    expect(parseDumpBinlogPosition(HEAD, TAIL.replace("'0-1-5'", "''"))).toEqual({
      file: 'binlog.000001',
      position: 1222,
    });
  });
  it('records nothing for a dump without --master-data', () => {
    expect(parseDumpBinlogPosition('-- MariaDB dump 10.19\nCREATE TABLE t (a int);\n', TAIL)).toBeUndefined();
  });
  it('ignores the same text inside table data (not a comment line)', () => {
    const data = "INSERT INTO t VALUES ('-- CHANGE MASTER TO MASTER_LOG_FILE=''x'', MASTER_LOG_POS=1;');\n";
    expect(parseDumpBinlogPosition(data, '')).toBeUndefined();
  });
});

describe('BinlogPositionScanner', () => {
  it('finds the position across chunk boundaries with megabytes of data between head and tail', () => {
    const scanner = new BinlogPositionScanner();
    const whole = Buffer.from(HEAD + `INSERT INTO t VALUES ${"('x'),".repeat(400_000)}('y');\n` + TAIL);
    for (let at = 0; at < whole.length; at += 997) scanner.write(whole.subarray(at, at + 997));
    expect(scanner.result()).toEqual({ file: 'binlog.000001', position: 1222, gtid: '0-1-5' });
  });
});
