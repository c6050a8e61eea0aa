import { FRAMEWORKS } from "../migrations/frameworks/index.js";
import { bodyOf } from "../sql/nodes.js";
import { defineRule } from "./types.js";

/**
 * CREATE INDEX without CONCURRENTLY on a table that already exists takes a SHARE lock for the
 * whole build: reads go on, every INSERT, UPDATE and DELETE waits.
 */
export default defineRule({
  id: "require-concurrent-index",
  meta: {
    severity: "error",
    category: "locking",
    description: "CREATE INDEX on an existing table without CONCURRENTLY blocks writes for the whole build.",
    messages: {
      blocking:
        "CREATE INDEX without CONCURRENTLY takes a SHARE lock on {{table}} for the whole index build: every INSERT, UPDATE and DELETE on it waits{{estimate}}.",
    },
  },
  nodes: ["IndexStmt"],
  statement({ migration, statement, report }) {
    const index = bodyOf(statement.node, "IndexStmt");
    if (!index || index.concurrent) return;
    const name = index.relation?.relname;
    if (!name || statement.createdRelations.has(name)) return;
    report({
      messageId: "blocking",
      table: name,
      work: "index",
      help: FRAMEWORKS[migration.framework].texts.concurrentIndex,
      // Inside the runner's transaction CONCURRENTLY alone is refused by Postgres ("cannot run
      // inside a transaction block"): the engine's fix check (fix-check.ts) adds the runner's
      // in-file way out of it to the fix, or drops the fix and keeps this advice.
      fix: {
        title: "Add CONCURRENTLY",
        line: statement.line,
        endLine: statement.endLine,
        replacement: statement.text.replace(/^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX)\b/i, "$1 CONCURRENTLY") + ";",
      },
    });
  },
});
