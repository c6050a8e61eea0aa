import { PAIRED_FILE_COUNTERPARTS, pairedUpDownMigrations } from "./support/paired-files.js";
import { type Framework, SQL_CONCURRENT_INDEX } from "./framework.js";

/**
 * golang-migrate: `<version>_<title>.up.sql` and `.down.sql` side by side. Each file runs as it
 * is, with no transaction around it; the down file is optional.
 */
export const golangMigrateFramework: Framework<"golang-migrate"> = {
  id: "golang-migrate",
  paths: ["**/*.sql", "**/migrations/**"],
  counterparts: PAIRED_FILE_COUNTERPARTS,
  transaction: { wraps: false, optOut: null },
  texts: {
    addDown: "Add the matching `.down.sql` file",
    leaveTransaction: "golang-migrate runs each file as written, without a transaction of its own",
    concurrentIndex: SQL_CONCURRENT_INDEX,
  },
  detect(files) {
    return pairedUpDownMigrations(files, "golang-migrate", () => false);
  },
};
