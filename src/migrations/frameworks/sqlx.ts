import type { Migration, SourceFile } from "../model.js";
import { AUTO_DETECT } from "./detector.js";
import { buildMigration, splitVersionAndName } from "./support/migration.js";
import { PAIRED_FILE_COUNTERPARTS, isPairedUpDownFile, pairedUpDownMigrations } from "./support/paired-files.js";
import { basename, dirname, joinPath } from "./support/paths.js";
import { wholeFileSection } from "./support/sections.js";
import { sortMigrations } from "./support/versions.js";
import type { Framework } from "./framework.js";

/** A simple (irreversible) sqlx migration: `<VERSION>_<DESC>.sql`. */
const SIMPLE_FILE = /^(\d+)_(.+)\.sql$/i;

/** sqlx runs each migration in a transaction unless its first line says `-- no-transaction`. */
function runsInTransaction(file: SourceFile): boolean {
  return !/^\s*--\s*no-transaction\b/i.test(file.text);
}

/**
 * A `migrations/` folder is sqlx's when the crate around it shows: a Cargo.toml next to the
 * folder, or the offline query cache `.sqlx/`.
 */
function hasRustHint(migrationsFolder: string, paths: ReadonlySet<string>): boolean {
  const crate = dirname(migrationsFolder);
  if (paths.has(joinPath(crate, "Cargo.toml"))) return true;
  const cache = `${joinPath(crate, ".sqlx")}/`;
  for (const path of paths) if (path.startsWith(cache)) return true;
  return false;
}

/**
 * sqlx: simple `migrations/<VERSION>_<DESC>.sql` (no down possible) or reversible
 * `.up.sql`/`.down.sql`. Simple files look like any numbered SQL file, so they are sqlx's only
 * in a `migrations` folder of a Rust crate; reversible files look exactly like golang-migrate's,
 * so they are sqlx's only when the framework is forced.
 */
export const sqlxFramework: Framework<"sqlx"> = {
  id: "sqlx",
  paths: ["**/*.sql", "**/migrations/**"],
  counterparts: PAIRED_FILE_COUNTERPARTS,
  transaction: { wraps: true, optOut: "-- no-transaction" },
  texts: {
    addDown: "Write the `.down.sql` file",
    leaveTransaction: "in sqlx, start the file with `-- no-transaction`",
    // sqlx sends a migration's whole text as one query: a second statement beside the index
    // puts it back in Postgres's implicit transaction block, hence "alone".
    concurrentIndex:
      "Use CREATE INDEX CONCURRENTLY, alone in a migration whose first line is `-- no-transaction`: sqlx otherwise runs the migration in a transaction, where CONCURRENTLY is refused, and it sends the file as one query, so any other statement in it would put the index back in a transaction block.",
  },
  detect(files, context = AUTO_DETECT) {
    const paths = new Set(files.map((file) => file.path));
    const reversible = context.forced
      ? pairedUpDownMigrations(
          files.filter((file) => isPairedUpDownFile(file.path)),
          "sqlx",
          runsInTransaction,
        )
      : { migrations: [], claimed: [] };
    const simple: Migration[] = [];
    const claimed = [...reversible.claimed];
    for (const file of files) {
      const name = basename(file.path);
      if (!SIMPLE_FILE.test(name) || isPairedUpDownFile(file.path)) continue;
      const folder = dirname(file.path);
      const readable = context.forced || (basename(folder) === "migrations" && hasRustHint(folder, paths));
      if (!readable) continue;
      claimed.push(file.path);
      simple.push(
        buildMigration(
          {
            framework: "sqlx",
            ...splitVersionAndName(name.replace(/\.sql$/i, ""), /^(\d+)_(.+)$/),
            files: [file.path],
            folder,
            sections: [wholeFileSection(file, { direction: "up", language: "sql", inTransaction: runsInTransaction(file) })],
            rollback: "unsupported",
          },
          [file],
        ),
      );
    }
    return { migrations: sortMigrations([...reversible.migrations, ...simple]), claimed };
  },
};
