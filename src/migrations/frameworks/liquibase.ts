import type { SourceText } from "../../sql/source-text.js";
import type { Migration, MigrationSection, SourceFile } from "../model.js";
import { AUTO_DETECT } from "./detector.js";
import { findIrreversibleMarker } from "./support/irreversible.js";
import { type Line, splitLines } from "./support/lines.js";
import { dirname, isSqlFile } from "./support/paths.js";
import { rangeSection, sourceOf } from "./support/sections.js";
import type { Framework } from "./framework.js";
import { isChangelog, readStructuredChangelogs, ROOT_CHANGELOG_COUNTERPARTS } from "./liquibase-changelog/read.js";

const HEADER = /^\s*--\s*liquibase\s+formatted\s+sql\b/i;
/** `--changeset author:id attribute:value …` (author or id may be double-quoted). */
const CHANGESET = /^--\s*changeset\s+("[^"]+"|[^:\s]+):("[^"]+"|\S+)(.*)$/i;
const ROLLBACK_LINE = /^(\s*--\s*rollback\b ?)(.*)$/i;
const ROLLBACK_BLOCK_OPEN = /^\s*\/\*\s*liquibase\s+rollback\b/i;
const NO_ROLLBACK_NEEDED = /^(empty|not required)\s*;?$/i;

function isRollbackBlockClose(line: Line): boolean {
  return line.text.includes("*/");
}

/** The rollback lines of a changeset body: `--rollback …` lines and `/* liquibase rollback … *\/` blocks. */
function rollbackLineIndexes(body: readonly Line[]): number[] {
  const indexes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const line = body[i];
    if (!line) continue;
    if (ROLLBACK_LINE.test(line.text)) indexes.push(i);
    else if (ROLLBACK_BLOCK_OPEN.test(line.text)) {
      indexes.push(i);
      while (!isRollbackBlockClose(body[i] ?? line) && i + 1 < body.length) indexes.push(++i);
    }
  }
  return indexes;
}

function isCommentOrBlank(line: Line): boolean {
  const trimmed = line.text.trim();
  return trimmed === "" || trimmed.startsWith("--");
}

interface Changeset {
  header: Line;
  version: string;
  name: string;
  inTransaction: boolean;
  body: Line[];
  end: number;
}

function splitChangesets(lines: readonly Line[], textLength: number): Changeset[] {
  const changesets: Changeset[] = [];
  for (const line of lines) {
    const match = CHANGESET.exec(line.text);
    const current = changesets[changesets.length - 1];
    if (match) {
      if (current) current.end = line.start;
      const [, author = "", id = "", attributes = ""] = match;
      changesets.push({
        header: line,
        version: `${author}:${id}`,
        name: id.replace(/^"|"$/g, ""),
        inTransaction: !/\brunInTransaction:\s*false\b/i.test(attributes),
        body: [],
        end: textLength,
      });
    } else current?.body.push(line);
  }
  return changesets;
}

function changesetSections(source: SourceText, changeset: Changeset): MigrationSection[] {
  const traits = { language: "sql", inTransaction: changeset.inTransaction } as const;
  const rollback = rollbackLineIndexes(changeset.body);
  const first = changeset.body[rollback[0] ?? -1];
  const last = changeset.body[rollback[rollback.length - 1] ?? -1];
  const upStart = changeset.header.next;
  if (!first || !last) return [rangeSection(source, upStart, changeset.end, changeset.header.number, { ...traits, direction: "up" })];
  // The rollback usually closes the changeset; SQL after it keeps the up section running to the end.
  const firstIndex = rollback[0] ?? 0;
  const rollbackSet = new Set(rollback);
  const sqlAfterRollback = changeset.body.some((line, index) => index > firstIndex && !rollbackSet.has(index) && !isCommentOrBlank(line));
  const upEnd = sqlAfterRollback ? changeset.end : first.start;
  return [
    rangeSection(source, upStart, upEnd, changeset.header.number, { ...traits, direction: "up" }),
    // The down section's SQL is inside `--rollback` comments: liquibaseRollbackSql() extracts it.
    rangeSection(source, first.start, Math.min(last.next, changeset.end), first.number, { ...traits, direction: "down" }),
  ];
}

function readChangelog(file: SourceFile): Migration[] {
  const source = sourceOf(file);
  return splitChangesets(splitLines(file.text), file.text.length).map((changeset) => {
    const migration: Migration = {
      framework: "liquibase",
      version: changeset.version,
      name: changeset.name,
      files: [file.path],
      folder: dirname(file.path),
      sections: changesetSections(source, changeset),
      rollback: "required",
      rollbackIssues: [],
    };
    const irreversible = findIrreversibleMarker([file], { from: changeset.header.start, to: changeset.end });
    if (irreversible) migration.irreversible = irreversible;
    return migration;
  });
}

const blank = (part: string): string => part.replace(/[^\r\n]/g, " ");

