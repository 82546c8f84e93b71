// Reads what mariabackup/xtrabackup wrote into --extra-lsndir (xtrabackup_checkpoints, xtrabackup_info):
// the LSNs a differential starts from and the binary log position the backup is consistent with.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PhysicalRecord } from '../../layout/manifest.js';

/** `key = value` lines as a map (the format of both files). */
export function parseKeyValues(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) values.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return values;
}

/**
 * The binlog position from `binlog_pos` of xtrabackup_info: MariaDB writes
 * `filename 'binlog.000001', position '2993', GTID of the last change '0-1-16'`; xtrabackup
 * `filename 'binlog.000002', position '157'` (and a GTID set after it when GTIDs are on).
 */
export function parseBinlogPosition(
  value: string | undefined,
): Pick<PhysicalRecord, 'binlog_file' | 'binlog_position' | 'gtid'> {
  if (value === undefined) return {};
  const file = /filename '([^']*)'/.exec(value)?.[1];
  const position = /position '(\d+)'/.exec(value)?.[1];
  const gtid = /GTID of the last change '([^']*)'/.exec(value)?.[1];
  return {
    ...(file ? { binlog_file: file } : {}),
    ...(position ? { binlog_position: Number(position) } : {}),
    ...(gtid ? { gtid } : {}),
  };
}

/** The record from the two files' text; undefined when the checkpoints lack an LSN (a suspect directory). */
export function physicalRecordOf(checkpoints: string, info: string): PhysicalRecord | undefined {
  const lsns = parseKeyValues(checkpoints);
  const facts = parseKeyValues(info);
  const [from, to, last] = ['from_lsn', 'to_lsn', 'last_lsn'].map((name) => lsns.get(name));
  if (![from, to, last].every((lsn) => lsn !== undefined && /^\d+$/.test(lsn))) return undefined;
  return {
    tool: facts.get('tool_name')?.trim() ? (facts.get('tool_name') ?? '') : 'unknown',
    tool_version: facts.get('tool_version') ?? '',
    server_version: facts.get('server_version') ?? '',
    backup_type: lsns.get('backup_type') ?? '',
    from_lsn: from ?? '',
    to_lsn: to ?? '',
    last_lsn: last ?? '',
    ...parseBinlogPosition(facts.get('binlog_pos')),
  };
}

/** Reads `dir`'s xtrabackup_checkpoints and xtrabackup_info; undefined when either is missing or suspect. */
export async function readPositions(dir: string): Promise<PhysicalRecord | undefined> {
  const read = (name: string) => readFile(join(dir, name), 'utf8').catch(() => undefined);
  const [checkpoints, info] = await Promise.all([read('xtrabackup_checkpoints'), read('xtrabackup_info')]);
  if (checkpoints === undefined) return undefined;
  return physicalRecordOf(checkpoints, info ?? '');
}
