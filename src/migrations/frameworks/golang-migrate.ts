import { PAIRED_FILE_COUNTERPARTS, pairedUpDownMigrations } from "./support/paired-files.js";
import type { Framework } from "./framework.js";

/**
 * golang-migrate: `<version>_<title>.up.sql` and `.down.sql` side by side; the down file is
 * optional. It opens no transaction of its own, but its postgres driver sends each file as one
 * query, which Postgres runs in one implicit transaction when it holds several statements; with
 * `x-multi-statement=true` in the database URL (`golangMigrate.multiStatement` in the config) the
 * driver splits the file on `;` and sends the statements one by one, outside any transaction.
 */
export const golangMigrateFramework: Framework<"golang-migrate"> = {
  id: "golang-migrate",
  paths: ["**/*.sql", "**/migrations/**"],
  counterparts: PAIRED_FILE_COUNTERPARTS,
  transaction: { wraps: false, optOut: null },
  texts: {
    addDown: "Add the matching `.down.sql` file",
    leaveTransaction:
      "golang-migrate sends the whole file to Postgres as one query, and Postgres runs a query of several statements in one transaction. Put this statement alone in a migration file of its own, or add `x-multi-statement=true` to the database URL so that golang-migrate sends the statements one by one",
    concurrentIndex:
      "Use CREATE INDEX CONCURRENTLY, alone in a migration file of its own: golang-migrate sends a file as one query, and Postgres runs a query of several statements in one transaction, where CONCURRENTLY is refused (unless the database URL has `x-multi-statement=true`).",
  },
  detect(files, context) {
    const oneQuery = context?.golangMigrate?.multiStatement !== true;
    const { migrations, claimed } = pairedUpDownMigrations(files, "golang-migrate", () => false);
    if (oneQuery) for (const migration of migrations) for (const section of migration.sections) section.oneQuery = true;
    return { migrations, claimed };
  },
};
