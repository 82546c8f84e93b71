// A database that names itself everywhere a restore under another name must follow: schema-qualified
// trigger, view, event and routine bodies (some under ANSI_QUOTES, by a non-root definer), plus a sequence,
// generated columns, fulltext and spatial indexes, latin1 and utf8mb4_bin columns.

/** The non-root definer of the ANSI_QUOTES objects (create it before the fixture). */
export const FIDELITY_DEFINER = "'app'@'localhost'";

const bt = (name: string) => '`' + name.replace(/`/g, '``') + '`';
const dq = (name: string) => '"' + name.replace(/"/g, '""') + '"';

/** SQL creating and filling database `name` (feed to `mariadb` on stdin: it uses DELIMITER). */
export function fidelitySql(name: string): string {
  const b = bt(name);
  const d = dq(name);
  return `
CREATE DATABASE ${b} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
USE ${b};
CREATE TABLE customers (
  id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) CHARACTER SET latin1 COLLATE latin1_swedish_ci NOT NULL,
  code VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  UNIQUE KEY uq_code (code)
) ENGINE=InnoDB;
CREATE TABLE orders (
  id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  customer_id INT UNSIGNED NOT NULL,
  amount DECIMAL(10,2) NOT NULL,
  qty INT NOT NULL,
  total DECIMAL(12,2) AS (amount * qty) STORED,
  label VARCHAR(80) AS (CONCAT('#', qty, ' x ', amount)) VIRTUAL,
  note TEXT NULL,
  FULLTEXT KEY ft_note (note),
  KEY idx_total (total),
  CONSTRAINT fk_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB;
CREATE TABLE places (id INT PRIMARY KEY, pos POINT NOT NULL, SPATIAL KEY sp_pos (pos)) ENGINE=InnoDB;
CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, msg VARCHAR(200) NOT NULL) ENGINE=InnoDB;
CREATE SEQUENCE invoice_no START WITH 1000 INCREMENT BY 10;

CREATE TRIGGER ${b}.orders_ai AFTER INSERT ON ${b}.orders FOR EACH ROW
  INSERT INTO ${b}.audit (msg) VALUES (CONCAT('order ', NEW.id, ' total ', NEW.total));
CREATE VIEW ${b}.spend AS
  SELECT c.name, c.code, SUM(o.total) AS spent FROM ${b}.customers c JOIN ${b}.orders o ON o.customer_id = c.id GROUP BY c.name, c.code;
CREATE EVENT ${b}.purge_audit ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DISABLE COMMENT 'keeps audit short'
  DO DELETE FROM ${b}.audit WHERE id < 0;

SET sql_mode = 'ANSI_QUOTES,STRICT_TRANS_TABLES';
DELIMITER //
CREATE DEFINER="app"@"localhost" PROCEDURE ${d}."add_order"(IN c INT, IN a DECIMAL(10,2), IN n INT, IN t TEXT)
MODIFIES SQL DATA
BEGIN
  INSERT INTO ${d}."orders" ("customer_id", "amount", "qty", "note") VALUES (c, a, n, t);
END//
CREATE DEFINER="app"@"localhost" FUNCTION ${d}.order_count(c INT) RETURNS INT READS SQL DATA
  RETURN (SELECT COUNT(*) FROM ${d}.orders WHERE customer_id = c)//
CREATE DEFINER="app"@"localhost" TRIGGER ${d}."audit_bi" BEFORE INSERT ON ${d}."audit" FOR EACH ROW
  SET NEW.msg = CONCAT(NEW.msg, ' of ', (SELECT COUNT(*) FROM ${d}.customers))//
DELIMITER ;
SET sql_mode = DEFAULT;

INSERT INTO customers (name, code) VALUES ('Müller', 'AbC'), ('Ærø Ådal', 'abc'), ('plain', 'x-1');
CALL add_order(1, 9.99, 3, 'first order, fast delivery');
CALL add_order(2, 0.01, 1000, 'bulk cheap screws');
CALL add_order(3, 1234.50, 2, NULL);
INSERT INTO places VALUES (1, ST_GeomFromText('POINT(1.5 2.5)')), (2, ST_GeomFromText('POINT(-71.06 42.36)'));
SELECT NEXTVAL(invoice_no), NEXTVAL(invoice_no), NEXTVAL(invoice_no);
`;
}

/** A trigger sent by a latin1 client (its body is dumped in latin1 bytes), for database `name`. */
export function latin1TriggerSql(name: string): Buffer {
  return Buffer.from(
    `SET NAMES latin1;
CREATE TRIGGER ${bt(name)}.places_bi BEFORE INSERT ON ${bt(name)}.places FOR EACH ROW
  INSERT INTO ${bt(name)}.audit (msg) VALUES ('lieu ajouté');
`,
    'latin1',
  );
}

/** Database `name` whose procedure builds SQL naming `name` in a string: a restore under another name must refuse it. */
export function dynamicSqlFixture(name: string): string {
  const b = bt(name);
  return `
CREATE DATABASE ${b};
USE ${b};
CREATE TABLE items (id INT PRIMARY KEY, title VARCHAR(40));
INSERT INTO items VALUES (1, 'one'), (2, 'two');
DELIMITER //
CREATE PROCEDURE count_items() READS SQL DATA
BEGIN
  SET @q = CONCAT('SELECT COUNT(*) FROM ', ${"'" + b.replace(/'/g, "''") + "'"}, '.items');
  PREPARE stmt FROM @q;
  EXECUTE stmt;
END//
DELIMITER ;
`;
}
