import { describe, expect, it } from 'vitest';
import { lockedTable, pollInterval } from './mysql-lock-watch.js';

describe('lockedTable', () => {
  it('names the table of the statements a dump waits in', () => {
    expect(lockedTable('SELECT /*!40001 SQL_NO_CACHE */ `a`, `b` FROM `orders`')).toBe('`orders`');
    expect(lockedTable('SELECT /*!40001 SQL_NO_CACHE */ * FROM `shop`.`or``ders`')).toBe('`shop`.`or``ders`');
    expect(lockedTable('show create table `customers`')).toBe('`customers`');
    expect(lockedTable('LOCK TABLES `t1` READ /*!32311 LOCAL */')).toBe('`t1`');
    expect(lockedTable('FLUSH TABLES WITH READ LOCK')).toBeUndefined();
  });
});

describe('pollInterval', () => {
  it('polls at a fifth of the bound, between 1 and 15 seconds', () => {
    expect(pollInterval(2_000)).toBe(1_000);
    expect(pollInterval(30_000)).toBe(6_000);
    expect(pollInterval(300_000)).toBe(15_000);
  });
});
