import { describe, expect, it } from 'vitest';
import { classifyTarMessage } from './tar-messages.js';

describe('classifyTarMessage', () => {
  it('turns progress checkpoints into archive bytes written (records of 10240 bytes)', () => {
    expect(classifyTarMessage('tar: @backup-agent-checkpoint 300')).toEqual({ kind: 'checkpoint', bytes: 300 * 10240 });
    expect(classifyTarMessage('/usr/bin/tar: @backup-agent-checkpoint 1')).toEqual({ kind: 'checkpoint', bytes: 10240 });
    expect(classifyTarMessage('tar: @backup-agent-checkpoint 3: Cannot open: Permission denied').kind).toBe('skipped');
  });

  it('turns unreadable and vanished files into skipped entries with absolute paths', () => {
    expect(classifyTarMessage('/usr/bin/tar: srv/www/key.pem: Cannot open: Permission denied')).toEqual({
      kind: 'skipped', entry: { path: '/srv/www/key.pem', reason: 'Cannot open: permission denied' },
    });
    expect(classifyTarMessage('tar: srv/a b/c: Cannot stat: No such file or directory')).toEqual({
      kind: 'skipped', entry: { path: '/srv/a b/c', reason: 'Cannot stat: no such file or directory' },
    });
    expect(classifyTarMessage('tar: var/log/x: File removed before we read it')).toEqual({
      kind: 'skipped', entry: { path: '/var/log/x', reason: 'removed before it was read' },
    });
  });

  it('turns changed and shrunk files into warnings', () => {
    expect(classifyTarMessage('tar: var/log/syslog: file changed as we read it')).toEqual({
      kind: 'warning', entry: { path: '/var/log/syslog', reason: 'file changed as we read it' },
    });
    expect(classifyTarMessage('/bin/tar: var/db/big: File shrank by 1024 bytes; padding with zeros').kind).toBe('warning');
  });

  it('ignores the closing line and keeps anything else as unknown (a real failure)', () => {
    expect(classifyTarMessage('/usr/bin/tar: Exiting with failure status due to previous errors')).toEqual({ kind: 'ignore' });
    expect(classifyTarMessage('tar: -: Cannot write: Broken pipe')).toEqual({ kind: 'unknown', line: 'tar: -: Cannot write: Broken pipe' });
  });

  it('reads the archive size from --totals', () => {
    expect(classifyTarMessage('Total bytes written: 213135360 (204MiB, 188MiB/s)')).toEqual({ kind: 'totals', bytes: 213135360 });
  });
});
