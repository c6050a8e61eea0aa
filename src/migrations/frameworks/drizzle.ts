import type { SourceFile } from "../model.js";
import { AUTO_DETECT } from "./detector.js";
import { splitLines } from "./support/lines.js";
import { buildMigration, splitVersionAndName } from "./support/migration.js";
import { basename, dirname, joinPath } from "./support/paths.js";
import { wholeFileSection } from "./support/sections.js";
import { sortMigrations } from "./support/versions.js";
import { type Framework, GENERIC_ADD_DOWN, GENERIC_LEAVE_TRANSACTION, SQL_CONCURRENT_INDEX } from "./framework.js";
import { NO_COUNTERPARTS } from "./support/counterparts.js";

/** drizzle-kit generate: `0000_curious_wolverine.sql`. */
const MIGRATION_FILE = /^(\d{4,})_(.+)\.sql$/i;
const BREAKPOINT = /^\s*-->\s*statement-breakpoint\s*$/;

/** drizzle-kit separates statements with `--> statement-breakpoint` lines. */
function statementBlocks(text: string): Array<{ start: number; end: number }> {
  const blocks: Array<{ start: number; end: number }> = [];
  let start = 0;
  for (const line of splitLines(text)) {
    if (!BREAKPOINT.test(line.text)) continue;
    if (text.slice(start, line.start).trim() !== "") blocks.push({ start, end: line.start });
    start = line.next;
  }
  if (text.slice(start).trim() !== "") blocks.push({ start, end: text.length });
  return blocks;
}

/**
 * Drizzle Kit: `<out>/NNNN_<name>.sql` next to `<out>/meta/_journal.json` (or in a folder named
 * `drizzle`, the default out folder). Applied in a transaction, no down migrations.
 */
export const drizzleFramework: Framework<"drizzle"> = {
  id: "drizzle",
  paths: ["**/*.sql"],
  counterparts: NO_COUNTERPARTS,
  transaction: { wraps: true, optOut: null },
  texts: {
    addDown: GENERIC_ADD_DOWN,
    leaveTransaction: GENERIC_LEAVE_TRANSACTION,
    concurrentIndex: SQL_CONCURRENT_INDEX,
  },
  detect(files, context = AUTO_DETECT) {
    const paths = new Set(files.map((file) => file.path));
    const isDrizzleFolder = (folder: string): boolean => basename(folder) === "drizzle" || paths.has(joinPath(folder, "meta/_journal.json"));
    const mine = files.filter((file) => MIGRATION_FILE.test(basename(file.path)) && (context.forced || isDrizzleFolder(dirname(file.path))));
    const folders = new Set(mine.map((file) => dirname(file.path)));
    const metadata = files.filter((file) => {
      const folder = dirname(file.path);
      return basename(folder) === "meta" && folders.has(dirname(folder)) && file.path.endsWith(".json");
    });
    const migrations = mine.map((file: SourceFile) => {
      const section = wholeFileSection(file, { direction: "up", language: "sql", inTransaction: true });
      const blocks = statementBlocks(file.text);
      if (blocks.length > 1) section.statementBlocks = blocks;
      return buildMigration(
        {
          framework: "drizzle",
          ...splitVersionAndName(basename(file.path).replace(/\.sql$/i, ""), /^(\d+)_(.+)$/),
          files: [file.path],
          folder: dirname(file.path),
          sections: [section],
          rollback: "unsupported",
        },
        [file],
      );
    });
    return { migrations: sortMigrations(migrations), claimed: [...mine, ...metadata].map((file) => file.path) };
  },
};
