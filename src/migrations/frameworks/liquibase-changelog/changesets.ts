import { generatedSectionText, type GeneratedStatement } from "../../generated-sql.js";
import type { Migration, MigrationSection, RollbackIssue } from "../../model.js";
import type { Line } from "../support/lines.js";
import { rawSql, runsOnPostgres, translateChange } from "./changes.js";
import { booleanAttribute, childrenNamed, type ChangeNode } from "./tree.js";

/**
 * A changelog's changeSets as migrations: one per changeSet, versioned `author:id` like the
 * formatted-SQL changesets, its changes translated to the SQL Liquibase issues (the up section)
 * and its `<rollback>` (the down section), both laid out on the changelog's lines.
 */

export interface ChangelogFile {
  path: string;
  text: string;
  language: "xml" | "yaml";
}

/** What is reported about a changelog besides its SQL: notes on what is not reviewed. */
export interface ChangelogNote {
  path: string;
  line: number;
  message: string;
}

/** Elements of a changeSet that are not changes. */
const NOT_CHANGES = new Set(["comment", "preConditions", "rollback", "validCheckSum", "modifySql"]);

const IRREVERSIBLE = /(?:<!--|--|#)[ \t]*data-engineer:[ \t]*irreversible\b(.*?)(?:-->)?\s*$/i;

function irreversibleMarker(file: ChangelogFile, lines: readonly Line[], from: number, to: number): Migration["irreversible"] {
  for (const line of lines.slice(from - 1, to - 1)) {
    const match = IRREVERSIBLE.exec(line.text);
    if (match) return { reason: (match[1] ?? "").trim().replace(/^[:\-–—]\s*/, ""), path: file.path, line: line.number };
  }
  return undefined;
}

function section(
  file: ChangelogFile,
  direction: "up" | "down",
  statements: GeneratedStatement[],
  lines: { start: number; end: number },
  inTransaction: boolean,
): MigrationSection {
  const text = generatedSectionText(statements);
  // The blank lines that put the first statement on its line are not parsed: in a changelog of
  // a thousand changeSets, parsing them from the top of the file each time costs seconds.
  const first = text.sql.search(/\S/);
  return {
    direction,
    path: file.path,
    language: file.language,
    startLine: lines.start,
    endLine: lines.end,
    inTransaction,
    ...text,
    start: first < 0 ? text.end : first,
  };
}

/** A `<rollback>`'s SQL: its text, or the changes it holds, translated like the changeSet's. */
function rollbackStatements(rollback: ChangeNode): GeneratedStatement[] {
  if (!runsOnPostgres(rollback.attributes.get("dbms"))) return [];
  const own = rollback.text ? [rawSql(rollback.text.value, rollback.text.line)] : [];
  const attribute = rollback.attributes.get("sql");
  const fromAttribute = attribute !== undefined ? [rawSql(attribute, rollback.attributeLines.get("sql") ?? rollback.line)] : [];
  return [...own, ...fromAttribute, ...rollback.children.flatMap((change) => translateChange(change).statements)].sort((a, b) => a.line - b.line);
}

export interface ChangeSetContext {
  file: ChangelogFile;
  /** The folder migrations are ordered in: the root changelog's, which lists them. */
  folder: string;
  /** The file's lines, split once for all its changeSets. */
  lines: readonly Line[];
  /** Line of the next changeSet (or past the end): the changeSet's lines end before it. */
  endLine: number;
  notes: ChangelogNote[];
}

/**
 * The migration of one changeSet, or undefined when it does not run on PostgreSQL (its `dbms`
 * names other databases only): that changeSet is not reviewed.
 */
export function changeSetMigration(node: ChangeNode, context: ChangeSetContext): Migration | undefined {
  if (!runsOnPostgres(node.attributes.get("dbms"))) return undefined;
  const { file } = context;
  const id = node.attributes.get("id") ?? "";
  const author = node.attributes.get("author") ?? "";
  const inTransaction = booleanAttribute(node, "runInTransaction") !== false;
  const lines = { start: node.line, end: Math.max(node.line, context.endLine - 1) };
  const up: GeneratedStatement[] = [];
  const irreversibleChanges: ChangeNode[] = [];
  for (const change of node.children) {
    if (NOT_CHANGES.has(change.name)) continue;
    const translated = translateChange(change);
    up.push(...translated.statements);
    if (!translated.autoRollback) irreversibleChanges.push(change);
    if (translated.note) context.notes.push({ path: file.path, line: change.line, message: translated.note });
  }
  const rollbacks = childrenNamed(node, "rollback");
  const sections = [section(file, "up", up, lines, inTransaction)];
  const firstRollback = rollbacks[0];
  if (firstRollback) {
    const down = rollbacks.flatMap(rollbackStatements);
    sections.push(section(file, "down", down, { start: firstRollback.line, end: lines.end }, inTransaction));
  }
  const rollbackIssues: RollbackIssue[] = [];
  const first = irreversibleChanges[0];
  if (!firstRollback && first) {
    const names = [...new Set(irreversibleChanges.map((change) => change.name))].join(", ");
    const what = file.language === "xml" ? "<rollback>" : "rollback:";
    rollbackIssues.push({
      kind: "missing-down",
      path: file.path,
      line: first.line,
      detail: `Liquibase cannot generate the rollback of ${names}, and the changeSet has no ${what}`,
    });
  }
  const migration: Migration = {
    framework: "liquibase",
    version: `${author}:${id}`,
    name: id,
    files: [file.path],
    folder: context.folder,
    sections,
    rollback: "required",
    rollbackIssues,
  };
  const irreversible = irreversibleMarker(file, context.lines, node.line, context.endLine);
  if (irreversible) migration.irreversible = irreversible;
  return migration;
}
