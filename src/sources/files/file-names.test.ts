import { describe, expect, it } from 'vitest';
import { decodeFileName, displayFileName, encodeFileName, fsPath, unquoteTarName } from './file-names.js';
import { createExcluder } from './walk-files.js';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

describe('decodeFileName / encodeFileName', () => {
  it('keeps valid UTF-8 as text, astral characters included', () => {
    for (const name of ['plain.txt', 'ünï cödé.txt', 'emoji 😀 𐂀', 'new\nline', 'back\\slash']) {
      expect(decodeFileName(Buffer.from(name))).toBe(name);
      expect(encodeFileName(name)).toEqual(Buffer.from(name));
      expect(fsPath(name)).toBe(name);
    }
  });

  it('round-trips every byte string, however invalid as UTF-8', () => {
    const cases = [
      bytes('caf', [0xe9], '.txt'),
      bytes('dir', [0xff]),
      bytes([0x80]),
      bytes([0xc3]),
      bytes('a', [0xc3, 0x28]),
      bytes([0xed, 0xa0, 0x80]),
      bytes([0xc0, 0xaf]),
      bytes([0xf4, 0x90, 0x80, 0x80]),
      bytes('𐂀', [0xdc]),
      bytes([0xe2, 0x82]),
      bytes('ok', [0xf0, 0x9f, 0x98]),
      Buffer.from(Array.from({ length: 256 }, (_, i) => i).filter((b) => b !== 0 && b !== 0x2f)),
    ];
    for (const raw of cases) {
      const name = decodeFileName(raw);
      expect(encodeFileName(name)).toEqual(raw);
      expect(fsPath(name)).toEqual(raw);
    }
    expect(decodeFileName(bytes('caf', [0xe9], '.txt'))).toBe('caf\udce9.txt');
  });
});

describe('displayFileName', () => {
  it('shows bytes that are not UTF-8, control characters and backslashes escaped, one way only', () => {
    expect(displayFileName(decodeFileName(bytes('caf', [0xe9], '.txt')))).toBe('caf\\xe9.txt');
    expect(displayFileName(decodeFileName(bytes('dir', [0xff], '/f')))).toBe('dir\\xff/f');
    expect(displayFileName('new\nline\t\x7f')).toBe('new\\x0aline\\x09\\x7f');
    expect(displayFileName('a\\xe9')).toBe('a\\\\xe9');
    expect(displayFileName('ünï cödé 😀 𐂀')).toBe('ünï cödé 😀 𐂀');
  });
});

describe('excludePattern (through createExcluder)', () => {
  const matches = (pattern: string, name: string) => createExcluder([pattern])(name);

  it('matches a byte that is not UTF-8 written as reports show it, and wildcards match that byte', () => {
    const latin1 = `/srv/${decodeFileName(bytes('caf', [0xe9], '.txt'))}`;
    expect(matches('**/caf\\xe9.txt', latin1)).toBe(true);
    expect(matches('caf\\xE9.txt', latin1)).toBe(true);
    expect(matches('caf?.txt', latin1)).toBe(true);
    expect(matches('**/caf\\xe8.txt', latin1)).toBe(false);
    expect(matches('**/café.txt', latin1)).toBe(false);
    expect(matches('**/café.txt', '/srv/café.txt')).toBe(true);
    expect(matches('/srv/dir\\xff/**', `/srv/${decodeFileName(bytes('dir', [0xff], '/f'))}`)).toBe(true);
  });

  it('reads \\xHH below 0x80 as that character and leaves other escapes to picomatch', () => {
    expect(matches('new\\x0aline', '/x/new\nline')).toBe(true);
    expect(matches('a\\x2a', '/x/a*')).toBe(true);
    expect(matches('a\\x2a', '/x/ab')).toBe(false);
    expect(matches('a\\\\xe9', '/x/a\\xe9')).toBe(true);
    expect(matches('a\\*', '/x/a*')).toBe(true);
  });
});

describe('unquoteTarName', () => {
  it('reverses tar --quoting-style=escape as its messages print names', () => {
    expect(unquoteTarName('tmp/q/caf\\351.txt')).toEqual(bytes('tmp/q/caf', [0xe9], '.txt'));
    expect(unquoteTarName('new\\nline')).toEqual(Buffer.from('new\nline'));
    expect(unquoteTarName('utf\\303\\251')).toEqual(Buffer.from('utfé'));
    expect(unquoteTarName('back\\\\slash co\\:lon sp ace')).toEqual(Buffer.from('back\\slash co:lon sp ace'));
    expect(unquoteTarName('t\\tab\\a\\b\\f\\r\\v')).toEqual(Buffer.from('t\tab\x07\b\f\r\v'));
  });
});
