import { describe, expect, it } from 'vitest';
import {
  childEnvironment,
  childStage,
  describeExit,
  programFailure,
  runChild,
  startChild,
  stderrTail,
  tail,
} from './child-process.js';

describe('childEnvironment', () => {
  const env = {
    PATH: '/usr/bin',
    HOME: '/root',
    TZ: 'UTC',
    LANG: 'de_DE.UTF-8',
    AWS_SECRET_ACCESS_KEY: 's',
    MYSQL_PASSWORD: 'p',
    GITHUB_TOKEN: 't',
    API_KEY: 'k',
    MAIL_CONFIG: '/etc/postfix',
  };

  it('gives each policy only its variables', () => {
    expect(childEnvironment('empty', env)).toEqual({});
    expect(childEnvironment('c-locale', env)).toEqual({ LC_ALL: 'C', PATH: '/usr/bin' });
    expect(childEnvironment('client', env)).toEqual({ LC_ALL: 'C', PATH: '/usr/bin', HOME: '/root', TZ: 'UTC' });
  });

  it('passes the operator environment on without anything named like a credential', () => {
    expect(childEnvironment('operator', env)).toEqual({
      PATH: '/usr/bin',
      HOME: '/root',
      TZ: 'UTC',
      LANG: 'de_DE.UTF-8',
      MAIL_CONFIG: '/etc/postfix',
    });
  });

  it('is what a started child sees', async () => {
    process.env.BACKUP_AGENT_TEST_PASSWORD = 'hunter2';
    try {
      const result = await runChild('sh', ['-c', 'env'], { env: 'client' });
      expect(String(result.stdout)).toContain('LC_ALL=C');
      expect(String(result.stdout)).not.toContain('hunter2');
      const operator = await runChild('sh', ['-c', 'env'], { env: 'operator' });
      expect(String(operator.stdout)).not.toContain('hunter2');
    } finally {
      delete process.env.BACKUP_AGENT_TEST_PASSWORD;
    }
  });
});

describe('startChild', () => {
  it('never rejects: a failure to start is in the result', async () => {
    const result = await runChild('/nonexistent/program', [], { env: 'empty' });
    expect(result.failed).toBe(true);
    expect(programFailure('/nonexistent/program', result, '')).toMatch(/^program exited \?: .*ENOENT/);
  });

  it('keeps a bounded tail of stderr', async () => {
    const child = startChild(
      'sh',
      ['-c', 'head -c 10000 /dev/zero | tr "\\0" x >&2; echo >&2; echo last words >&2; exit 3'],
      { env: 'c-locale', buffer: false },
    );
    const stderr = stderrTail(child, 100);
    const result = await child;
    expect(stderr().length).toBe(100);
    expect(programFailure('/bin/sh', result, stderr())).toMatch(/^sh exited 3: x+ \| last words$/);
  });
});

describe('childStage', () => {
  it('is a Duplex through the program, erroring when it fails', async () => {
    const { Readable } = await import('node:stream');
    const { text } = await import('node:stream/consumers');
    const signal = new AbortController().signal;
    expect(await text(Readable.from(['abc']).pipe(childStage({ file: '/bin/cat', args: [] }, signal)))).toBe('abc');
    await expect(
      text(
        Readable.from(['abc']).pipe(
          childStage({ file: '/bin/sh', args: ['-c', 'cat >/dev/null; echo broken >&2; exit 4'] }, signal),
        ),
      ),
    ).rejects.toThrow(/broken/);
  });
});

describe('tail', () => {
  it('keeps the last non-empty, trimmed lines joined for one-line messages', () => {
    expect(tail('mysqldump: starting\n\n  Got error: 1045  \nAccess denied for user\n\nexiting\n')).toBe(
      'Got error: 1045 | Access denied for user | exiting',
    );
    expect(tail('one\ntwo\nthree', 1)).toBe('three');
    expect(tail('only')).toBe('only');
  });

  it('returns an empty string for no text', () => {
    expect(tail(undefined)).toBe('');
    expect(tail('\n \n')).toBe('');
  });
});

describe('describeExit', () => {
  it('names the exit status, or the signal that ended the child', () => {
    expect(describeExit({ exitCode: 3 })).toBe('exited 3');
    expect(describeExit({ signal: 'SIGKILL' })).toBe('was killed by SIGKILL');
    expect(describeExit({})).toBe('exited ?');
  });
});
