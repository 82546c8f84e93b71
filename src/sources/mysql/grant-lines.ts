// Reads the lines of SHOW GRANTS (MariaDB/MySQL) into what they grant, and tells whether they cover
// a needed privilege: global, database (LIKE patterns such as `app\_%`) and table grants, ALL PRIVILEGES.
import type { NeededPrivilege } from '../source.js';

/** One GRANT line: its privileges (upper case; column grants keep their column list) on a scope. */
export interface HeldGrant {
  privileges: string[];
  /** The database name or LIKE pattern as stored (backquotes removed); undefined for `*`. */
  database: string | undefined;
  /** The table name; undefined for `*`. */
  table: string | undefined;
}

/** Splits `text` at `separator` where it is outside backquotes, quotes and parentheses. */
function splitTop(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quote !== undefined) {
      if (c === quote && text[i + 1] === quote) i++;
      else if (c === quote) quote = undefined;
    } else if (c === '`' || c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && text.startsWith(separator, i)) {
      parts.push(text.slice(start, i));
      start = i + separator.length;
      i += separator.length - 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** `*` -> undefined; `` `a``b` `` -> a`b; a bare name as is. */
function name(part: string): string | undefined {
  const text = part.trim();
  if (text === '*') return undefined;
  return /^`.*`$/s.test(text) ? text.slice(1, -1).replaceAll('``', '`') : text;
}

/** Parses a scope written as in GRANT (`*.*`, `` `shop`.* ``, `` `mysql`.`proc` ``); undefined for routine grants and the like. */
export function parseScope(scope: string): { database: string | undefined; table: string | undefined } | undefined {
  if (/^(FUNCTION|PROCEDURE|PACKAGE)\b/i.test(scope.trim())) return undefined;
  const parts = splitTop(scope, '.');
  if (parts.length !== 2) return undefined;
  const [database, table] = parts.map(name);
  return { database, table };
}

/** Parses SHOW GRANTS lines; role grants (`GRANT role TO`), PROXY and routine grants are left out. */
export function parseShowGrants(lines: string[]): HeldGrant[] {
  const held: HeldGrant[] = [];
  for (const line of lines) {
    if (!/^GRANT /i.test(line)) continue;
    const [privileges, rest] = splitTop(line.slice('GRANT '.length), ' ON ');
    if (privileges === undefined || rest === undefined) continue;
    const scope = parseScope(splitTop(rest, ' TO ')[0] ?? '');
    if (scope === undefined) continue;
    const names = splitTop(privileges, ',').map((p) => p.trim().replace(/\s+/g, ' ').toUpperCase());
    if (names.includes('PROXY')) continue;
    held.push({ privileges: names, ...scope });
  }
  return held;
}

/** Whether `name` matches a grant's database pattern (LIKE: `_` one character, `%` any, `\` escapes). */
export function matchesPattern(pattern: string, name: string): boolean {
  let regex = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '\\' && i + 1 < pattern.length) regex += escapeRegex(pattern.charAt(++i));
    else if (c === '_') regex += '.';
    else if (c === '%') regex += '.*';
    else regex += escapeRegex(c);
  }
  return new RegExp(`^${regex}$`, 's').test(name);
}

const escapeRegex = (c: string) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A needed scope's database as a plain name (its LIKE escapes removed). */
const plainName = (escaped: string) => escaped.replace(/\\(.)/gs, '$1');

/** Whether `held` grants `need`: the privilege (or ALL) on a scope at least as wide. */
export function covers(held: HeldGrant, need: NeededPrivilege): boolean {
  if (!held.privileges.includes(need.privilege) && !held.privileges.some((p) => /^ALL( PRIVILEGES)?$/.test(p)))
    return false;
  const scope = parseScope(need.on);
  if (scope === undefined) return false;
  if (held.database === undefined) return true;
  if (scope.database === undefined) return false;
  const database = plainName(scope.database);
  if (held.table === undefined) return matchesPattern(held.database, database);
  return scope.table !== undefined && held.database === database && held.table === scope.table;
}

/** The needed privileges no held grant covers. */
export function missingPrivileges(held: HeldGrant[], needs: NeededPrivilege[]): NeededPrivilege[] {
  return needs.filter((need) => !held.some((grant) => covers(grant, need)));
}
