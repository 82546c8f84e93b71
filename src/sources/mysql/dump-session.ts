// Follows the session settings a dump changes as it goes (sql_mode, character_set_client), because they
// decide how the next statement's text reads: "x" is a name under ANSI_QUOTES, and a trigger created by a
// latin1 client is dumped in latin1 bytes.
import { isTrivia, type LexMode, type Token } from './sql-lexer.js';

/** MariaDB character sets whose bytes TextDecoder can produce (single-byte, ASCII-compatible). */
const SINGLE_BYTE: Record<string, string> = {
  latin1: 'windows-1252',
  ascii: 'windows-1252',
  latin2: 'iso-8859-2',
  cp1250: 'windows-1250',
  cp1251: 'windows-1251',
  cp1256: 'windows-1256',
  cp1257: 'windows-1257',
  greek: 'iso-8859-7',
  hebrew: 'iso-8859-8',
  koi8r: 'koi8-r',
  koi8u: 'koi8-u',
  latin5: 'iso-8859-9',
  latin7: 'iso-8859-13',
  cp866: 'ibm866',
};
const UTF8 = new Set(['utf8', 'utf8mb3', 'utf8mb4', 'binary']);
const reverseMaps = new Map<string, Map<string, number>>();

/**
 * `name` as the bytes (a latin1 string) a client in `charset` sends for it, or undefined when this code
 * cannot tell (a multi-byte charset other than UTF-8, or a character the charset lacks).
 */
export function encodeName(name: string, charset: string): string | undefined {
  const cs = charset.toLowerCase();
  if (UTF8.has(cs)) return Buffer.from(name, 'utf8').toString('latin1');
  if (/^\p{ASCII}*$/u.test(name)) return name; // every client character set spells ASCII as ASCII
  const label = SINGLE_BYTE[cs];
  if (label === undefined) return undefined;
  let map = reverseMaps.get(label);
  if (map === undefined) {
    const decoder = new TextDecoder(label);
    map = new Map(Array.from({ length: 256 }, (_, byte) => [decoder.decode(Uint8Array.of(byte)), byte] as const));
    reverseMaps.set(label, map);
  }
  let out = '';
  for (const ch of name) {
    const byte = map.get(ch);
    if (byte === undefined) return undefined;
    out += String.fromCharCode(byte);
  }
  return out;
}

/** True when text in `charset` may hold ASCII-looking bytes inside a multi-byte character (sjis, gbk, big5…). */
export function lexesAsAscii(charset: string): boolean {
  const cs = charset.toLowerCase();
  return UTF8.has(cs) || SINGLE_BYTE[cs] !== undefined;
}

/** The session state of the client loading a dump, as far as it changes how statements read. */
export class DumpSession {
  sqlMode = '';
  charset = 'utf8mb4';
  private readonly saved = new Map<string, string>();

  get mode(): LexMode {
    const flags = this.sqlMode.toUpperCase().split(',');
    return {
      ansiQuotes: flags.includes('ANSI_QUOTES') || flags.includes('ANSI'),
      noBackslashEscapes: flags.includes('NO_BACKSLASH_ESCAPES'),
    };
  }

  /** Applies a statement's `SET …` assignments (sql_mode, character_set_client, NAMES, user variables holding them). */
  apply(tokens: Token[]): void {
    const code = tokens.filter((t) => !isTrivia(t) && t.kind !== 'delimiter');
    if (code[0]?.kind !== 'word' || code[0].text.toUpperCase() !== 'SET') return;
    let rest = code.slice(1);
    if (
      rest[0]?.text.toUpperCase() === 'NAMES' ||
      (rest[0]?.text.toUpperCase() === 'CHARACTER' && rest[1]?.text.toUpperCase() === 'SET')
    ) {
      const value = rest[rest[0].text.toUpperCase() === 'NAMES' ? 1 : 2];
      if (value) this.charset = unquote(value);
      return;
    }
    while (rest.length > 0) {
      const comma = rest.findIndex((t) => t.text === ',');
      const assignment = comma < 0 ? rest : rest.slice(0, comma);
      this.assign(assignment);
      rest = comma < 0 ? [] : rest.slice(comma + 1);
    }
  }

  private assign(tokens: Token[]): void {
    const eq = tokens.findIndex((t) => t.text === '=' || t.text === ':');
    if (eq < 1) return;
    const lhs = tokens
      .slice(0, eq)
      .map((t) => t.text)
      .join('')
      .toLowerCase();
    const rhsTokens = tokens.slice(tokens[eq]?.text === ':' ? eq + 2 : eq + 1);
    const rhs = rhsTokens.map((t) => t.text).join('');
    let value: string | undefined;
    const [only] = rhsTokens;
    if (only && rhsTokens.length === 1) value = unquote(only);
    else if (/^@@(session\.)?\w+$/i.test(rhs)) value = this.read(rhs.replace(/^@@(session\.)?/i, '').toLowerCase());
    else if (/^@\w+$/.test(rhs)) value = this.saved.get(rhs.slice(1).toLowerCase());
    if (value === undefined) return;
    if (lhs.startsWith('@') && !lhs.startsWith('@@')) this.saved.set(lhs.slice(1), value);
    const name = lhs.replace(/^@@/, '').replace(/^(session|local)\.?/, '');
    if (name === 'sql_mode') this.sqlMode = value.toUpperCase() === 'DEFAULT' ? '' : value;
    if (name === 'character_set_client') this.charset = value;
  }

  private read(variable: string): string | undefined {
    if (variable === 'sql_mode') return this.sqlMode;
    if (variable === 'character_set_client') return this.charset;
    return undefined;
  }
}

function unquote(token: Token): string {
  return token.kind === 'string' || token.kind === 'quoted' ? token.text.slice(1, -1) : token.text;
}
