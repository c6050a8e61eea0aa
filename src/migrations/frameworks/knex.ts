import type { SourceFile } from "../model.js";
import { AUTO_DETECT } from "./detector.js";
import { definesUp, fileStem, isJsOrTsSource, readJsMigration } from "./support/js-migration.js";
import { splitVersionAndName } from "./support/migration.js";
import { hasFolderNamed } from "./support/paths.js";
import { sortMigrations } from "./support/versions.js";
import { type Framework, GENERIC_ADD_DOWN } from "./framework.js";
import { NO_COUNTERPARTS } from "./support/counterparts.js";
import { knexUpStatements } from "./code/js-orm-knex-sql.js";

/** `exports.config = { transaction: false }` / `export const config = { transaction: false }`. */
const NO_TRANSACTION = /\bconfig\s*=\s*\{[^}]*\btransaction\s*:\s*false\b/;

function isKnexMigration(file: SourceFile, forced: boolean): boolean {
  if (!isJsOrTsSource(file.path)) return false;
  if (!forced && !(hasFolderNamed(file.path, "migrations") && /knex/i.test(file.text))) return false;
  return definesUp(file);
}

/**
 * Knex: `migrations/<timestamp>_<name>.{js,ts}` exporting `up(knex)` and `down(knex)`
 * (CommonJS `exports.up = …` or ES `export async function up`). Runs in a transaction unless the
 * file exports `config = { transaction: false }`. The up section carries the SQL of its schema
 * calls (./code/js-orm-knex-sql.ts).
 */
export const knexFramework: Framework<"knex"> = {
  id: "knex",
  paths: ["**/migrations/**"],
  counterparts: NO_COUNTERPARTS,
  transaction: { wraps: true, optOut: "config = { transaction: false }" },
  texts: {
    addDown: GENERIC_ADD_DOWN,
    leaveTransaction: "in Knex, export `config = { transaction: false }` from the migration",
    concurrentIndex:
      'Knex cannot build an index concurrently: use `knex.raw("CREATE INDEX CONCURRENTLY …")` in a migration that exports `config = { transaction: false }` (CREATE INDEX CONCURRENTLY cannot run in a transaction).',
  },
  detect(files, context = AUTO_DETECT) {
    const mine = files.filter((file) => isKnexMigration(file, context.forced));
    const migrations = mine.map((file) => {
      const inTransaction = !NO_TRANSACTION.test(file.text);
      return readJsMigration(file, {
        framework: "knex",
        ...splitVersionAndName(fileStem(file.path)),
        inTransaction,
        upStatements: (source, masked, up) => knexUpStatements(source, masked, up, inTransaction),
      });
    });
    return { migrations: sortMigrations(migrations), claimed: mine.map((file) => file.path) };
  },
};
