import type { FrameworkDetector } from "./detector.js";
import { pairedUpDownMigrations } from "./support/paired-files.js";

/**
 * golang-migrate: `<version>_<title>.up.sql` and `.down.sql` side by side. Each file runs as it
 * is, with no transaction around it; the down file is optional.
 */
export const golangMigrateDetector: FrameworkDetector = {
  id: "golang-migrate",
  detect(files) {
    return pairedUpDownMigrations(files, "golang-migrate", () => false);
  },
};
