import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { createRetargetStage, type RetargetStageOptions } from './mysql-retarget.js';

/** Runs `dump` through the stage in chunks of `size` bytes; resolves to the output and the problems. */
async function retarget(dump: string | Buffer, options: Partial<RetargetStageOptions> = {}, size = 1 << 20) {
  const input = Buffer.isBuffer(dump) ? dump : Buffer.from(dump, 'utf8');
  const chunks = Array.from({ length: Math.ceil(input.length / size) }, (_, i) =>
    input.subarray(i * size, (i + 1) * size),
  );
  const stage = createRetargetStage({ from: 'web-shop', to: 'copy-ü$1', collect: true, ...options });
  const out: Buffer[] = [];
  const sink = new Writable({
    write: (c: Buffer, _e, cb) => {
      out.push(c);
      cb();
    },
  });
  await pipeline(Readable.from(chunks), stage, sink);
  return { text: Buffer.concat(out).toString('utf8'), bytes: Buffer.concat(out), problems: stage.problems };
}

const DUMP = `/*M!999999\\- enable the sandbox mode */ 
-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB
/*!40101 SET NAMES utf8mb4 */;
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;
--
-- Current Database: \`web-shop\`
--

CREATE DATABASE /*!32312 IF NOT EXISTS*/ \`web-shop\` /*!40100 DEFAULT CHARACTER SET utf8mb4 */;

USE \`web-shop\`;
CREATE TABLE \`t\` (
  \`id\` int(11) NOT NULL,
  \`web-shop\` varchar(50) DEFAULT 'web-shop.x;',
  PRIMARY KEY (\`id\`)
) ENGINE=InnoDB;
LOCK TABLES \`t\` WRITE;
INSERT INTO \`t\` VALUES
(1,'USE \`web-shop\`;\\nDEFINER=\`root\`@\`localhost\`'),
(2,'x;');
INSERT INTO \`t\` VALUES (3,'y;');
INSERT INTO \`t\` VALUES (4,'USE \`web-shop\`;');
UNLOCK TABLES;
USE \`web-shop\`;
/*!50003 SET @saved_sql_mode       = @@sql_mode */ ;
/*!50003 SET sql_mode              = 'ANSI_QUOTES' */ ;
DELIMITER ;;
/*!50003 CREATE*/ /*!50017 DEFINER="app"@"localhost"*/ /*!50003 TRIGGER "web-shop".tr BEFORE UPDATE ON "web-shop"."t" FOR EACH ROW SET NEW."web-shop" = 'a;b' */;;
DELIMITER ;
/*!50003 SET sql_mode              = @saved_sql_mode */ ;
ALTER DATABASE \`web-shop\` CHARACTER SET latin1 COLLATE latin1_swedish_ci ;
DELIMITER ;;
CREATE DEFINER=\`root\`@\`%\` PROCEDURE \`p\`()
BEGIN
  INSERT INTO \`web-shop\`.t VALUES (1, "a \\" web-shops"); -- web-shop.t in a comment
  SELECT \`web-shop\`.t.id, t.\`web-shop\` FROM \`web-shop\`.t;
END ;;
DELIMITER ;
/*!50001 CREATE ALGORITHM=UNDEFINED */
/*!50013 DEFINER=\`app\`@\`localhost\` SQL SECURITY DEFINER */
/*!50001 VIEW \`v\` AS select \`t\`.\`id\` AS \`id\` from \`t\` */;
/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;

-- Dump completed on 2026-12-04 16:49:01
`;

