import type { MigrationSection, SourceFile } from "../model.js";
import { AUTO_DETECT } from "./detector.js";
import { buildMigration, splitVersionAndName } from "./support/migration.js";
import { basename, dirname } from "./support/paths.js";
import { wholeFileSection } from "./support/sections.js";
import { sortMigrations } from "./support/versions.js";
import type { Framework } from "./framework.js";
import { wholeFolder } from "./support/counterparts.js";

/** `2026-01-01-000000_create_items`, `00000000000000_diesel_initial_setup`. */
const MIGRATION_FOLDER = /^(\d[\d-]*)_(.+)$/;
const DIESEL_FILES = new Set(["up.sql", "down.sql", "metadata.toml"]);

interface DieselFolder {
  up?: SourceFile;
  down?: SourceFile;
  metadata?: SourceFile;
  /** A Prisma migration.sql beside it: the folder is Prisma's, and its down.sql too. */
  prisma: boolean;
}

function runsInTransaction(metadata: SourceFile | undefined): boolean {
  return !metadata || !/^\s*run_in_transaction\s*=\s*false\b/m.test(metadata.text);
}

/**
 * Diesel: one folder per migration (`migrations/<version>_<name>/`) with `up.sql`, `down.sql` and
 * an optional `metadata.toml`; both run in a transaction unless it says
 * `run_in_transaction = false`. `folder` is the migrations folder that holds them all.
 */
export const dieselFramework: Framework<"diesel"> = {
  id: "diesel",
  paths: ["**/*.sql", "**/migrations/**"],
  counterparts: wholeFolder(DIESEL_FILES),
  transaction: { wraps: true, optOut: "run_in_transaction = false" },
  texts: {
    addDown: "Write `down.sql`",
    leaveTransaction: "in Diesel, set `run_in_transaction = false` in the migration's metadata.toml",
    // Diesel sends up.sql as one query (batch_execute): a second statement puts the index back in a transaction block.
    concurrentIndex:
      "Use CREATE INDEX CONCURRENTLY, alone in the up.sql of a migration of its own, and put `run_in_transaction = false` in that migration's metadata.toml: Diesel otherwise runs the migration in a transaction, where CONCURRENTLY is refused.",
  },
  detect(files, context = AUTO_DETECT) {
    const folders = new Map<string, DieselFolder>();
    for (const file of files) {
      const name = basename(file.path);
      const folder = dirname(file.path);
      if (name !== "migration.sql" && !DIESEL_FILES.has(name)) continue;
      if (!context.forced && !MIGRATION_FOLDER.test(basename(folder))) continue;
      const entry = folders.get(folder) ?? { prisma: false };
      if (name === "up.sql") entry.up = file;
      else if (name === "down.sql") entry.down = file;
      else if (name === "metadata.toml") entry.metadata = file;
      else entry.prisma = true;
      folders.set(folder, entry);
    }
    const claimed: string[] = [];
    const migrations = [...folders]
      .filter(([, entry]) => entry.up !== undefined || (entry.down !== undefined && !entry.prisma))
      .map(([folder, { up, down, metadata }]) => {
        const inTransaction = runsInTransaction(metadata);
        const sections: MigrationSection[] = [];
        if (up) sections.push(wholeFileSection(up, { direction: "up", language: "sql", inTransaction }));
        if (down) sections.push(wholeFileSection(down, { direction: "down", language: "sql", inTransaction }));
        const own = [up, down, metadata].filter((file): file is SourceFile => file !== undefined);
        claimed.push(...own.map((file) => file.path));
        return buildMigration(
          {
            framework: "diesel",
            ...splitVersionAndName(basename(folder), MIGRATION_FOLDER),
            files: own.map((file) => file.path),
            folder: dirname(folder),
            sections,
            rollback: "required",
          },
          own,
        );
      });
    return { migrations: sortMigrations(migrations), claimed };
  },
};
