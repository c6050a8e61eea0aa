import { buildMigration, splitVersionAndName } from "./support/migration.js";
import { basename, dirname, isSqlFile } from "./support/paths.js";
import { wholeFileSection } from "./support/sections.js";
import { sortMigrations } from "./support/versions.js";
import { type Framework, GENERIC_ADD_DOWN, GENERIC_LEAVE_TRANSACTION, SQL_CONCURRENT_INDEX } from "./framework.js";
import { NO_COUNTERPARTS } from "./support/counterparts.js";

/**
 * Any other `.sql` file: one up section over the whole file, no transaction assumed, rollback
 * optional. A leading number is its version ("0003_fix.sql" → "0003", name "fix"), else its file name.
 */
export const plainSqlFramework: Framework<"plain-sql"> = {
  id: "plain-sql",
  paths: ["**/*.sql"],
  counterparts: NO_COUNTERPARTS,
  transaction: { wraps: false, optOut: null },
  texts: {
    addDown: GENERIC_ADD_DOWN,
    leaveTransaction: GENERIC_LEAVE_TRANSACTION,
    concurrentIndex: SQL_CONCURRENT_INDEX,
  },
  detect(files) {
    const mine = files.filter((file) => isSqlFile(file.path));
    const migrations = mine.map((file) =>
      buildMigration(
        {
          framework: "plain-sql",
          ...splitVersionAndName(basename(file.path).replace(/\.sql$/i, ""), /^(\d+)(?:[_-](.+))?$/),
          files: [file.path],
          folder: dirname(file.path),
          sections: [wholeFileSection(file, { direction: "up", language: "sql", inTransaction: false })],
          rollback: "optional",
        },
        [file],
      ),
    );
    return { migrations: sortMigrations(migrations), claimed: mine.map((file) => file.path) };
  },
};
