// The "rich" fixture database backup tests dump and restore: awkward text, every byte value, generated columns, all object kinds.
import { ident } from './mariadb-client.js';

/** Anything that can run SQL as root (the MariaDb handle). */
export interface SqlRunner {
  query(sql: string, database?: string): Promise<string>;
}

export const FIXTURE_TABLES = ['audit_log', 'big', 'blobs', 'customers', 'orders', 'texts'] as const;
export const FIXTURE_OBJECTS = {
  routines: ['add_order', 'order_count'],
  triggers: ['trg_orders_ai'],
  events: ['purge_audit'],
  views: ['customer_totals'],
};

/** Hex of the 256 bytes 0x00..0xFF in order. */
export const ALL_BYTES_HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0')).join('');

/** SQL creating database `name` with the fixture (feed to `mariadb` on stdin: it uses DELIMITER). */
export function fixtureSql(name: string): string {
  const db = ident(name);
  return `
CREATE DATABASE ${db} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
USE ${db};
CREATE TABLE customers (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  email VARCHAR(190) NOT NULL UNIQUE,
  created_at DATETIME(6) NOT NULL DEFAULT '2024-01-02 03:04:05.123456'
) ENGINE=InnoDB;
CREATE TABLE orders (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id INT UNSIGNED NOT NULL,
  amount DECIMAL(10,2) NOT NULL,
  qty INT NOT NULL,
  note VARCHAR(200) NULL,
  total DECIMAL(12,2) AS (amount * qty) STORED,
  note_upper VARCHAR(200) AS (UPPER(note)) VIRTUAL,
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE,
  KEY idx_total (total)
) ENGINE=InnoDB;
CREATE TABLE audit_log (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id INT UNSIGNED NOT NULL,
  message VARCHAR(255) NOT NULL
) ENGINE=InnoDB;
CREATE TABLE texts (id INT UNSIGNED NOT NULL PRIMARY KEY, body MEDIUMTEXT NULL) ENGINE=InnoDB;
CREATE TABLE blobs (id INT UNSIGNED NOT NULL PRIMARY KEY, data LONGBLOB NULL, fixed BINARY(16) NULL) ENGINE=InnoDB;
CREATE TABLE big (
  id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  payload VARCHAR(255) NOT NULL,
  n DOUBLE NOT NULL
) ENGINE=InnoDB;

INSERT INTO customers (name, email) VALUES
  ('Zoë 😀', 'zoe@example.com'), ('Müller', 'm@example.com'), ('山田太郎', 'yamada@example.jp');

CREATE TRIGGER trg_orders_ai AFTER INSERT ON orders FOR EACH ROW
  INSERT INTO audit_log (order_id, message) VALUES (NEW.id, CONCAT('order ', NEW.id, ' total ', NEW.total));

DELIMITER //
CREATE PROCEDURE add_order(IN p_customer INT UNSIGNED, IN p_amount DECIMAL(10,2), IN p_qty INT,
                           IN p_note VARCHAR(200), OUT p_id INT UNSIGNED)
MODIFIES SQL DATA
BEGIN
  INSERT INTO orders (customer_id, amount, qty, note) VALUES (p_customer, p_amount, p_qty, p_note);
  SET p_id = LAST_INSERT_ID();
END//
CREATE FUNCTION order_count(p_customer INT UNSIGNED) RETURNS INT
READS SQL DATA DETERMINISTIC
BEGIN
  DECLARE c INT;
  SELECT COUNT(*) INTO c FROM orders WHERE customer_id = p_customer;
  RETURN c;
END//
DELIMITER ;

CALL add_order(1, 9.99, 3, 'first 😀 order', @id);
CALL add_order(1, 0.01, 1000, NULL, @id);
CALL add_order(3, 1234.50, 2, 'Привет, мир', @id);

CREATE VIEW customer_totals AS
  SELECT c.id, c.name, COUNT(o.id) AS orders, COALESCE(SUM(o.total), 0) AS spent
  FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id, c.name;

CREATE EVENT purge_audit ON SCHEDULE EVERY 1 DAY DISABLE COMMENT 'fixture event'
  DO DELETE FROM audit_log WHERE id < 0;

INSERT INTO texts VALUES
  (1, 'ASCII with ''single'', "double", back\\\\slash, tab\\there, CR\\rLF\\n, ctrl-Z \\Z, percent % under_'),
  (2, '😀🎉👩‍👩‍👧‍👦 emoji incl. a ZWJ family and 𝄞 (U+1D11E)'),
  (3, '中文 日本語 한국어 العربية עברית हिन्दी ελληνικά Ёжик'),
  (4, ''),
  (5, NULL),
  (6, CONCAT('NUL in text: [', CHAR(0), ']'));

INSERT INTO blobs VALUES
  (1, UNHEX('${ALL_BYTES_HEX}'), UNHEX(REPEAT('00', 16))),
  (2, REPEAT(CHAR(0), 1000), NULL),
  (3, '', UNHEX('FF00FF00FF00FF00FF00FF00FF00FF00')),
  (4, NULL, NULL),
  (5, CONCAT(UNHEX('${ALL_BYTES_HEX}'), UNHEX('${ALL_BYTES_HEX}'), REPEAT(UNHEX('00FF0A0D275C1A22'), 100)), NULL);
`;
}

/** Rows per INSERT … SELECT, so one statement never builds a huge undo log. */
const FILL_CHUNK = 200_000;

/**
 * Appends `rows` rows to `database`.big (ids continue after the current maximum) using the SEQUENCE engine.
 * Each row dumps to roughly 220 bytes of SQL, so 100 000 rows make a ~22 MB dump.
 */
export async function fillBig(db: SqlRunner, database: string, rows: number): Promise<void> {
  if (!Number.isInteger(rows) || rows < 0) throw new Error(`fillBig: rows must be a non-negative integer, got ${rows}`);
  let next = Number(await db.query('SELECT COALESCE(MAX(id), 0) FROM big', database));
  const statements: string[] = [];
  for (let left = rows; left > 0; left -= FILL_CHUNK) {
    const n = Math.min(left, FILL_CHUNK);
    const id = `(seq + ${next})`;
    statements.push(
      `INSERT INTO big (id, payload, n) SELECT ${id}, CONCAT(SHA2(${id}, 256), '-', SHA2(${id}, 512)), ${id} / 7 FROM seq_1_to_${n};`,
    );
    next += n;
  }
  if (statements.length) await db.query(statements.join('\n'), database);
}
