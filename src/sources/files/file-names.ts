// File names on Linux are bytes, not text. The walker keeps each name as a string that loses no byte
// (bytes that are not valid UTF-8 become lone surrogates U+DC80-U+DCFF, as Python's surrogateescape
// does), system calls and tar get the exact bytes back, and people see `caf\xe9.txt`.
import { isUtf8 } from 'node:buffer';

/** A lone low surrogate standing for one byte 0x80-0xFF (one preceded by a high surrogate is half a real character). */
const ESCAPED_BYTE = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;
/** What reports escape: a backslash, C0 controls and DEL, and escaped bytes. */
// eslint-disable-next-line no-control-regex -- control characters in names are what this escapes, so a name cannot break a log line
const SHOWN_ESCAPED = /\\|[\x00-\x1f\x7f]|(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/g;

/** Decodes a name's bytes: valid UTF-8 as text, every other byte as the lone surrogate U+DC00 + byte. */
export function decodeFileName(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  let text = '';
  let start = 0;
  for (let i = 0; i < bytes.length;) {
    const length = utf8SequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    text += bytes.toString('utf8', start, i) + String.fromCharCode(0xdc00 + bytes.readUInt8(i));
    start = i += 1;
  }
  return text + bytes.toString('utf8', start);
}

/** The length of the valid UTF-8 sequence at `i` (1-4), or 0 when the byte there starts none. */
function utf8SequenceLength(bytes: Buffer, i: number): number {
  const lead = bytes.readUInt8(i);
  if (lead < 0x80) return 1;
  const length =
    lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (length === 0 || i + length > bytes.length) return 0;
  for (let k = 1; k < length; k++) if ((bytes.readUInt8(i + k) & 0xc0) !== 0x80) return 0;
  const second = bytes.readUInt8(i + 1);
  // Overlong forms, UTF-16 surrogates and code points above U+10FFFF are not UTF-8.
  if (
    (lead === 0xe0 && second < 0xa0) ||
    (lead === 0xed && second > 0x9f) ||
    (lead === 0xf0 && second < 0x90) ||
    (lead === 0xf4 && second > 0x8f)
  )
    return 0;
  return length;
}

/** The exact bytes of a decoded name (the inverse of {@link decodeFileName}). */
export function encodeFileName(name: string): Buffer {
  if (!ESCAPED_BYTE.test(name)) return Buffer.from(name, 'utf8');
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code < 0xdc80 || code > 0xdcff || (i > 0 && isHighSurrogate(name.charCodeAt(i - 1)))) continue;
    parts.push(Buffer.from(name.slice(start, i), 'utf8'), Buffer.of(code - 0xdc00));
    start = i + 1;
  }
  parts.push(Buffer.from(name.slice(start), 'utf8'));
  return Buffer.concat(parts);
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/** What to hand to `fs` for a decoded name: the string itself when it is valid UTF-8 (Node encodes it the same), else its bytes. */
export function fsPath(name: string): string | Buffer {
  return ESCAPED_BYTE.test(name) ? encodeFileName(name) : name;
}

/**
 * How reports (manifest, logs, `check`) show a decoded name: valid UTF-8 as is; a byte that is not
 * valid UTF-8, a control character or DEL as `\xHH` (lowercase hex); a backslash as `\\`. So every
 * shown name stands for exactly one byte string, and a newline in a name cannot break a log line.
 */
export function displayFileName(name: string): string {
  return name.replace(SHOWN_ESCAPED, (c) =>
    c === '\\' ? '\\\\' : `\\x${(c.charCodeAt(0) & 0xff).toString(16).padStart(2, '0')}`,
  );
}

/**
 * Rewrites an exclude glob so that it matches names as reports show them: `\xHH` (HH 80-ff) stands for
 * that byte of a name that is not UTF-8, `\xHH` below 80 for that ASCII character; `\\` stays a literal
 * backslash and every other glob escape is left to picomatch.
 */
export function excludePattern(pattern: string): string {
  return pattern.replace(/\\(\\|x[0-9a-fA-F]{2})/g, (whole, escape: string) => {
    if (escape === '\\') return whole;
    const byte = Number.parseInt(escape.slice(1), 16);
    if (byte >= 0x80) return String.fromCharCode(0xdc00 + byte);
    const char = String.fromCharCode(byte);
    return /[A-Za-z0-9]/.test(char) ? char : `\\${char}`;
  });
}

const TAR_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };

/**
 * The bytes of a name as GNU tar prints it with `--quoting-style=escape` under LC_ALL=C (its messages
 * also escape `:`): `\\`, `\:`, `\n`-style escapes and three-digit octal `\351` for other bytes.
 */
export function unquoteTarName(quoted: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < quoted.length; i++) {
    const char = quoted.charAt(i);
    if (char !== '\\' || i + 1 === quoted.length) {
      bytes.push(...Buffer.from(char, 'utf8'));
      continue;
    }
    const next = quoted.charAt(++i);
    const octal = /^[0-7]{3}/.exec(quoted.slice(i, i + 3));
    if (octal) {
      bytes.push(Number.parseInt(octal[0], 8) & 0xff);
      i += 2;
    } else {
      const escaped = TAR_ESCAPES[next];
      bytes.push(...(escaped === undefined ? Buffer.from(next, 'utf8') : [escaped]));
    }
  }
  return Buffer.from(bytes);
}
