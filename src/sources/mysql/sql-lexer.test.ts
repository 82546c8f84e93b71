import { describe, expect, it } from 'vitest';
import { identifierValue, SqlLexer, type LexMode, type Token } from './sql-lexer.js';

const PLAIN: LexMode = { ansiQuotes: false, noBackslashEscapes: false };

function lex(text: string, mode = PLAIN, delimiter = ';'): Token[] {
  const lexer = new SqlLexer(mode, delimiter);
  const tokens: Token[] = [];
  for (let pos = 0, t = lexer.next(text, pos, true); t; pos += t.text.length, t = lexer.next(text, pos, true))
    tokens.push(t);
  return tokens;
}
const shown = (tokens: Token[]) => tokens.filter((t) => t.kind !== 'space').map((t) => `${t.kind}:${t.text}`);

describe('SqlLexer', () => {
  it('reads strings with doubled quotes and backslash escapes, and "…" as a string without ANSI_QUOTES', () => {
    expect(shown(lex(`'it''s \\' ; x' "a \\" b" \`we\`\`ird\`;`))).toEqual([
      "string:'it''s \\' ; x'",
      'string:"a \\" b"',
      'quoted:`we``ird`',
      'delimiter:;',
    ]);
  });

  it('under ANSI_QUOTES "…" is a name; under NO_BACKSLASH_ESCAPES a backslash ends nothing', () => {
    expect(shown(lex('"web-shop"."t"', { ansiQuotes: true, noBackslashEscapes: false }))).toEqual([
      'quoted:"web-shop"',
      'punct:.',
      'quoted:"t"',
    ]);
    expect(shown(lex("'a\\' x", { ansiQuotes: false, noBackslashEscapes: true }))).toEqual(["string:'a\\'", 'word:x']);
  });

  it('treats version comments as code and other comments as comments', () => {
    expect(shown(lex('/*!50017 DEFINER=`u`@`h`*/ /* shop.t; */ -- shop.t;\n# x;\n/*M!100616 SET a=1 */;'))).toEqual([
      'open:/*!50017',
      'word:DEFINER',
      'punct:=',
      'quoted:`u`',
      'punct:@',
      'quoted:`h`',
      'close:*/',
      'comment:/* shop.t; */',
      'comment:-- shop.t;',
      'comment:# x;',
      'open:/*M!100616',
      'word:SET',
      'word:a',
      'punct:=',
      'word:1',
      'close:*/',
      'delimiter:;',
    ]);
  });

  it('matches the client delimiter, also at the end of a word; ";" inside it is punctuation', () => {
    expect(shown(lex('BEGIN SELECT 1; END$$', PLAIN, '$$'))).toEqual([
      'word:BEGIN',
      'word:SELECT',
      'word:1',
      'punct:;',
      'word:END',
      'delimiter:$$',
    ]);
  });

  it('waits for more input where a token may continue', () => {
    const lexer = new SqlLexer(PLAIN, ';;');
    expect(lexer.next("'open", 0, false)).toBeUndefined();
    expect(lexer.next('`a`', 0, false)).toBeUndefined(); // `a``b` may follow
    expect(lexer.next(';', 0, false)).toBeUndefined(); // ;; may follow
    expect(lexer.next('/*!5001', 0, false)).toBeUndefined();
    expect(lexer.next('word', 0, false)).toBeUndefined();
    expect(lexer.next('word ', 0, false)).toEqual({ kind: 'word', text: 'word' });
  });

  it('identifierValue undoes quoting', () => {
    expect(
      lex('`a``b` "c""d" e')
        .filter((t) => t.kind !== 'space')
        .map(identifierValue),
    ).toEqual(['a`b', undefined, 'e']);
    expect(identifierValue({ kind: 'quoted', text: '"c""d"' })).toBe('c"d');
  });
});
