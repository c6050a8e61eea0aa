/**
 * Lays out the SQL that a non-SQL migration issues (ORM schema calls, Liquibase changes) as one
 * text whose lines match the file's: each statement starts on the line of the call that issues
 * it, so the analyser's findings point at that call. Plain string work, no parsing.
 */

export interface GeneratedStatement {
  /** 1-based line in the migration file of the call or element that issues the statement. */
  line: number;
  /**
   * The statement, without its trailing semicolon. Raw SQL taken from the file keeps its line
   * breaks (then its lines match the file's too); generated SQL should be one line.
   */
  sql: string;
}

/**
 * The text: blank lines up to each statement's line, the statement, `;`. Statements must come in
 * file order; one whose line was already passed (two calls on one line, or a multi-line statement
 * running past the next call) continues where the text is, so later lines may shift by that much.
 */
export function layOutSql(statements: readonly GeneratedStatement[]): string {
  let text = "";
  let line = 1;
  for (const statement of statements) {
    const sql = statement.sql.trim().replace(/;+\s*$/, "");
    if (sql === "") continue;
    if (statement.line > line) {
      text += "\n".repeat(statement.line - line);
      line = statement.line;
    } else if (text !== "") {
      text += " ";
    }
    text += `${sql};`;
    line += sql.split("\n").length - 1;
  }
  return text;
}

/** A section's fields for generated SQL: `start`/`end` span the whole generated text. */
export function generatedSectionText(statements: readonly GeneratedStatement[]): { sql: string; start: number; end: number } {
  const sql = layOutSql(statements);
  return { sql, start: 0, end: sql.length };
}
