// Rewrites one dump statement (not table data) for a restore under another database name: the name is
// changed only where it is an identifier naming the database, DEFINER clauses are dropped on request,
// and anything that would still reach another database is reported instead of written.
import { encodeName, lexesAsAscii, type DumpSession } from './dump-session.js';
import { identifierValue, isTrivia, quoteIdentifier, stringContent, type Token } from './sql-lexer.js';
import { must } from '../../shared/must.js';

export interface RetargetOptions {
  /** Database named in the dump (`--databases FROM`). */
  from: string;
  /** Database to restore into. */
  to: string;
  /** Remove DEFINER clauses (every quoting), so the restoring user becomes the definer. */
  stripDefiners?: boolean;
}

export interface StatementRewrite {
  /** The statement's bytes (latin1 string) as the client must receive them. */
  text: string;
  /** Why the statement cannot be restored into `to` alone (empty when it can). */
  problems: string[];
}

const KINDS = new Set([
  'TABLE',
  'VIEW',
  'TRIGGER',
  'PROCEDURE',
  'FUNCTION',
  'EVENT',
  'SEQUENCE',
  'DATABASE',
  'SCHEMA',
  'INDEX',
]);
const NUMBER = /^\d+(e\d*)?$/i;
/** Objects whose body is code that runs later: only their own names must stay in the target database. */
const BODIES = new Set(['VIEW', 'TRIGGER', 'PROCEDURE', 'FUNCTION', 'EVENT']);

/** What a statement creates, alters or drops, as far as naming it and checking its names need. */
interface Head {
  kind: string;
  /** Code-token positions of the object's name and, for a trigger, of its table. */
  names: NamePositions[];
}

/** Code-token positions of `[db.]name`: the qualifier's when there is one, and the name's. */
interface NamePositions {
  qualifier: number | undefined;
  name: number;
}

/** One statement being rewritten: its tokens, their code positions, and the names as its bytes spell them. */
interface Statement {
  tokens: Token[];
  /** Token indexes of code (not whitespace, comments, version-comment markers). */
  code: number[];
  /** The code token at code position k upper-cased if it is a word, else ''. */
  word: (k: number) => string;
  head: Head | undefined;
  /** `procedure p`, `statement "USE x"`: how problems name it. */
  what: string;
  charset: string;
  /** The source and target names in the statement's character set (latin1 strings of bytes). */
  from: string;
  to: string;
  options: RetargetOptions;
  /** Token index -> replacement text. */
  replace: Map<number, string>;
  problems: string[];
}

/** Rewrites `tokens` (one statement, delimiter excluded) read under `session`. */
export function rewriteStatement(tokens: Token[], session: DumpSession, options: RetargetOptions): StatementRewrite {
  const code = tokens.flatMap((t, i) => (isTrivia(t) ? [] : [i]));
  const word = (k: number) => {
    const token = codeToken(tokens, code, k);
    return token?.kind === 'word' ? token.text.toUpperCase() : '';
  };
  const head = findHead(tokens, code, word);
  const what = describe(tokens, code, head, session.charset);
  const from = encodeName(options.from, session.charset);
  const to = encodeName(options.to, session.charset);
  if (!lexesAsAscii(session.charset) && tokens.some((t) => /[\x80-\xff]/.test(t.text))) {
    return {
      text: join(tokens),
      problems: [`${what}: written in character set ${session.charset}, which this restore cannot read`],
    };
  }
  if (from === undefined || to === undefined) {
    return {
      text: join(tokens),
      problems: [
        `${what}: written in character set ${session.charset}, which cannot spell the database name ${from === undefined ? options.from : options.to}`,
      ],
    };
  }
  const s: Statement = {
    tokens,
    code,
    word,
    head,
    what,
    charset: session.charset,
    from,
    to,
    options,
    replace: new Map(),
    problems: [],
  };
  const definers = definerRanges(tokens, code);
  const databaseAt = renameDatabase(s);
  renameQualifiers(
    s,
    new Set(definers.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i))),
    databaseAt,
  );
  if (options.from !== options.to) findNamesInStrings(s);
  return { text: join(tokens, s.replace, options.stripDefiners ? definers : []), problems: s.problems };
}