/** Blanks what is not rollback SQL on one line; `inBlock` carries a `/* liquibase rollback` block across lines. */
function rollbackSqlOfLine(line: string, state: { inBlock: boolean }): string {
  if (state.inBlock) {
    const close = line.indexOf("*/");
    if (close < 0) return line;
    state.inBlock = false;
    return line.slice(0, close) + blank(line.slice(close));
  }
  const opener = /^\s*\/\*\s*liquibase\s+rollback\b/i.exec(line);
  if (opener) {
    const close = line.indexOf("*/", opener[0].length);
    state.inBlock = close < 0;
    const sqlEnd = close < 0 ? line.length : close;
    return blank(opener[0]) + line.slice(opener[0].length, sqlEnd) + blank(line.slice(sqlEnd));
  }
  const match = ROLLBACK_LINE.exec(line);
  if (!match) return blank(line);
  const [, prefix = "", sql = ""] = match;
  if (NO_ROLLBACK_NEEDED.test(sql.trim())) return blank(line);
  return blank(prefix) + sql;
}

/**
 * The SQL of a Liquibase down section (its `--rollback` lines), as text of the section's exact
 * length: the `--rollback ` prefixes, `/* liquibase rollback` and `*\/` delimiters, the
 * `--rollback empty` / `--rollback not required` lines and any other lines are blanked with
 * spaces, line breaks kept, so an offset in it plus `section.start` is an offset in the file.
 * Trimmed, it is "" when the changeset declares that it needs no rollback.
 */
export function liquibaseRollbackSql(text: string, section: MigrationSection): string {
  const state = { inBlock: false };
  return text
    .slice(section.start, section.end)
    .split("\n")
    .map((line) => {
      const carriageReturn = line.endsWith("\r") ? "\r" : "";
      return rollbackSqlOfLine(line.slice(0, line.length - carriageReturn.length), state) + carriageReturn;
    })
    .join("\n");
}

/**
 * How to build an index without blocking writes, in both forms of changelog: Liquibase's
 * createIndex has no CONCURRENTLY, and CONCURRENTLY cannot run in the changeSet's transaction.
 */
export const LIQUIBASE_CONCURRENT_INDEX =
  "Build the index with CREATE INDEX CONCURRENTLY in a changeset that does not run in a transaction: in formatted SQL, " +
  "`--changeset author:id runInTransaction:false`; in XML or YAML, Liquibase's createIndex has no concurrently option, so write it as " +
  'a `<sql>` change (YAML `sql:`) holding CREATE INDEX CONCURRENTLY, in a changeSet with runInTransaction="false".';

/**
 * How to add a foreign key without the validating scan from an XML or YAML changelog: core
 * Liquibase writes addForeignKeyConstraint as a validated ADD CONSTRAINT on PostgreSQL, with no
 * NOT VALID option (its `validate` attribute is for Oracle's NOVALIDATE).
 */
export const LIQUIBASE_NOT_VALID_FOREIGN_KEY =
  "Liquibase's addForeignKeyConstraint has no NOT VALID on PostgreSQL: write ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY … NOT VALID as a " +
  "`<sql>` change (YAML `sql:`), and ALTER TABLE … VALIDATE CONSTRAINT … in a later changeSet.";

/**
 * Liquibase changelogs. Formatted SQL (`--liquibase formatted sql`): every `--changeset
 * author:id` is one migration, versioned `author:id`, in file order; its SQL is the up section,
 * its `--rollback` lines the down section; it runs in a transaction unless the changeset says
 * `runInTransaction:false`. XML and YAML changelogs (`databaseChangeLog`): every changeSet is one
 * migration, its changes translated to the PostgreSQL statements Liquibase issues (see
 * ./liquibase-changelog/), in the order the root changelog includes them; a changeSet whose
 * `dbms` excludes postgresql is not reviewed. JSON changelogs are not read.
 */
export const liquibaseFramework: Framework<"liquibase"> = {
  id: "liquibase",
  paths: ["**/*.sql", "**/db/changelog/**", "**/liquibase/**/*.{xml,yaml,yml}", "**/changelog*/**/*.{xml,yaml,yml}", "**/*changelog*.{xml,yaml,yml}"],
  counterparts: ROOT_CHANGELOG_COUNTERPARTS,
  transaction: { wraps: true, optOut: "runInTransaction:false" },
  texts: {
    addDown: "Add a rollback to the changeset (`--rollback` lines in formatted SQL, a `<rollback>` element in XML, `rollback:` in YAML)",
    leaveTransaction: 'in Liquibase, mark the changeset `runInTransaction:false` (XML and YAML: runInTransaction="false")',
    concurrentIndex: LIQUIBASE_CONCURRENT_INDEX,
  },
  detect(files, context = AUTO_DETECT) {
    const mine = [...files]
      .filter((file) => {
        if (!isSqlFile(file.path)) return false;
        const firstLine = file.text.split("\n").find((line) => line.trim() !== "") ?? "";
        return HEADER.test(firstLine) || (context.forced && /^--\s*changeset\s/im.test(file.text));
      })
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const structured = files.filter(isChangelog);
    return {
      migrations: [...mine.flatMap(readChangelog), ...readStructuredChangelogs(structured)],
      claimed: [...mine, ...structured].map((file) => file.path),
    };
  },
};
