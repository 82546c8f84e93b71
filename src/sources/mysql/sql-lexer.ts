// Splits MariaDB/MySQL statement text into tokens the way the server reads it, so a restore can rewrite
// identifiers and DEFINER clauses as tokens and never touch string literals or comments.

/**
 * `space`, `comment` (`-- `, `#`, `/* *\/`), `open` (`/*!50003` or `/*M!100616`: the text up to its `close`
 * is code), `close`, `string` ('…', or "…" without ANSI_QUOTES), `quoted` (`…`, or "…" under ANSI_QUOTES),
 * `word` (unquoted identifiers, keywords, numbers), `delimiter` (the client's current one), `punct` (one
 * character).
 */
export type TokenKind = 'space' | 'comment' | 'open' | 'close' | 'string' | 'quoted' | 'word' | 'delimiter' | 'punct';

export interface Token {
  kind: TokenKind;
  /** The token's bytes as a latin1 string (one character per byte). */
  text: string;
}

/** The parts of sql_mode that change how text splits into tokens. */
export interface LexMode {
  ansiQuotes: boolean;
  noBackslashEscapes: boolean;
}

const WORD = /[A-Za-z0-9_$\x80-\xff]/;
const SPACE = /[ \t\r\n\f\v]/;

/**
 * A resumable lexer over a growing latin1 string: {@link SqlLexer.next} returns the token at `pos`, or
 * undefined when the text ends inside a token that more input could still change (pass `final` at the end
 * of input). Version comments (`/*!…*\/`) are code, as for the server; the client's delimiter is matched
 * wherever code may start, as the mariadb client does.
 */
export class SqlLexer {
  /** Inside `/*!…`: its `*\/` is a `close` token. */
  inVersionComment = false;

  constructor(
    public mode: LexMode,
    public delimiter = ';',
  ) {}

  next(text: string, pos: number, final: boolean): Token | undefined {
    if (pos >= text.length) return undefined;
    const end = this.tokenEnd(text, pos, final);
    if (end === undefined) return undefined;
    return { kind: this.kind, text: text.slice(pos, end) };
  }

  private kind: TokenKind = 'punct';

  /** The end of the token at `pos` (and sets `kind`), or undefined when it may continue past the text. */
  private tokenEnd(text: string, pos: number, final: boolean): number | undefined {
    const c = text.charAt(pos);
    const rest = text.length - pos;
    const d = this.delimiter;
    if (text.startsWith(d, pos)) return this.is('delimiter', pos + d.length);
    if (!final && rest < d.length && d.startsWith(text.slice(pos))) return undefined;
    if (SPACE.test(c)) {
      let i = pos + 1;
      while (i < text.length && SPACE.test(text.charAt(i))) i++;
      return i < text.length || final ? this.is('space', i) : undefined;
    }
    // eslint-disable-next-line no-control-regex -- as the server reads it, `--` starts a comment only before whitespace or a control character
    if (c === '#' || (c === '-' && text[pos + 1] === '-' && /[\s\x00-\x1f]/.test(text[pos + 2] ?? '')))
      return this.lineComment(text, pos, final);
    if (c === '-' && !final && rest < 3) return undefined;
    if (c === '/' && text[pos + 1] === '*') return this.blockComment(text, pos, final);
    if (c === '/' && !final && rest < 2) return undefined;
    if (c === '*' && text[pos + 1] === '/' && this.inVersionComment) {
      this.inVersionComment = false;
      return this.is('close', pos + 2);
    }
    if (c === "'" || (c === '"' && !this.mode.ansiQuotes))
      return this.quoted(text, pos, final, 'string', !this.mode.noBackslashEscapes);
    if (c === '`' || c === '"') return this.quoted(text, pos, final, 'quoted', false);
    if (WORD.test(c)) {
      let i = pos + 1;
      while (i < text.length && WORD.test(text.charAt(i)) && !text.startsWith(d, i)) i++;
      return i < text.length || final ? this.is('word', i) : undefined;
    }
    return this.is('punct', pos + 1);
  }

  private is(kind: TokenKind, end: number): number {
    this.kind = kind;
    return end;
  }

  private lineComment(text: string, pos: number, final: boolean): number | undefined {
    const nl = text.indexOf('\n', pos);
    if (nl >= 0) return this.is('comment', nl);
    return final ? this.is('comment', text.length) : undefined;
  }

  /** `/*!NNNNN`, `/*M!NNNNNN` and `/*!` open code; any other `/* … *\/` is a comment. */
  private blockComment(text: string, pos: number, final: boolean): number | undefined {
    const version = /^\/\*M?!\d*/.exec(text.slice(pos, pos + 12));
    if (version && !this.inVersionComment) {
      if (!final && pos + version[0].length === text.length) return undefined; // more digits may follow
      this.inVersionComment = true;
      return this.is('open', pos + version[0].length);
    }
    const close = text.indexOf('*/', pos + 2);
    if (close >= 0) return this.is('comment', close + 2);
    return final ? this.is('comment', text.length) : undefined;
  }

  /** A quoted token: the quote doubled is one quote character; with `backslash`, \x escapes x. */
  private quoted(text: string, pos: number, final: boolean, kind: TokenKind, backslash: boolean): number | undefined {
    const q = text.charAt(pos);
    for (let i = pos + 1; i < text.length; i++) {
      const ch = text[i];
      if (backslash && ch === '\\') {
        i++;
        continue;
      }
      if (ch !== q) continue;
      if (i + 1 === text.length && !final) return undefined; // a doubled quote may follow
      if (text[i + 1] === q) {
        i++;
        continue;
      }
      return this.is(kind, i + 1);
    }
    return final ? this.is(kind, text.length) : undefined;
  }
}

/** The value of an identifier token: a word as is, a quoted one without its quotes and with doubled quotes undone. */
export function identifierValue(token: Token): string | undefined {
  if (token.kind === 'word') return token.text;
  if (token.kind !== 'quoted') return undefined;
  const q = token.text.charAt(0);
  return token.text
    .slice(1, -1)
    .split(q + q)
    .join(q);
}

/** `value` as a quoted identifier in the style of `quote` (a backtick, or `"` under ANSI_QUOTES). */
export function quoteIdentifier(value: string, quote: '`' | '"' = '`'): string {
  return quote + value.split(quote).join(quote + quote) + quote;
}

/** The content of a string token without its quotes (escapes left as written: enough to search in). */
export function stringContent(token: Token): string {
  return token.text.slice(1, -1);
}

/** True for tokens the server does not execute as code: whitespace, comments and version-comment markers. */
export function isTrivia(token: Token): boolean {
  return token.kind === 'space' || token.kind === 'comment' || token.kind === 'open' || token.kind === 'close';
}
