import { bodyOf } from "../sql/nodes.js";
import type { AnalyzedStatement } from "./types.js";

/**
 * `CREATE [UNIQUE] INDEX` at the start of a statement's text, each keyword followed by the
 * whitespace of Postgres's lexer (scan.l: space, tab, newline, carriage return, form feed), so
 * that each is a keyword token of its own and nothing after INDEX is glued to CONCURRENTLY.
 */
const INDEX_HEAD = /^CREATE[ \t\n\r\f]+(?:UNIQUE[ \t\n\r\f]+)?INDEX(?=[ \t\n\r\f])/i;

/**
 * Whether `replacement` is `statement`, a CREATE INDEX without CONCURRENTLY, with CONCURRENTLY
 * added after INDEX and its semicolon after it (require-concurrent-index's fix): then the
 * replacement is one CREATE INDEX CONCURRENTLY, the statement otherwise as it was, known without
 * parsing it. Postgres's grammar reads `CREATE opt_unique INDEX opt_concurrently` before the
 * index name (or IF NOT EXISTS) in both forms of IndexStmt; the statement parsed as one with
 * opt_concurrently empty, so the same tokens with CONCURRENTLY there parse as the same statement
 * with it (the grammar has no conflicts: a sentence has one parse). A text without a semicolon
 * or a comment is the statement's tokens alone (the last statement of a file may carry what
 * follows its semicolon), so the replacement holds one statement.
 * test/rules/concurrently-added.test.ts checks this against the parser on every form.
 */
export function concurrentlyAdded(statement: Pick<AnalyzedStatement, "kind" | "node" | "text">, replacement: string): boolean {
  const index = bodyOf(statement.node, "IndexStmt");
  if (statement.kind !== "IndexStmt" || !index || index.concurrent) return false;
  if (/;|--|\/\*/.test(statement.text)) return false;
  const head = INDEX_HEAD.exec(statement.text)?.[0];
  return head !== undefined && replacement === `${head} CONCURRENTLY${statement.text.slice(head.length)};`;
}