describe('createRetargetStage', () => {
  it('renames the database where it is an identifier naming the database, and nowhere else', async () => {
    const { text, problems } = await retarget(DUMP);
    expect(problems).toEqual([]);
    expect(text).toContain('CREATE DATABASE /*!32312 IF NOT EXISTS*/ `copy-ü$1` /*!40100');
    expect(text).toContain('USE `copy-ü$1`;');
    expect(text).toContain('ALTER DATABASE `copy-ü$1` CHARACTER SET latin1');
    expect(text).toContain(
      'TRIGGER "copy-ü$1".tr BEFORE UPDATE ON "copy-ü$1"."t" FOR EACH ROW SET NEW."web-shop" = \'a;b\'',
    );
    expect(text).toContain('SELECT `copy-ü$1`.t.id, t.`web-shop` FROM `copy-ü$1`.t;');
    // Column names, defaults, table data and comments keep the old name.
    expect(text).toContain("`web-shop` varchar(50) DEFAULT 'web-shop.x;'");
    expect(text).toContain(
      "(1,'USE `web-shop`;\\nDEFINER=`root`@`localhost`'),\n(2,'x;');\nINSERT INTO `t` VALUES (3,'y;');\nINSERT INTO `t` VALUES (4,'USE `web-shop`;');\nUNLOCK TABLES;\nUSE `copy-ü$1`;\n",
    );
    expect(text).toContain('-- Current Database: `web-shop`');
    expect(text).toContain('DEFINER="app"@"localhost"');
    expect(text.endsWith('-- Dump completed on 2026-12-04 16:49:01\n')).toBe(true);
  });

  it('gives the same bytes whatever the chunk boundaries (one byte at a time)', async () => {
    const whole = await retarget(DUMP);
    const bytewise = await retarget(DUMP, {}, 1);
    expect(bytewise.text).toBe(whole.text);
  });

  it('under the same name, passes the dump through unchanged', async () => {
    const { bytes, problems } = await retarget(DUMP, { to: 'web-shop' });
    expect(problems).toEqual([]);
    expect(bytes.equals(Buffer.from(DUMP))).toBe(true);
  });

  it('--strip-definers removes DEFINER clauses in every quoting, and nothing else', async () => {
    const dump = [
      '/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER a BEFORE INSERT ON t FOR EACH ROW SET @x = 1 */;',
      "CREATE DEFINER = root@localhost PROCEDURE b() SELECT 'DEFINER=`x`@`y`';",
      'CREATE DEFINER=app@10.0.0.% FUNCTION c() RETURNS INT RETURN 1;',
      "CREATE DEFINER='app'@'%' EVENT d ON SCHEDULE EVERY 1 DAY DO SELECT 1;",
      'CREATE DEFINER=CURRENT_USER() PROCEDURE e() SELECT 1;',
      'CREATE DEFINER=`some_role` PROCEDURE f() SELECT 1;',
      '/*!50001 CREATE ALGORITHM=UNDEFINED */\n/*!50013 DEFINER=`app`@`%` SQL SECURITY DEFINER */\n/*!50001 VIEW `v` AS select 1 AS `one` */;',
      "SET sql_mode = 'ANSI_QUOTES';",
      'CREATE DEFINER="app"@"localhost" PROCEDURE "g"() SELECT 1;',
      '',
    ].join('\n');
    const { text, problems } = await retarget(dump, { stripDefiners: true, to: 'web-shop' });
    expect(problems).toEqual([]);
    expect(text).toBe(
      [
        '/*!50003 CREATE*/ /*!50017 */ /*!50003 TRIGGER a BEFORE INSERT ON t FOR EACH ROW SET @x = 1 */;',
        "CREATE PROCEDURE b() SELECT 'DEFINER=`x`@`y`';",
        'CREATE FUNCTION c() RETURNS INT RETURN 1;',
        'CREATE EVENT d ON SCHEDULE EVERY 1 DAY DO SELECT 1;',
        'CREATE PROCEDURE e() SELECT 1;',
        'CREATE PROCEDURE f() SELECT 1;',
        '/*!50001 CREATE ALGORITHM=UNDEFINED */\n/*!50013 SQL SECURITY DEFINER */\n/*!50001 VIEW `v` AS select 1 AS `one` */;',
        "SET sql_mode = 'ANSI_QUOTES';",
        'CREATE PROCEDURE "g"() SELECT 1;',
        '',
      ].join('\n'),
    );
  });

  it('a trigger written by a latin1 client is renamed in latin1 bytes', async () => {
    const dump = Buffer.concat([
      Buffer.from(
        'USE `café`;\n/*!50003 SET @saved_cs_client = @@character_set_client */ ;\n/*!50003 SET character_set_client  = latin1 */ ;\nDELIMITER ;;\n',
        'utf8',
      ),
      Buffer.from(
        "/*!50003 CREATE*/ /*!50003 TRIGGER `café`.tr AFTER INSERT ON `café`.t FOR EACH ROW SET @a = 'été' */;;\n",
        'latin1',
      ),
      Buffer.from('DELIMITER ;\n/*!50003 SET character_set_client  = @saved_cs_client */ ;\nUSE `café`;\n', 'utf8'),
    ]);
    const { bytes, problems } = await retarget(dump, { from: 'café', to: 'neü' });
    expect(problems).toEqual([]);
    expect(bytes.toString('latin1')).toContain("TRIGGER `neü`.tr AFTER INSERT ON `neü`.t FOR EACH ROW SET @a = 'été'");
    expect(bytes.subarray(0, 12).toString('utf8')).toBe('USE `neü`;\n');
    expect(bytes.toString('utf8').endsWith('USE `neü`;\n')).toBe(true);
  });

  it('names what it cannot retarget: dynamic SQL, other databases, ambiguous names', async () => {
    const dump = [
      "CREATE PROCEDURE `dyn`() BEGIN SET @q = 'SELECT * FROM `web-shop`.t'; PREPARE s FROM @q; END;",
      "CREATE PROCEDURE `ok`() COMMENT 'copies web-shop' SELECT 'web-shops', 'the_web-shop_x';",
      'CREATE TRIGGER other.tr BEFORE INSERT ON other.t FOR EACH ROW SET @a = 1;',
      'USE `other`;',
      'DO SETVAL(other.s, 5);',
      'CREATE TABLE `child` (`id` int, FOREIGN KEY (`id`) REFERENCES `other`.`parent` (`id`));',
      'CREATE VIEW `v` AS select `web-shop`.`id` AS `id` from `web-shop`;',
      'CREATE VIEW `w` AS select `WEB-SHOP`.t.id from t;',
      '',
    ].join('\n');
    const { problems } = await retarget(dump);
    expect(problems).toEqual([
      "procedure dyn: a string names the source database web-shop ('SELECT * FROM `web-shop`.t'): it would still act on web-shop",
      'trigger tr: would be created in database other, not copy-ü$1',
      'trigger tr: would be created in database other, not copy-ü$1',
      'statement "USE `other`": names database other, not web-shop',
      'statement "DO SETVAL(other.s": names database other (other.…), not web-shop',
      'view v: web-shop names both the database (web-shop.…) and a table, alias or column here: cannot tell which to rename',
      'view w: WEB-SHOP. differs from the source database web-shop only in letter case: cannot tell which it names',
    ]);
  });

  it('without collect, fails before passing the statement on', async () => {
    const dump =
      "CREATE TABLE `t` (`id` int);\nCREATE PROCEDURE `dyn`() SELECT 'web-shop';\nCREATE TABLE `u` (`id` int);\n";
    const out: Buffer[] = [];
    const stage = createRetargetStage({ from: 'web-shop', to: 'copy' });
    const failed = pipeline(
      Readable.from([Buffer.from(dump)]),
      stage,
      new Writable({
        write: (c: Buffer, _e, cb) => {
          out.push(c);
          cb();
        },
      }),
    );
    await expect(failed).rejects.toMatchObject({
      code: 'RETARGET_REFUSED',
      message: expect.stringContaining('procedure dyn: a string names the source database web-shop') as string,
    });
    expect(Buffer.concat(out).toString()).not.toContain('dyn');
  });
});
