import { describe, expect, it } from 'vitest';
import { createdObject, DumpContentsScanner } from './dump-contents.js';
import { SqlLexer, type Token } from './sql-lexer.js';

/** A dump as mariadb-dump writes one: a placeholder view, data with tricky strings, a trigger and routines under DELIMITER ;;. */
const DUMP = `-- MariaDB dump 10.19
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;
CREATE DATABASE /*!32312 IF NOT EXISTS*/ \`shop\` /*!40100 DEFAULT CHARACTER SET utf8mb4 */;
USE \`shop\`;
DROP TABLE IF EXISTS \`orders\`;
CREATE TABLE \`orders\` (
  \`id\` int(11) NOT NULL,
  \`note\` text DEFAULT '(a),(b);'
) ENGINE=InnoDB;
LOCK TABLES \`orders\` WRITE;
INSERT INTO \`orders\` VALUES (1,'it''s (one), two;'),(2,'back\\\\slash\\' ),(x);'),(3,NULL);
INSERT INTO \`orders\` VALUES (4,0x28293B);
UNLOCK TABLES;
CREATE TABLE \`empty table\` (\`a\` int);
SET @saved_cs_client     = @@character_set_client;
/*!50001 CREATE VIEW \`v_orders\` AS SELECT
 1 AS \`id\` */;
DELIMITER ;;
/*!50003 CREATE*/ /*!50017 DEFINER=\`root\`@\`localhost\`*/ /*!50003 TRIGGER \`t_ins\` BEFORE INSERT ON \`orders\` FOR EACH ROW SET NEW.note = 'x;y' */;;
DELIMITER ;
DELIMITER ;;
CREATE DEFINER=\`root\`@\`localhost\` PROCEDURE \`p\`()
BEGIN SELECT 1; SELECT '(;'; END ;;
CREATE DEFINER=\`root\`@\`localhost\` FUNCTION \`f\`(x INT) RETURNS int(11)
RETURN x + 1 ;;
/*!50106 CREATE*/ /*!50117 DEFINER=\`root\`@\`localhost\`*/ /*!50106 EVENT \`e\` ON SCHEDULE EVERY 1 DAY DO SELECT 1 */ ;;
DELIMITER ;
/*!50001 DROP VIEW IF EXISTS \`v_orders\`*/;
/*!50001 CREATE ALGORITHM=UNDEFINED */
/*!50013 DEFINER=\`root\`@\`localhost\` SQL SECURITY DEFINER */
/*!50001 VIEW \`v_orders\` AS select \`orders\`.\`id\` AS \`id\` from \`orders\` */;
-- Dump completed on 2026-12-05 13:00:00
`;

const EXPECTED = {
  tables: 2,
  views: 1,
  triggers: 1,
  routines: 2,
  events: 1,
  rows: { 'empty table': 0, orders: 4 },
};

const scan = (chunks: Buffer[]) => {
  const scanner = new DumpContentsScanner();
  for (const chunk of chunks) scanner.write(chunk);
  return scanner.result();
};

describe('DumpContentsScanner', () => {
  it('counts objects and rows of a dump read whole', () => {
    expect(scan([Buffer.from(DUMP)])).toEqual(EXPECTED);
  });

  it('counts the same whatever the chunk boundaries (byte by byte)', () => {
    const bytes = Buffer.from(DUMP);
    expect(scan([...bytes].map((b) => Buffer.of(b)))).toEqual(EXPECTED);
  });

  it('counts a placeholder table of a view (older dumps) once, as a view', () => {
    const dump = DUMP.replace(
      '/*!50001 CREATE VIEW `v_orders` AS SELECT\n 1 AS `id` */;',
      'CREATE TABLE `v_orders` (\n `id` tinyint NOT NULL\n) ENGINE=MyISAM */;',
    );
    expect(scan([Buffer.from(dump)])).toEqual(EXPECTED);
  });

  it('names tables as UTF-8 and counts rows of --skip-extended-insert dumps', () => {
    const dump =
      'CREATE TABLE `caf\u00e9` (a int);\nINSERT INTO `caf\u00e9` VALUES (1);\nINSERT INTO `caf\u00e9` VALUES (2);\n';
    expect(scan([Buffer.from(dump, 'utf8')])?.rows).toEqual({ 'caf\u00e9': 2 });
  });

  it('gives no counts for a dump cut inside table data', () => {
    expect(scan([Buffer.from("CREATE TABLE `t` (a text);\nINSERT INTO `t` VALUES ('a;")])).toBeUndefined();
  });
});

describe('createdObject', () => {
  const tokens = (sql: string) => {
    const lexer = new SqlLexer({ ansiQuotes: false, noBackslashEscapes: false });
    const out: Token[] = [];
    for (let pos = 0, t = lexer.next(sql, 0, true); t; t = lexer.next(sql, pos, true)) {
      out.push(t);
      pos += t.text.length;
    }
    return out;
  };
  it('reads IF NOT EXISTS and qualified names', () => {
    expect(createdObject(tokens('CREATE TABLE IF NOT EXISTS `db`.`t1` (a int)'))).toEqual({
      kind: 'TABLE',
      name: 't1',
    });
    expect(createdObject(tokens('CREATE OR REPLACE VIEW v AS SELECT 1'))).toEqual({ kind: 'VIEW', name: 'v' });
    expect(createdObject(tokens('CREATE DATABASE x'))).toBeUndefined();
  });
});
