import type { SourceFile } from "../model.js";
import { AUTO_DETECT } from "./detector.js";
import { definesUp, fileStem, isJsOrTsSource, jsLanguage, readJsMigration } from "./support/js-migration.js";
import { sortMigrations } from "./support/versions.js";
import { type Framework, GENERIC_ADD_DOWN } from "./framework.js";
import { NO_COUNTERPARTS } from "./support/counterparts.js";
import { typeormUpStatements } from "./code/js-orm-typeorm-sql.js";
import { maskCode } from "./code/mask.js";

const IMPLEMENTS_MIGRATION = /\bimplements\s+MigrationInterface\b/;

/** `public transaction = false;` in the migration class: TypeORM runs this migration outside a transaction. */
const NO_TRANSACTION = /^\s*(?:(?:public|readonly|override)\s+)*transaction\s*(?::\s*boolean\s*)?=\s*false\b/m;

/** `1700000000000-AddOrders.ts`, else the class name `AddOrders1700000000000`. */
function versionAndName(file: SourceFile): { version: string; name: string } {
  const stem = fileStem(file.path);
  const fromFile = /^(\d+)-(.+)$/.exec(stem);
  if (fromFile) return { version: fromFile[1] ?? stem, name: fromFile[2] ?? stem };
  const fromClass = /\bclass\s+([A-Za-z_$][\w$]*?)(\d{10,})\s+implements\b/.exec(file.text);
  if (fromClass) return { version: fromClass[2] ?? stem, name: fromClass[1] ?? stem };
  return { version: stem, name: stem };
}

/**
 * TypeORM: a class implementing `MigrationInterface` with `up(queryRunner)` and
 * `down(queryRunner)`, in any folder. Runs in a transaction (TypeORM's default `transaction: "all"`)
 * unless the class sets `transaction = false`. The up section carries the SQL of its
 * `queryRunner.query("…")` and simple QueryRunner calls (./code/js-orm-typeorm-sql.ts).
 */
export const typeormFramework: Framework<"typeorm"> = {
  id: "typeorm",
  paths: ["**/migration/**", "**/migrations/**"],
  counterparts: NO_COUNTERPARTS,
  transaction: { wraps: true, optOut: "transaction = false" },
  texts: {
    addDown: GENERIC_ADD_DOWN,
    leaveTransaction: "in TypeORM, set `public transaction = false` in the migration class",
    concurrentIndex:
      'Use `await queryRunner.query("CREATE INDEX CONCURRENTLY …")` in a migration class that sets `public transaction = false` (CREATE INDEX CONCURRENTLY cannot run in a transaction).',
  },
  detect(files, context = AUTO_DETECT) {
    const mine = files.filter((file) => isJsOrTsSource(file.path) && (context.forced || IMPLEMENTS_MIGRATION.test(file.text)) && definesUp(file));
    const migrations = mine.map((file) => {
      const inTransaction = !NO_TRANSACTION.test(maskCode(file.text, jsLanguage(file.path)));
      return readJsMigration(file, {
        framework: "typeorm",
        ...versionAndName(file),
        inTransaction,
        upStatements: (source, masked, up) => typeormUpStatements(source, masked, up, inTransaction),
      });
    });
    return { migrations: sortMigrations(migrations), claimed: mine.map((file) => file.path) };
  },
};
