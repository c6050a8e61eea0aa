import { type GeneratedStatement, generatedSectionText } from "../../generated-sql.js";
import type { MigrationSection } from "../../model.js";
import { quoteName as quoteOrmName, runsOf, sqlString } from "./orm-statements-sql.js";

/** A statement an ORM call issues, and whether the call runs in a transaction. */
export interface OrmStatement extends GeneratedStatement {
  inTransaction: boolean;
}

/** `"name"`, and `"schema"."name"` for a dotted name, as these ORMs quote them. */
export function quoteName(name: string): string {
  return quoteOrmName(name, true);
}

export { sqlString };

/**
 * The up section with the SQL its calls issue. Consecutive statements that share a transaction
 * mode make one section (Sequelize calls given `{ transaction }`, an EF `Sql(…, suppressTransaction:
 * true)`): the analyser follows the transaction per section. Without statements, or without
 * exactly one up section, the sections stay as they are (the rollback checks still read them).
 * Downs get no SQL: the lock rules read up sections only, and a down's locks matter only when it
 * is run by hand, once, after something already went wrong.
 */
export function withGeneratedUpSql(sections: readonly MigrationSection[], statements: readonly OrmStatement[]): MigrationSection[] {
  const ups = sections.filter((section) => section.direction === "up");
  const up = ups[0];
  if (!up || ups.length !== 1 || statements.length === 0) return [...sections];
  const runs = runsOf(
    [...statements].sort((a, b) => a.line - b.line),
    (statement) => statement.inTransaction,
  );
  const generated = runs.map((run, index): MigrationSection => {
    const first = run[0]?.line ?? up.startLine;
    const last = run[run.length - 1];
    const lastLine = last ? last.line + last.sql.trim().split("\n").length - 1 : up.endLine;
    return {
      ...up,
      inTransaction: run[0]?.inTransaction ?? up.inTransaction,
      startLine: index === 0 ? Math.min(up.startLine, first) : first,
      endLine: index === runs.length - 1 ? Math.max(up.endLine, lastLine) : lastLine,
      ...generatedSectionText(run),
    };
  });
  return sections.flatMap((section) => (section === up ? generated : [section]));
}

/** A part of a multi-line statement (a column of CREATE TABLE) and the file line it belongs on. */
export interface StatementPart {
  line: number;
  text: string;
}

/**
 * `head (part, part, …)` with each part on its own line, so that a finding about one column of a
 * created table points at the line that defines it. Parts must come in file order.
 */
export function spreadStatement(line: number, head: string, parts: readonly StatementPart[], tail = ")"): GeneratedStatement {
  let sql = `${head} (`;
  let current = line;
  parts.forEach((part, index) => {
    if (part.line > current) {
      sql += "\n".repeat(part.line - current);
      current = part.line;
    } else if (index > 0) sql += " ";
    sql += part.text + (index < parts.length - 1 ? "," : "");
  });
  return { line, sql: `${sql}${tail}` };
}
