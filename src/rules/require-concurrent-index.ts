import type { IndexStmt } from "libpg-query";
import { estimateDuration } from "./estimates.js";
import { defineRule } from "./types.js";

/**
 * CREATE INDEX without CONCURRENTLY on a table that already exists takes a SHARE lock for the
 * whole build: reads go on, every INSERT, UPDATE and DELETE waits.
 */
export default defineRule({
  id: "require-concurrent-index",
  meta: {
    severity: "warning",
    category: "locking",
    description: "CREATE INDEX on an existing table without CONCURRENTLY blocks writes for the whole build.",
    messages: {
      blocking:
        "CREATE INDEX without CONCURRENTLY takes a SHARE lock on {{table}} for the whole index build: every INSERT, UPDATE and DELETE on it waits{{estimate}}.",
    },
  },
  statement({ statement, report, table }) {
    const index = (statement.node as { IndexStmt?: IndexStmt }).IndexStmt;
    if (!index || index.concurrent) return;
    const name = index.relation?.relname;
    if (!name || statement.createdRelations.has(name)) return;
    const facts = table(name);
    const estimate = facts?.rows !== undefined ? `, for ${estimateDuration("index", facts.rows)}` : "";
    report({
      messageId: "blocking",
      data: { table: name, estimate },
      help: "Use CREATE INDEX CONCURRENTLY, in a migration that does not run in a transaction.",
      ...(facts?.large ? { severity: "error" as const } : {}),
      fix: {
        title: "Add CONCURRENTLY",
        line: statement.line,
        endLine: statement.endLine,
        replacement: statement.text.replace(/^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX)\b/i, "$1 CONCURRENTLY") + ";",
      },
    });
  },
});
