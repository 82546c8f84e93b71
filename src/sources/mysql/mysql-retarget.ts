// Streams a `mariadb-dump --databases X` output rewritten to restore under another database name
// (optionally without DEFINERs). Table data passes through untouched at memchr speed; every other
// statement is tokenized and rewritten as tokens (src/sources/retarget-statement.ts).
import { Transform, type TransformCallback } from 'node:stream';
import { BackupError } from '../../shared/backup-error.js';
import { DumpSession } from './dump-session.js';
import { rewriteStatement, type RetargetOptions } from './retarget-statement.js';
import { SqlLexer, type Token } from './sql-lexer.js';

export type { RetargetOptions } from './retarget-statement.js';

/** A statement (not table data) longer than this is refused rather than held in memory. */
export const MAX_STATEMENT_BYTES = 64 * 1024 * 1024;
/** Bytes looked at to recognise a data statement or a client command at a statement's start. */
const LOOKAHEAD = 600;
/** Data statements exactly as mariadb-dump/mysqldump write them: unqualified table, rows after VALUES. */
const DATA = /^(?:INSERT|REPLACE)(?: (?:IGNORE|DELAYED|LOW_PRIORITY|HIGH_PRIORITY))* INTO `(?:[^`\n]|``)+` VALUES\s/;
const DATA_ANSI =
  /^(?:INSERT|REPLACE)(?: (?:IGNORE|DELAYED|LOW_PRIORITY|HIGH_PRIORITY))* INTO "(?:[^"\n]|"")+" VALUES\s/;
const CLIENT_COMMAND = /^(?:delimiter[ \t]|\/\*M?!999999\\-)/i;
const NEWLINE = 0x0a;
const SEMICOLON = 0x3b;

/** The rewrite as a stream stage; `problems` lists what could not be retargeted (with `collect`). */
export interface RetargetStage extends Transform {
  readonly problems: string[];
}

export interface RetargetStageOptions extends RetargetOptions {
  /** Record problems in `problems` and go on (a first pass), instead of failing before the statement is passed on. */
  collect?: boolean;
}

/**
 * Creates the stage. Data statements (`INSERT INTO `t` VALUES` at a statement's start, rows escaped so
 * that `;\n` only ends them) are passed on as they come; other statements are buffered (at most
 * {@link MAX_STATEMENT_BYTES}), rewritten, checked and passed on. Without `collect` the stream fails with
 * RETARGET_REFUSED before passing on a statement that cannot be retargeted.
 */
export function createRetargetStage(options: RetargetStageOptions): RetargetStage {
  return new DumpRewriter(options);
}

class DumpRewriter extends Transform implements RetargetStage {
  readonly problems: string[] = [];
  private pending: Buffer = Buffer.alloc(0);
  private state: 'start' | 'data' | 'statement' = 'start';
  private afterSemicolon = false;
  /** The start of the data statement being passed on (`INSERT INTO `t` VALUES `). */
  private header: Buffer = Buffer.alloc(0);
  private statement = '';
  private lexed = 0;
  private tokens: Token[] = [];
  private readonly session = new DumpSession();
  private readonly lexer = new SqlLexer(this.session.mode);

  constructor(private readonly options: RetargetStageOptions) {
    super({ highWaterMark: 1024 * 1024 });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.run(callback, false);
  }

  override _flush(callback: TransformCallback): void {
    this.run(callback, true);
  }

  private run(callback: TransformCallback, final: boolean): void {
    try {
      this.drain(final);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  private drain(final: boolean): void {
    for (;;) {
      if (this.state === 'data' && !this.passData()) return;
      if (this.state === 'start' && !this.startStatement(final)) return;
      if (this.state === 'statement' && !this.readStatement(final)) return;
    }
  }

  /**
   * Passes data bytes on up to the `;\n` that ends the statement, and on through the statements right
   * after it that start with the same header (one row per statement with --skip-extended-insert): one
   * push per chunk, not per row. False when more input is needed.
   */
  private passData(): boolean {
    const p = this.pending;
    let pos = this.afterSemicolon && p[0] === NEWLINE ? 1 : -1;
    for (;;) {
      if (pos < 0) {
        const end = p.indexOf(';\n');
        pos = end < 0 ? -1 : end + 2;
      }
      if (pos < 0) {
        if (p.length) this.push(p);
        this.afterSemicolon = p.length > 0 ? p[p.length - 1] === SEMICOLON : this.afterSemicolon;
        this.pending = Buffer.alloc(0);
        return false;
      }
      const h = this.header;
      if (pos + h.length > p.length || p.compare(h, 0, h.length, pos, pos + h.length) !== 0) break;
      const end = p.indexOf(';\n', pos + h.length);
      if (end < 0) {
        this.push(p);
        this.afterSemicolon = p[p.length - 1] === SEMICOLON;
        this.pending = Buffer.alloc(0);
        return false;
      }
      pos = end + 2;
    }
    this.push(p.subarray(0, pos));
    this.pending = p.subarray(pos);
    this.afterSemicolon = false;
    this.state = 'start';
    return true;
  }

  /** Between statements: passes whitespace on, then tells data, client commands and statements apart. */
  private startStatement(final: boolean): boolean {
    const p = this.pending;
    let i = 0;
    while (i < p.length && (p[i] === 0x20 || p[i] === NEWLINE || p[i] === 0x09 || p[i] === 0x0d)) i++;
    if (i > 0) this.push(p.subarray(0, i));
    this.pending = p.subarray(i);
    if (this.pending.length === 0) return false;
    const head = this.pending.subarray(0, LOOKAHEAD).toString('latin1');
    if (!final && head.length < LOOKAHEAD && !head.includes('\n')) return false;
    const data = this.lexer.delimiter === ';' ? (this.session.mode.ansiQuotes ? DATA_ANSI : DATA).exec(head) : null;
    if (data) {
      this.header = Buffer.from(data[0], 'latin1');
      this.state = 'data';
      return true;
    }
    if (CLIENT_COMMAND.test(head)) {
      const nl = this.pending.indexOf(NEWLINE);
      if (nl < 0 && !final) return false;
      const line = this.pending.subarray(0, nl < 0 ? this.pending.length : nl + 1);
      const [command, argument] = line.toString('latin1').trim().split(/\s+/);
      if (command?.toLowerCase() === 'delimiter' && argument) this.lexer.delimiter = argument;
      this.push(line);
      this.pending = this.pending.subarray(line.length);
      return true;
    }
    this.state = 'statement';
    return true;
  }

  /** Reads a statement line by line up to its delimiter, then rewrites and passes it on; false when more input is needed. */
  private readStatement(final: boolean): boolean {
    for (;;) {
      const nl = this.pending.indexOf(NEWLINE);
      const take = nl >= 0 ? nl + 1 : final || this.pending.length >= LOOKAHEAD ? this.pending.length : 0;
      if (take > 0) {
        this.statement += this.pending.subarray(0, take).toString('latin1');
        this.pending = this.pending.subarray(take);
        if (this.statement.length > MAX_STATEMENT_BYTES) {
          throw new BackupError(
            'RESTORE_FAILED',
            `a statement of the dump (not table data) is longer than ${MAX_STATEMENT_BYTES / 1024 / 1024} MiB: ${JSON.stringify(this.statement.slice(0, 60))}...`,
          );
        }
      }
      const last = final && this.pending.length === 0;
      for (
        let token = this.lexer.next(this.statement, this.lexed, last);
        token;
        token = this.lexer.next(this.statement, this.lexed, last)
      ) {
        this.tokens.push(token);
        this.lexed += token.text.length;
        if (token.kind === 'delimiter') return this.endStatement();
      }
      if (last) {
        if (this.statement.length > 0) this.endStatement();
        return false;
      }
      if (take === 0 || this.pending.length === 0) return false;
    }
  }

  /** Rewrites the statement read so far, passes it on, and puts what followed its delimiter back. */
  private endStatement(): boolean {
    const rest = this.statement.slice(this.lexed);
    const delimiter = this.tokens.at(-1)?.kind === 'delimiter' ? this.tokens.pop() : undefined;
    const result = rewriteStatement(this.tokens, this.session, this.options);
    if (result.problems.length > 0) {
      if (!this.options.collect) {
        throw new BackupError(
          'RETARGET_REFUSED',
          `cannot restore ${this.options.from} as ${this.options.to}: ${result.problems.join('; ')}`,
        );
      }
      this.problems.push(...result.problems);
    }
    this.session.apply(this.tokens);
    this.lexer.mode = this.session.mode;
    this.push(Buffer.from(result.text + (delimiter?.text ?? ''), 'latin1'));
    this.pending = rest ? Buffer.concat([Buffer.from(rest, 'latin1'), this.pending]) : this.pending;
    this.statement = '';
    this.lexed = 0;
    this.tokens = [];
    this.state = 'start';
    return true;
  }
}
