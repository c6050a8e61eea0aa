import type { SourceFile } from "../model.js";
import { AUTO_DETECT } from "./detector.js";
import { definesUp, fileStem, isJsOrTsSource, readJsMigration } from "./support/js-migration.js";
import { sortMigrations } from "./support/versions.js";
import { type Framework, GENERIC_ADD_DOWN, GENERIC_LEAVE_TRANSACTION, SQL_CONCURRENT_INDEX } from "./framework.js";
import { NO_COUNTERPARTS } from "./support/counterparts.js";

const IMPLEMENTS_MIGRATION = /\bimplements\s+MigrationInterface\b/;

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
 * `down(queryRunner)`, in any folder. Runs in a transaction (TypeORM's default `transaction: "all"`).
 */
export const typeormFramework: Framework<"typeorm"> = {
  id: "typeorm",
  paths: ["**/migration/**", "**/migrations/**"],
  counterparts: NO_COUNTERPARTS,
  transaction: { wraps: true, optOut: null },
  texts: {
    addDown: GENERIC_ADD_DOWN,
    leaveTransaction: GENERIC_LEAVE_TRANSACTION,
    concurrentIndex: SQL_CONCURRENT_INDEX,
  },
  detect(files, context = AUTO_DETECT) {
    const mine = files.filter((file) => isJsOrTsSource(file.path) && (context.forced || IMPLEMENTS_MIGRATION.test(file.text)) && definesUp(file));
    const migrations = mine.map((file) => readJsMigration(file, { framework: "typeorm", ...versionAndName(file), inTransaction: true }));
    return { migrations: sortMigrations(migrations), claimed: mine.map((file) => file.path) };
  },
};