/** The database itself (USE x; CREATE/ALTER/DROP DATABASE x): renamed, or a problem if it is a third one. Returns its code position. */
function renameDatabase(s: Statement): number | undefined {
  const { head, word } = s;
  const at =
    word(0) === 'USE'
      ? 1
      : head && (head.kind === 'DATABASE' || head.kind === 'SCHEMA')
        ? head.names[0]?.name
        : undefined;
  if (at === undefined) return undefined;
  const index = must(s.code[at], `the database name of ${s.what}`);
  const token = must(s.tokens[index], 'a code token');
  const value = identifierValue(token);
  if (value === s.from) s.replace.set(index, quoteIdentifier(s.to, token.text.startsWith('"') ? '"' : '`'));
  else if (value !== s.to)
    s.problems.push(`${s.what}: names database ${show(value ?? token.text, s.charset)}, not ${s.options.from}`);
  return at;
}

/**
 * Qualifiers: an identifier followed by "." and not preceded by one names a database (db.t, db.t.c).
 * The source's are renamed; a third database is a problem where it is what the statement writes to.
 */
function renameQualifiers(s: Statement, skipped: Set<number>, databaseAt: number | undefined): void {
  const { tokens, code, head, charset } = s;
  const retarget = s.options.from !== s.options.to;
  let qualified = false;
  let standalone = false;
  for (const [k, index] of code.entries()) {
    const token = must(tokens[index], 'a code token');
    const value = identifierValue(token);
    if (value === undefined || skipped.has(index) || k === databaseAt || NUMBER.test(token.text)) continue;
    const before = codeToken(tokens, code, k - 1)?.text;
    if (before === '@' || before === '.') continue; // @var, @@session.x; t.col
    if (codeToken(tokens, code, k + 1)?.text !== '.') {
      standalone ||= value === s.from;
      continue;
    }
    const name = show(value, charset);
    if (value === s.from) {
      qualified = true;
      if (retarget) s.replace.set(index, quoteIdentifier(s.to, token.text.startsWith('"') ? '"' : '`'));
    } else if (retarget && asciiLower(value) === asciiLower(s.from)) {
      s.problems.push(
        `${s.what}: ${name}. differs from the source database ${s.options.from} only in letter case: cannot tell which it names`,
      );
    } else if (value !== s.to && isHeadName(head, k)) {
      s.problems.push(`${s.what}: would be created in database ${name}, not ${s.options.to}`);
    } else if (value !== s.to && !isBodyOrTable(head)) {
      s.problems.push(`${s.what}: names database ${name} (${name}.…), not ${s.options.from}`);
    }
  }
  if (retarget && qualified && standalone) {
    s.problems.push(
      `${s.what}: ${s.options.from} names both the database (${s.options.from}.…) and a table, alias or column here: cannot tell which to rename`,
    );
  }
}

/** A string in code that runs later (dynamic SQL, information_schema lookups) naming the source database. */
function findNamesInStrings(s: Statement): void {
  if (!s.head || !BODIES.has(s.head.kind)) return;
  for (const [k, index] of s.code.entries()) {
    const token = must(s.tokens[index], 'a code token');
    if (token.kind !== 'string' || s.word(k - 1) === 'COMMENT' || !containsName(stringContent(token), s.from)) continue;
    s.problems.push(
      `${s.what}: a string names the source database ${s.options.from} (${clip(show(token.text, s.charset))}): it would still act on ${s.options.from}`,
    );
  }
}

/** The statement's object: CREATE/ALTER/DROP … KIND [IF [NOT] EXISTS] [db.]name [… ON [db.]table for a trigger]. */
function findHead(tokens: Token[], code: number[], word: (k: number) => string): Head | undefined {
  if (!['CREATE', 'ALTER', 'DROP'].includes(word(0))) return undefined;
  let k = 1;
  while (k < code.length && !KINDS.has(word(k))) k++;
  if (k >= code.length) return undefined;
  const kind = word(k);
  k++;
  if (word(k) === 'IF') k += word(k + 1) === 'NOT' ? 3 : 2;
  const names = [nameAt(tokens, code, k)];
  if (kind === 'TRIGGER') {
    let on = k;
    while (on < code.length && word(on) !== 'ON') on++;
    if (on < code.length) names.push(nameAt(tokens, code, on + 1));
  }
  return { kind, names };
}

/** Code positions of `[db.]name` starting at code position k. */
function nameAt(tokens: Token[], code: number[], k: number): NamePositions {
  return codeToken(tokens, code, k + 1)?.text === '.'
    ? { qualifier: k, name: k + 2 }
    : { qualifier: undefined, name: k };
}

