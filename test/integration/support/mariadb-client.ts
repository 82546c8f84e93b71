// Runs the mariadb CLI with credentials in a 0600 option file, so passwords never appear in argv or `ps`.
import { writeFile, chmod } from 'node:fs/promises';
import { execa } from 'execa';

export interface ClientLogin {
  user: string;
  password: string;
  host?: string;
  port?: number;
  socket?: string;
}

/**
 * Writes a `[client]` option file (mode 0600) for `--defaults-extra-file=`; that flag must be the FIRST
 * argument of mariadb / mariadb-dump / mariadb-admin. Resolves to `path`.
 */
export async function writeDefaultsFile(path: string, login: ClientLogin): Promise<string> {
  for (const [k, v] of Object.entries(login)) {
    if (/["\\\n\r]/.test(String(v)))
      throw new Error(`option-file value ${k} must not contain quotes, backslashes or newlines`);
  }
  const lines = ['[client]', `user="${login.user}"`];
  if (login.password) lines.push(`password="${login.password}"`); // none: log in without a password
  if (login.socket) lines.push(`socket="${login.socket}"`);
  else lines.push(`host=${login.host ?? '127.0.0.1'}`, `port=${login.port ?? 3306}`);
  lines.push('default-character-set=utf8mb4', '');
  await writeFile(path, lines.join('\n'), { mode: 0o600 });
  await chmod(path, 0o600); // writeFile's mode only applies when it creates the file
  return path;
}

/** Runs `sql` (fed on stdin, so DELIMITER works) in batch mode with -N -B; resolves to stdout. */
export async function runSql(defaultsFile: string, sql: string, database?: string): Promise<string> {
  const args = [`--defaults-extra-file=${defaultsFile}`, '-N', '-B', ...(database ? [database] : [])];
  try {
    const { stdout } = await execa('mariadb', args, { input: sql, stripFinalNewline: true });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; shortMessage?: string };
    const snippet = sql.length > 300 ? `${sql.slice(0, 300)}…` : sql;
    throw new Error(`mariadb failed: ${(err.stderr ?? '').trim() || err.shortMessage}\nSQL: ${snippet}`, { cause: e });
  }
}

/** Quotes an identifier with backticks (doubling embedded backticks). */
export function ident(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/** Quotes a string literal for SQL (backslashes and single quotes escaped). */
export function literal(value: string): string {
  return "'" + value.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
}
