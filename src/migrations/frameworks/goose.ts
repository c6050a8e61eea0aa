import type { Migration, MigrationSection, SourceFile } from "../model.js";
import { type Line, splitLines } from "./support/lines.js";
import { type SectionMarker, sectionsBetweenMarkers } from "./support/marker-sections.js";
import { buildMigration, splitVersionAndName } from "./support/migration.js";
import { basename, dirname, isSqlFile } from "./support/paths.js";
import { sourceOf } from "./support/sections.js";
import { sortMigrations } from "./support/versions.js";
import type { Framework } from "./framework.js";
import { NO_COUNTERPARTS } from "./support/counterparts.js";

/** `-- +goose <annotation>`; goose compares annotations without regard to case. */
const ANNOTATION = /^--\s*\+goose\s+(.+?)\s*$/i;
const HAS_UP = /^--\s*\+goose\s+up\b/im;

function annotationOf(line: Line): string | undefined {
  return ANNOTATION.exec(line.text)?.[1]?.toLowerCase().replace(/\s+/g, " ");
}

/** `StatementBegin … StatementEnd` bodies, given to the section that holds them. */
function attachStatementBlocks(lines: readonly Line[], sections: MigrationSection[]): void {
  let begin: Line | undefined;
  for (const line of lines) {
    const annotation = annotationOf(line);
    if (annotation === "statementbegin") begin = line;
    else if (annotation === "statementend" && begin) {
      const block = { start: begin.next, end: line.start };
      const owner = sections.find((section) => section.start <= block.start && block.end <= section.end);
      if (owner) (owner.statementBlocks ??= []).push(block);
      begin = undefined;
    }
  }
}

function readGooseFile(file: SourceFile): Migration {
  const lines = splitLines(file.text);
  const inTransaction = !lines.some((line) => annotationOf(line) === "no transaction");
  const markers: SectionMarker[] = [];
  for (const line of lines) {
    const annotation = annotationOf(line);
    if (annotation === "up" || annotation === "down") markers.push({ line, direction: annotation, inTransaction });
  }
  const sections = sectionsBetweenMarkers(sourceOf(file), markers);
  attachStatementBlocks(lines, sections);
  return buildMigration(
    {
      framework: "goose",
      ...splitVersionAndName(basename(file.path).replace(/\.sql$/i, ""), /^(\d+)_(.+)$/),
      files: [file.path],
      folder: dirname(file.path),
      sections,
      rollback: "required",
    },
    [file],
  );
}

/**
 * goose SQL migrations: `NNNNN_name.sql` or `YYYYMMDDHHMMSS_name.sql` with `-- +goose Up` and an
 * optional `-- +goose Down`. The whole file runs in a transaction unless it says
 * `-- +goose NO TRANSACTION`. Go migrations (`.go`) are not read.
 */
export const gooseFramework: Framework<"goose"> = {
  id: "goose",
  paths: ["**/*.sql", "db/**"],
  counterparts: NO_COUNTERPARTS,
  transaction: { wraps: true, optOut: "-- +goose NO TRANSACTION" },
  texts: {
    addDown: "Add a `-- +goose Down` section",
    leaveTransaction: "in goose, put `-- +goose NO TRANSACTION` at the top of the file",
    concurrentIndex:
      "Use CREATE INDEX CONCURRENTLY, in a migration of its own with `-- +goose NO TRANSACTION` at the top of the file: goose otherwise runs the file in a transaction, where CONCURRENTLY is refused.",
  },
  detect(files) {
    const mine = files.filter((file) => isSqlFile(file.path) && HAS_UP.test(file.text));
    return { migrations: sortMigrations(mine.map(readGooseFile)), claimed: mine.map((file) => file.path) };
  },
};
