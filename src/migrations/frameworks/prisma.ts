import type { MigrationSection, SourceFile } from "../model.js";
import { AUTO_DETECT } from "./detector.js";
import { buildMigration, splitVersionAndName } from "./support/migration.js";
import { basename, dirname, joinPath } from "./support/paths.js";
import { wholeFileSection } from "./support/sections.js";
import { sortMigrations } from "./support/versions.js";
import { type Framework, GENERIC_ADD_DOWN, GENERIC_LEAVE_TRANSACTION, SQL_CONCURRENT_INDEX } from "./framework.js";
import { wholeFolder } from "./support/counterparts.js";

const MIGRATION_FOLDER = /^(\d+)_(.+)$/;

/**
 * Prisma Migrate: `prisma/migrations/<timestamp>_<name>/migration.sql`, applied in a transaction,
 * with no down migrations (rollback "unsupported"). A `down.sql` beside it (the file Prisma's
 * docs have you generate with `migrate diff`) becomes the down section, so it is never mistaken
 * for a forward migration. `folder` is the migrations folder.
 */
export const prismaFramework: Framework<"prisma"> = {
  id: "prisma",
  paths: ["**/*.sql", "**/prisma/migrations/**", "**/schema.prisma"],
  counterparts: wholeFolder(new Set(["migration.sql", "down.sql"])),
  transaction: { wraps: true, optOut: null },
  texts: {
    addDown: GENERIC_ADD_DOWN,
    leaveTransaction: GENERIC_LEAVE_TRANSACTION,
    concurrentIndex: SQL_CONCURRENT_INDEX,
  },
  detect(files, context = AUTO_DETECT) {
    const byPath = new Map(files.map((file) => [file.path, file]));
    const claimed: string[] = [];
    const migrations = files
      .filter((file) => {
        if (basename(file.path) !== "migration.sql") return false;
        const folder = dirname(file.path);
        return context.forced || (MIGRATION_FOLDER.test(basename(folder)) && basename(dirname(folder)) === "migrations");
      })
      .map((up) => {
        const folder = dirname(up.path);
        const down = byPath.get(joinPath(folder, "down.sql"));
        const sections: MigrationSection[] = [wholeFileSection(up, { direction: "up", language: "sql", inTransaction: true })];
        if (down) sections.push(wholeFileSection(down, { direction: "down", language: "sql", inTransaction: true }));
        const own = [up, down].filter((file): file is SourceFile => file !== undefined);
        claimed.push(...own.map((file) => file.path));
        return buildMigration(
          {
            framework: "prisma",
            ...splitVersionAndName(basename(folder), MIGRATION_FOLDER),
            files: own.map((file) => file.path),
            folder: dirname(folder),
            sections,
            rollback: "unsupported",
          },
          own,
        );
      });
    return { migrations: sortMigrations(migrations), claimed };
  },
};
