import type { SourceFile } from "../model.js";
import { AUTO_DETECT } from "./detector.js";
import { definesUp, fileStem, isJsOrTsSource, readJsMigration } from "./support/js-migration.js";
import { splitVersionAndName } from "./support/migration.js";
import { hasFolderNamed } from "./support/paths.js";
import { sortMigrations } from "./support/versions.js";
import { type Framework, GENERIC_ADD_DOWN, GENERIC_LEAVE_TRANSACTION, SQL_CONCURRENT_INDEX } from "./framework.js";
import { NO_COUNTERPARTS } from "./support/counterparts.js";

function isSequelizeMigration(file: SourceFile, forced: boolean): boolean {
  if (!isJsOrTsSource(file.path)) return false;
  const sequelizeCode = /\bqueryInterface\b/.test(file.text) || (hasFolderNamed(file.path, "migrations") && /\bSequelize\b/.test(file.text));
  return (forced || sequelizeCode) && definesUp(file);
}

/**
 * Sequelize (sequelize-cli, umzug): `migrations/<timestamp>-<name>.js` with
 * `module.exports = { async up(queryInterface, Sequelize) {…}, async down(…) {…} }`.
 */
export const sequelizeFramework: Framework<"sequelize"> = {
  id: "sequelize",
  paths: ["**/migrations/**"],
  counterparts: NO_COUNTERPARTS,
  transaction: { wraps: true, optOut: null },
  texts: {
    addDown: GENERIC_ADD_DOWN,
    leaveTransaction: GENERIC_LEAVE_TRANSACTION,
    concurrentIndex: SQL_CONCURRENT_INDEX,
  },
  detect(files, context = AUTO_DETECT) {
    const mine = files.filter((file) => isSequelizeMigration(file, context.forced));
    const migrations = mine.map((file) => readJsMigration(file, { framework: "sequelize", ...splitVersionAndName(fileStem(file.path)), inTransaction: true }));
    return { migrations: sortMigrations(migrations), claimed: mine.map((file) => file.path) };
  },
};