/** The token at code position k, or undefined outside the statement. */
function codeToken(tokens: Token[], code: number[], k: number): Token | undefined {
  const index = code[k];
  return index === undefined ? undefined : tokens[index];
}

function isHeadName(head: Head | undefined, k: number): boolean {
  return head?.names.some((n) => n.qualifier === k) ?? false;
}

/** CREATE TABLE may reference tables of other databases (foreign keys); object bodies may read them. */
function isBodyOrTable(head: Head | undefined): boolean {
  return head !== undefined && (BODIES.has(head.kind) || head.kind === 'TABLE');
}

/** `procedure p`, `trigger tr`, or the statement's start for anything else. */
function describe(tokens: Token[], code: number[], head: Head | undefined, charset: string): string {
  const name = head?.names[0];
  if (head && name) {
    const token = codeToken(tokens, code, name.name);
    const value = token ? identifierValue(token) : undefined;
    if (value !== undefined) return `${head.kind.toLowerCase()} ${show(value, charset)}`;
  }
  const first = code[0];
  const last = code[Math.min(code.length, 6) - 1];
  const start =
    first !== undefined && last !== undefined
      ? tokens
          .slice(first, last + 1)
          .map((t) => t.text)
          .join('')
      : '';
  return `statement "${clip(show(start.replace(/\s+/g, ' '), charset))}"`;
}

/** Token ranges [from, to] of `DEFINER = user[@host]` clauses (quoted with `, ", ' or not at all; CURRENT_USER[()]). */
function definerRanges(tokens: Token[], code: number[]): [number, number][] {
  const ranges: [number, number][] = [];
  const at = (k: number) => must(codeToken(tokens, code, k), 'a code token of a DEFINER clause');
  for (let k = 0; k + 2 < code.length; k++) {
    const definer = at(k);
    if (definer.kind !== 'word' || definer.text.toUpperCase() !== 'DEFINER' || at(k + 1).text !== '=') continue;
    let end = k + 2;
    const user = at(end);
    if (
      user.kind === 'word' &&
      /^CURRENT_(USER|ROLE)$/i.test(user.text) &&
      codeToken(tokens, code, end + 1)?.text === '(' &&
      codeToken(tokens, code, end + 2)?.text === ')'
    )
      end += 2;
    let i = must(code[end], 'the code position of a definer');
    if (tokens[i + 1]?.text === '@') {
      i += 2;
      // The host: one quoted token, or unquoted name parts written together (localhost, 10.0.0.1, %).
      if (tokens[i]?.kind === 'word' || tokens[i]?.kind === 'punct') {
        while (isHostPart(tokens[i + 1])) i++;
      }
    }
    ranges.push([must(code[k], 'the code position of DEFINER'), i]);
    k = code.findIndex((c) => c > i) - 1;
    if (k < 0) break;
  }
  return ranges;
}

/** An unquoted part of a host name: a word, or `.`, `%`, `-`. */
function isHostPart(token: Token | undefined): boolean {
  return token !== undefined && (token.kind === 'word' || /^[.%-]$/.test(token.text));
}

/** The statement's text with identifier replacements applied and definer ranges removed (one space around kept). */
function join(tokens: Token[], replace = new Map<number, string>(), drop: [number, number][] = []): string {
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const range = drop.find(([a]) => a === i);
    if (range) {
      i = range[1];
      if (tokens[i + 1]?.kind === 'space' && out.endsWith(' ')) i++;
      continue;
    }
    out += replace.get(i) ?? must(tokens[i], 'a token of the statement').text;
  }
  return out;
}

/** True when `name` occurs in `text` as a whole identifier (not inside a longer name). */
function containsName(text: string, name: string): boolean {
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    const before = text[at - 1] ?? ' ';
    const after = text[at + name.length] ?? ' ';
    if (!/[A-Za-z0-9_$\x80-\xff]/.test(before) && !/[A-Za-z0-9_$\x80-\xff]/.test(after)) return true;
  }
  return false;
}

function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Bytes (latin1 string) in `charset` as readable text for a message. */
function show(bytes: string, charset: string): string {
  const cs = charset.toLowerCase();
  return cs.startsWith('utf8') || cs === 'binary' ? Buffer.from(bytes, 'latin1').toString('utf8') : bytes;
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
