// Counts what a dump holds from the very bytes that are stored: tables, views, triggers, routines,
// events and each table's rows, so that a restore drill can check a restored server against the backup
// itself rather than against information_schema read at another moment. Statements are tokenized
// (sql-lexer.ts); table data is scanned byte by byte with the same quoting rules, since lexing every
// value of every row would cost more than the dump.
import { DumpSession } from './dump-session.js';
import { identifierValue, isTrivia, SqlLexer, type Token } from './sql-lexer.js';

/** What one database's dump holds, as a manifest records it. */
export interface DumpContents {
  tables: number;
  views: number;
  triggers: number;
  routines: number;
  events: number;
  /** Rows per table (every table, 0 for an empty one), table names as UTF-8. */
  rows: Record<string, number>;
}

/** A statement other than table data longer than this makes the count unknown (never a wrong count). */
const MAX_STATEMENT = 64 * 1024 * 1024;
const LOOKAHEAD = 600;
const DATA = /^(?:INSERT|REPLACE)(?: (?:IGNORE|DELAYED|LOW_PRIORITY|HIGH_PRIORITY))* INTO (`(?:[^`\n]|``)+`) VALUES\s/;
const DATA_ANSI =
  /^(?:INSERT|REPLACE)(?: (?:IGNORE|DELAYED|LOW_PRIORITY|HIGH_PRIORITY))* INTO ("(?:[^"\n]|"")+") VALUES\s/;
const CLIENT_COMMAND = /^(?:delimiter[ \t]|\/\*M?!999999\\-)/i;
const KINDS = new Set(['TABLE', 'VIEW', 'TRIGGER', 'PROCEDURE', 'FUNCTION', 'EVENT']);
const [NL, SEMI, LPAREN, RPAREN, BACKSLASH, SQUOTE, DQUOTE] = [0x0a, 0x3b, 0x28, 0x29, 0x5c, 0x27, 0x22];

/** Feed it every byte of a `mariadb-dump --databases X` output in order; `result()` after the last. */
export class DumpContentsScanner {
  private pending: Buffer = Buffer.alloc(0);
  private state: 'start' | 'data' | 'statement' = 'start';
  private statement = '';
  private lexed = 0;
  private tokens: Token[] = [];
  private readonly session = new DumpSession();
  private readonly lexer = new SqlLexer(this.session.mode);
  private failed = false;
  /** Inside table data: the table, the open string's quote (0: none), an escape pending, the paren depth. */
  private table = '';
  private quote = 0;
  private escaped = false;
  private depth = 0;
  private readonly names = new Map<string, Set<string>>([...KINDS].map((k) => [k, new Set<string>()]));
  /** The names created of `kind` (one of KINDS). */
  private created(kind: string): Set<string> {
    let set = this.names.get(kind);
    if (set === undefined) this.names.set(kind, (set = new Set()));
    return set;
  }
  private readonly rows = new Map<string, number>();

  /** Scans `chunk`; never throws (a dump it cannot follow leaves the result undefined). */
  write(chunk: Buffer): void {
    if (this.failed) return;
    try {
      this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
      this.drain(false);
    } catch {
      this.failed = true;
    }
  }

  /** The counts, or undefined when the dump could not be followed to its end. */
  result(): DumpContents | undefined {
    if (this.failed) return undefined;
    try {
      this.drain(true);
    } catch {
      return undefined;
    }
    if (this.state === 'data') return undefined;
    const views = this.created('VIEW');
    // Older dumps stand a view in as a placeholder table first; it is a view, counted once.
    const tables = [...this.created('TABLE')].filter((t) => !views.has(t));
    const count = (kind: string) => this.created(kind).size;
    return {
      tables: tables.length,
      views: views.size,
      triggers: count('TRIGGER'),
      routines: count('PROCEDURE') + count('FUNCTION'),
      events: count('EVENT'),
      rows: Object.fromEntries(tables.sort().map((t) => [t, this.rows.get(t) ?? 0])),
    };
  }

  private drain(final: boolean): void {
    for (;;) {
      if (this.state === 'data' && !this.scanData()) return;
      if (this.state === 'start' && !this.startStatement(final)) return;
      if (this.state === 'statement' && !this.readStatement(final)) return;
    }
  }

  /** Counts the rows of a data statement (each `(` at depth 0 outside strings) up to its `;`; false when more input is needed. */
  private scanData(): boolean {
    const p = this.pending;
    const backslash = !this.session.mode.noBackslashEscapes;
    const dquoteIsString = !this.session.mode.ansiQuotes;
    let { quote, escaped, depth } = this;
    let rows = 0;
    let end = -1;
    let i = 0;
    while (i < p.length) {
      if (quote !== 0) {
        // Inside a string: jump to its next quote (memchr speed), which closes it unless escaped.
        if (escaped) {
          escaped = false;
          i++;
          continue;
        }
        const at = p.indexOf(quote, i);
        const stop = at < 0 ? p.length : at;
        let slashes = 0;
        while (backslash && stop - slashes > i && p[stop - slashes - 1] === BACKSLASH) slashes++;
        if (at < 0) {
          escaped = slashes % 2 === 1;
          break;
        }
        if (slashes % 2 === 0) quote = 0;
        i = at + 1;
        continue;
      }
      const c = p[i] ?? 0;
      i++;
      if (c === SQUOTE || (c === DQUOTE && dquoteIsString)) quote = c;
      else if (c === LPAREN) {
        if (depth === 0) rows++;
        depth++;
      } else if (c === RPAREN) depth--;
      else if (c === SEMI && depth === 0) {
        end = i;
        break;
      }
    }
    [this.quote, this.escaped, this.depth] = [quote, escaped, depth];
    this.rows.set(this.table, (this.rows.get(this.table) ?? 0) + rows);
    if (end < 0) {
      this.pending = Buffer.alloc(0);
      return false;
    }
    this.pending = p.subarray(end);
    this.state = 'start';
    return true;
  }

  /** Between statements: skips whitespace, then tells data, client commands and other statements apart. */
  private startStatement(final: boolean): boolean {
    const p = this.pending;
    let i = 0;
    while (i < p.length && (p[i] === 0x20 || p[i] === NL || p[i] === 0x09 || p[i] === 0x0d)) i++;
    this.pending = p.subarray(i);
    if (this.pending.length === 0) return false;
    const head = this.pending.subarray(0, LOOKAHEAD).toString('latin1');
    if (!final && head.length < LOOKAHEAD && !head.includes('\n')) return false;
    const data = this.lexer.delimiter === ';' ? (this.session.mode.ansiQuotes ? DATA_ANSI : DATA).exec(head) : null;
    if (data) {
      this.table = utf8(identifierValue({ kind: 'quoted', text: data[1] ?? '' }) ?? '');
      [this.quote, this.escaped, this.depth, this.state] = [0, false, 0, 'data'];
      this.pending = this.pending.subarray(data[0].length);
      return true;
    }
    if (CLIENT_COMMAND.test(head)) {
      const nl = this.pending.indexOf(NL);
      if (nl < 0 && !final) return false;
      const line = this.pending.subarray(0, nl < 0 ? this.pending.length : nl + 1);
      const words = line.toString('latin1').trim().split(/\s+/);
      if (words[0]?.toLowerCase() === 'delimiter' && words[1]) this.lexer.delimiter = words[1];
      this.pending = this.pending.subarray(line.length);
      return true;
    }
    this.state = 'statement';
    return true;
  }

  /** Reads a statement line by line up to its delimiter, then counts what it creates; false when more input is needed. */
  private readStatement(final: boolean): boolean {
    for (;;) {
      const nl = this.pending.indexOf(NL);
      const take = nl >= 0 ? nl + 1 : final || this.pending.length >= LOOKAHEAD ? this.pending.length : 0;
      if (take > 0) {
        this.statement += this.pending.subarray(0, take).toString('latin1');
        this.pending = this.pending.subarray(take);
        if (this.statement.length > MAX_STATEMENT) throw new Error('statement too long');
      }
      const last = final && this.pending.length === 0;
      for (
        let token = this.lexer.next(this.statement, this.lexed, last);
        token;
        token = this.lexer.next(this.statement, this.lexed, last)
      ) {
        this.lexed += token.text.length;
        if (token.kind === 'delimiter') return this.endStatement();
        this.tokens.push(token);
      }
      if (last) {
        if (this.statement.length > 0) this.endStatement();
        return false;
      }
      if (take === 0 || this.pending.length === 0) return false;
    }
  }

  private endStatement(): boolean {
    const created = createdObject(this.tokens);
    if (created) this.created(created.kind).add(created.name);
    this.session.apply(this.tokens);
    this.lexer.mode = this.session.mode;
    const rest = this.statement.slice(this.lexed);
    this.pending = rest ? Buffer.concat([Buffer.from(rest, 'latin1'), this.pending]) : this.pending;
    [this.statement, this.lexed, this.tokens, this.state] = ['', 0, [], 'start'];
    return true;
  }
}

/** The kind and name of what a `CREATE ... TABLE|VIEW|TRIGGER|PROCEDURE|FUNCTION|EVENT name` statement creates. */
export function createdObject(tokens: Token[]): { kind: string; name: string } | undefined {
  const code = tokens.filter((t) => !isTrivia(t));
  if (code[0]?.kind !== 'word' || code[0].text.toUpperCase() !== 'CREATE') return undefined;
  const at = code.findIndex((t, i) => i > 0 && i < 24 && t.kind === 'word' && KINDS.has(t.text.toUpperCase()));
  if (at < 0) return undefined;
  let i = at + 1;
  if (code[i]?.text.toUpperCase() === 'IF') i += code[i + 1]?.text.toUpperCase() === 'NOT' ? 3 : 2;
  const [first, dot, second] = [code[i], code[i + 1], code[i + 2]];
  const name = first && identifierValue(first);
  const kind = code[at]?.text.toUpperCase();
  if (name === undefined || kind === undefined) return undefined;
  // `db`.`name`: the name is the last part.
  const qualified = dot?.text === '.' && second ? identifierValue(second) : undefined;
  return { kind, name: utf8(qualified ?? name) };
}

/** A name read as latin1 bytes, as the UTF-8 text the dump (utf8mb4) wrote. */
const utf8 = (latin1: string) => Buffer.from(latin1, 'latin1').toString('utf8');
