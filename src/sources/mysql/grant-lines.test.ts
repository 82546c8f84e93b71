import { describe, expect, it } from 'vitest';
import type { NeededPrivilege } from '../source.js';
import { covers, matchesPattern, missingPrivileges, parseShowGrants } from './grant-lines.js';

// Lines as MariaDB 10.11 printed them (SHOW GRANTS with a default role active; `--raw` output).
const SHOWN = [
  'GRANT `r1` TO `g`@`%`',
  "GRANT RELOAD, BINLOG MONITOR ON *.* TO `g`@`%` IDENTIFIED BY PASSWORD '*B69027D44F6E5EDC07F1AEAD1477967B16F28227'",
  'GRANT ALL PRIVILEGES ON `x``y`.* TO `g`@`%`',
  'GRANT SELECT, SHOW VIEW ON `sh\\_%`.* TO `g`@`%`',
  'GRANT TRIGGER ON `shop`.`orders` TO `g`@`%`',
  'GRANT SELECT (`id`, `name`), INSERT ON `app`.`t` TO `g`@`%`',
  'GRANT SELECT ON `mysql`.`proc` TO `g`@`%`',
  'GRANT EXECUTE ON FUNCTION `shop`.`f` TO `g`@`%`',
  "GRANT PROXY ON ''@'%' TO 'root'@'localhost' WITH GRANT OPTION",
  'GRANT EVENT ON `shop`.* TO `r1`',
  'SET DEFAULT ROLE `r1` FOR `g`@`%`',
];
const need = (privilege: string, on: string): NeededPrivilege => ({ privilege, on, why: 'test', without: 'fails' });

describe('parseShowGrants', () => {
  it('reads global, database, table and column grants; leaves out roles, PROXY and routines', () => {
    expect(parseShowGrants(SHOWN)).toEqual([
      { privileges: ['RELOAD', 'BINLOG MONITOR'], database: undefined, table: undefined },
      { privileges: ['ALL PRIVILEGES'], database: 'x`y', table: undefined },
      { privileges: ['SELECT', 'SHOW VIEW'], database: 'sh\\_%', table: undefined },
      { privileges: ['TRIGGER'], database: 'shop', table: 'orders' },
      { privileges: ['SELECT (`ID`, `NAME`)', 'INSERT'], database: 'app', table: 't' },
      { privileges: ['SELECT'], database: 'mysql', table: 'proc' },
      { privileges: ['EVENT'], database: 'shop', table: undefined },
    ]);
  });
});

describe('covers', () => {
  const held = parseShowGrants(SHOWN);
  const has = (privilege: string, on: string) => held.some((grant) => covers(grant, need(privilege, on)));

  it('a database pattern covers the databases it matches, with its escapes', () => {
    expect(has('SELECT', '`sh\\_x`.*')).toBe(true);
    expect(has('SELECT', '`sh_x`.*')).toBe(true); // needed names are plain after unescaping
    expect(has('SELECT', '`shop`.*')).toBe(false); // `sh\_%` needs a literal underscore
    expect(has('EVENT', '`shop`.*')).toBe(true); // through the active role
  });
  it('ALL PRIVILEGES on a database covers its privileges but not global ones, nor mysql.proc', () => {
    expect(has('TRIGGER', '`x``y`.*')).toBe(true);
    expect(has('SELECT', '`mysql`.`proc`')).toBe(true);
    expect(
      parseShowGrants(['GRANT ALL PRIVILEGES ON `shop`.* TO `u`@`%`']).some((g) =>
        covers(g, need('SELECT', '`mysql`.`proc`')),
      ),
    ).toBe(false);
    expect(has('SLAVE MONITOR', '*.*')).toBe(false);
    expect(has('RELOAD', '*.*')).toBe(true);
  });
  it('a table grant does not cover its database; a column grant does not cover the table', () => {
    expect(has('TRIGGER', '`shop`.*')).toBe(false);
    expect(has('SELECT', '`app`.`t`')).toBe(false);
    expect(has('INSERT', '`app`.`t`')).toBe(true);
  });
  it('a global grant covers everything', () => {
    expect(
      missingPrivileges(parseShowGrants(['GRANT SELECT, SHOW VIEW ON *.* TO `u`@`%`']), [
        need('SELECT', '`mysql`.`proc`'),
        need('SHOW VIEW', '`a\\%b`.*'),
        need('EVENT', '`a`.*'),
      ]),
    ).toEqual([need('EVENT', '`a`.*')]);
  });
});

describe('matchesPattern', () => {
  it('reads _ and % as LIKE does, and \\ as an escape', () => {
    expect(matchesPattern('app\\_%', 'app_1')).toBe(true);
    expect(matchesPattern('app\\_%', 'appX1')).toBe(false);
    expect(matchesPattern('app_%', 'appX1')).toBe(true);
    expect(matchesPattern('a.b', 'aXb')).toBe(false);
  });
});
