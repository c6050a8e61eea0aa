import type { Migration, SourceFile } from "../model.js";
import { splitLines } from "./support/lines.js";
import { type SectionMarker, sectionsBetweenMarkers } from "./support/marker-sections.js";
import { buildMigration, splitVersionAndName } from "./support/migration.js";
import { basename, dirname, isSqlFile } from "./support/paths.js";
import { sourceOf } from "./support/sections.js";
import { sortMigrations } from "./support/versions.js";
import type { Framework } from "./framework.js";
import { NO_COUNTERPARTS } from "./support/counterparts.js";

const UP_MARKER = /^--\s*migrate:up\b/m;
/** `-- migrate:up` / `-- migrate:down`, with options such as `transaction:false` after it. */
const MARKER = /^--\s*migrate:(up|down)\b(.*)$/;

function readDbmateFile(file: SourceFile): Migration {
  const markers: SectionMarker[] = [];
  for (const line of splitLines(file.text)) {
    const match = MARKER.exec(line.text);
    if (!match) continue;
    markers.push({
      line,
      direction: match[1] === "up" ? "up" : "down",
      inTransaction: !/\btransaction:\s*false\b/.test(match[2] ?? ""),
    });
  }
  const name = basename(file.path).replace(/\.sql$/i, "");
  return buildMigration(
    {
      framework: "dbmate",
      ...splitVersionAndName(name, /^(\d+)(?:_(.+))?$/),
      files: [file.path],
      folder: dirname(file.path),
      sections: sectionsBetweenMarkers(sourceOf(file), markers),
      rollback: "required",
    },
    [file],
  );
}

/**
 * dbmate: one `YYYYMMDDHHMMSS_name.sql` per migration, split by `-- migrate:up` and
 * `-- migrate:down` lines. Each section runs in a transaction unless its marker says
 * `transaction:false`. No `-- migrate:down` marker means no down section; a marker with nothing
 * under it is an empty down section (dbmate accepts it as a no-op rollback).
 */
export const dbmateFramework: Framework<"dbmate"> = {
  id: "dbmate",
  paths: ["**/*.sql", "db/**"],
  counterparts: NO_COUNTERPARTS,
  transaction: { wraps: true, optOut: "transaction:false" },
  texts: {
    addDown: "Add a `-- migrate:down` section",
    leaveTransaction: "in dbmate, write the up marker as `-- migrate:up transaction:false`",
    // dbmate sends a section's text as one query: a second statement puts the index back in a transaction block.
    concurrentIndex:
      "Use CREATE INDEX CONCURRENTLY, alone in a migration whose up marker reads `-- migrate:up transaction:false`: dbmate otherwise runs the section in a transaction, where CONCURRENTLY is refused, and it sends the section as one query, so any other statement in it would put the index back in a transaction block.",
  },
  detect(files) {
    const mine = files.filter((file) => isSqlFile(file.path) && UP_MARKER.test(file.text));
    return { migrations: sortMigrations(mine.map(readDbmateFile)), claimed: mine.map((file) => file.path) };
  },
};
