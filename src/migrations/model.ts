/**
 * The migration model every framework detector produces and every rule reads: which files make
 * one migration, its order, its up and down sections, and the transaction each runs in.
 * Plain data: no parsing of SQL here (src/sql/ does that), no I/O.
 */

import type { FrameworkId } from "./framework-ids.js";

export { FRAMEWORK_IDS, type FrameworkId } from "./framework-ids.js";

export type Direction = "up" | "down";

/** A file as read from the repository (or the PR head). */
export interface SourceFile {
  /** Repository-relative, forward slashes. */
  path: string;
  text: string;
}

export type SectionLanguage = "sql" | "ruby" | "python" | "javascript" | "typescript" | "php" | "elixir" | "csharp" | "java" | "xml" | "yaml";

/** A contiguous part of one file that runs in one direction. */
export interface MigrationSection {
  direction: Direction;
  path: string;
  language: SectionLanguage;
  /** Char offsets in the file: [start, end). For a whole file, 0 and text.length. */
  start: number;
  end: number;
  /** 1-based lines, inclusive: where the section's body starts and ends (markers excluded). */
  startLine: number;
  endLine: number;
  /**
   * Whether the framework wraps this section in a transaction of its own (golang-migrate: no;
   * dbmate: yes unless `transaction:false`; goose: yes unless `NO TRANSACTION`; Flyway: yes;
   * Diesel: yes unless run_in_transaction = false; …). Explicit BEGIN/COMMIT in the SQL is
   * tracked by the analyser on top of this.
   */
  inTransaction: boolean;
  /**
   * The runner sends the section's whole text as one query (golang-migrate's postgres driver,
   * unless `x-multi-statement=true`). Postgres runs a query of several statements in one implicit
   * transaction block: all or nothing, and CONCURRENTLY, VACUUM and the like are refused in it. An
   * explicit COMMIT ends that block early; the statements after it open another. A section of one
   * statement runs outside any transaction. Absent: the runner sends statements one by one.
   */
  oneQuery?: boolean;
  /**
   * For goose `StatementBegin/End`, and similar: char ranges that the framework sends as one
   * statement. Informational; the SQL parser splits statements itself.
   */
  statementBlocks?: Array<{ start: number; end: number }>;
  /**
   * The SQL this section runs when it is not the file's own text: an ORM's schema calls or a
   * Liquibase changeset's changes, translated to the statements they issue and laid out by
   * `layOutSql` (./generated-sql.ts) so that each statement starts on the line of the call or
   * element that issues it. When set, `start` and `end` index this text, not the file's, and the
   * analyser parses it as the section's SQL (findings land on the call's line; SQL fixes are not
   * offered, since the file is not SQL).
   */
  sql?: string;
}

/** Problems an ORM detector finds in migration code, which the rollback rules report. */
export interface RollbackIssue {
  kind:
    | "missing-down" // no down/reverse at all where the framework supports one
    | "empty-down" // a down that does nothing (pass, empty method, `def down; end`)
    | "irreversible-down" // a down that raises/declares it cannot be reversed
    | "irreversible-operation"; // an operation that cannot be reversed in a reversible slot
  path: string;
  line: number;
  /** What was found, e.g. "RunSQL without reverse_sql", "remove_column without a type in change". */
  detail: string;
}

export interface Migration {
  framework: FrameworkId;
  /** Sort key within its folder: the version/timestamp as written ("20261126120000", "V2_1", "0003"). */
  version: string;
  /** Human name, e.g. "add_users". */
  name: string;
  /** Every file that belongs to this migration (up, down, metadata). */
  files: string[];
  /** The folder the migration lives in (for ordering and pairing). */
  folder: string;
  /** Up then down sections, in file order. */
  sections: MigrationSection[];
  /** Whether a down/rollback is required, optional or impossible in this framework. */
  rollback: "required" | "optional" | "unsupported";
  /** `-- data-engineer: irreversible <reason>` (or the framework's equivalent) found in the migration. */
  irreversible?: { reason: string; path: string; line: number };
  /** For ORM frameworks: rollback problems found in the code. Empty for SQL frameworks. */
  rollbackIssues: RollbackIssue[];
  /**
   * What the detector could not read or translate (a changelog that is not well-formed XML or
   * YAML: error; a Liquibase `<sqlFile>` whose SQL lives elsewhere: note). syntax-error reports each.
   */
  unread?: UnreadPart[];
}

export interface UnreadPart {
  path: string;
  line: number;
  message: string;
  severity: "error" | "note";
}

export function upSections(migration: Migration): MigrationSection[] {
  return migration.sections.filter((s) => s.direction === "up");
}

export function downSections(migration: Migration): MigrationSection[] {
  return migration.sections.filter((s) => s.direction === "down");
}
