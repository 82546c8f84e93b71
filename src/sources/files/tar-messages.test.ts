import { describe, expect, it } from 'vitest';
import { classifyTarMessage } from './tar-messages.js';

describe('classifyTarMessage', () => {
  it('turns progress checkpoints into archive bytes written (records of 10240 bytes)', () => {
    expect(classifyTarMessage('tar: @backup-agent-checkpoint 300')).toEqual({ kind: 'checkpoint', bytes: 300 * 10240 });
    expect(classifyTarMessage('/usr/bin/tar: @backup-agent-checkpoint 1')).toEqual({
      kind: 'checkpoint',
      bytes: 10240,
    });
    expect(classifyTarMessage('tar: @backup-agent-checkpoint 3: Cannot open: Permission denied').kind).toBe('skipped');
  });

  it('turns unreadable and vanished files into skipped entries with absolute paths', () => {
    expect(classifyTarMessage('/usr/bin/tar: srv/www/key.pem: Cannot open: Permission denied')).toEqual({
      kind: 'skipped',
      entry: { path: '/srv/www/key.pem', reason: 'Cannot open: permission denied' },
    });
    expect(classifyTarMessage('tar: srv/a b/c: Cannot stat: No such file or directory')).toEqual({
      kind: 'skipped',
      entry: { path: '/srv/a b/c', reason: 'Cannot stat: no such file or directory' },
    });
    expect(classifyTarMessage('tar: var/log/x: File removed before we read it')).toEqual({
      kind: 'skipped',
      entry: { path: '/var/log/x', reason: 'removed before it was read' },
    });
  });

  it('turns a changed file into a warning, a shrunk one into an inconsistent entry (the artifact is partial)', () => {
    expect(classifyTarMessage('tar: var/log/syslog: file changed as we read it')).toEqual({
      kind: 'warning',
      entry: { path: '/var/log/syslog', reason: 'file changed as we read it' },
    });
    const shrunk = {
      kind: 'skipped',
      entry: { path: '/var/db/big', reason: 'changed while read: stored copy is not consistent' },
    };
    expect(classifyTarMessage('/bin/tar: var/db/big: File shrank by 1024 bytes; padding with zeros')).toEqual(shrunk);
    expect(classifyTarMessage('tar: var/db/big: File shrank by 1 byte; padding with zeros')).toEqual(shrunk);
    expect(classifyTarMessage('tar: var/db/big: File shrank by 4096 bytes')).toEqual(shrunk);
  });

  it('reads names as tar escapes them (--quoting-style=escape): any bytes, colons and newlines included', () => {
    expect(classifyTarMessage('tar: srv/caf\\351.txt: Cannot open: Permission denied')).toEqual({
      kind: 'skipped',
      entry: { path: '/srv/caf\udce9.txt', reason: 'Cannot open: permission denied' },
    });
    expect(classifyTarMessage('tar: srv/new\\nline\\: x: Cannot open: Permission denied')).toEqual({
      kind: 'skipped',
      entry: { path: '/srv/new\nline: x', reason: 'Cannot open: permission denied' },
    });
    expect(classifyTarMessage('tar: srv/utf\\303\\251 and back\\\\slash: file changed as we read it')).toEqual({
      kind: 'warning',
      entry: { path: '/srv/utfé and back\\slash', reason: 'file changed as we read it' },
    });
  });

  it('turns metadata tar could not read into an entry naming what is missing', () => {
    expect(classifyTarMessage('tar: srv/f: Warning: Cannot acl_get_file_at: Permission denied')).toEqual({
      kind: 'skipped',
      entry: { path: '/srv/f', reason: 'stored without its ACLs: acl_get_file_at: permission denied' },
    });
    expect(classifyTarMessage('tar: srv/f: Warning: Cannot llistxattrat: Input/output error').kind).toBe('skipped');
    expect(classifyTarMessage('tar: srv/f: Warning: Cannot seek to 4096: Invalid argument').kind).toBe('unknown');
  });

  it('ignores the closing line and keeps anything else as unknown (a real failure)', () => {
    expect(classifyTarMessage('/usr/bin/tar: Exiting with failure status due to previous errors')).toEqual({
      kind: 'ignore',
    });
    expect(classifyTarMessage('tar: -: Cannot write: Broken pipe')).toEqual({
      kind: 'unknown',
      line: 'tar: -: Cannot write: Broken pipe',
    });
  });

  it('reads the archive size from --totals', () => {
    expect(classifyTarMessage('Total bytes written: 213135360 (204MiB, 188MiB/s)')).toEqual({
      kind: 'totals',
      bytes: 213135360,
    });
  });
});
