import type { SourceFile } from "../model.js";
import { AUTO_DETECT } from "./detector.js";
import { definesUp, fileStem, isJsOrTsSource, readJsMigration } from "./support/js-migration.js";
import { splitVersionAndName } from "./support/migration.js";
import { hasFolderNamed } from "./support/paths.js";
import { sortMigrations } from "./support/versions.js";
import { type Framework, GENERIC_ADD_DOWN } from "./framework.js";
import { NO_COUNTERPARTS } from "./support/counterparts.js";
import { sequelizeUpStatements } from "./code/js-orm-sequelize-sql.js";

function isSequelizeMigration(file: SourceFile, forced: boolean): boolean {
  if (!isJsOrTsSource(file.path)) return false;
  const sequelizeCode = /\bqueryInterface\b/.test(file.text) || (hasFolderNamed(file.path, "migrations") && /\bSequelize\b/.test(file.text));
  return (forced || sequelizeCode) && definesUp(file);
}

/**
 * Sequelize (sequelize-cli, umzug): `migrations/<timestamp>-<name>.js` with
 * `module.exports = { async up(queryInterface, Sequelize) {…}, async down(…) {…} }`. Neither
 * sequelize-cli nor umzug wraps a migration in a transaction: only calls given `{ transaction }` or
 * made inside `sequelize.transaction(…)` run in one (read per call, ./code/js-orm-sequelize-sql.ts).
 */
export const sequelizeFramework: Framework<"sequelize"> = {
  id: "sequelize",
  paths: ["**/migrations/**"],
  counterparts: NO_COUNTERPARTS,
  transaction: { wraps: false, optOut: null },
  texts: {
    addDown: GENERIC_ADD_DOWN,
    leaveTransaction: "in Sequelize, run the call without `{ transaction }` and outside `sequelize.transaction(…)`",
    concurrentIndex:
      "Use `queryInterface.addIndex(table, fields, { concurrently: true })` in a migration whose index call is not given a transaction (neither `{ transaction }` nor inside `sequelize.transaction(…)`): CREATE INDEX CONCURRENTLY cannot run in one.",
  },
  detect(files, context = AUTO_DETECT) {
    const mine = files.filter((file) => isSequelizeMigration(file, context.forced));
    const migrations = mine.map((file) =>
      readJsMigration(file, { framework: "sequelize", ...splitVersionAndName(fileStem(file.path)), inTransaction: false, upStatements: sequelizeUpStatements }),
    );
    return { migrations: sortMigrations(migrations), claimed: mine.map((file) => file.path) };
  },
};
