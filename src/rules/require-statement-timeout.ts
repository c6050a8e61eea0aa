import { blockedPhrase, lockSql, strongestExistingLock, summary } from "./lock-helpers.js";
import { defineRule } from "./types.js";

/**
 * A statement that scans or rewrites an existing table under a lock, with no statement_timeout:
 * nothing bounds how long the lock is held. Only locks that block reads or writes (SHARE or
 * stronger) count: a CREATE INDEX CONCURRENTLY or VALIDATE CONSTRAINT scans under SHARE UPDATE
 * EXCLUSIVE, blocks no traffic, and a timeout would only abort it half-done. Reported once per
 * section, at the first such statement.
 */
export default defineRule({
  id: "require-statement-timeout",
  meta: {
    severity: "note",
    category: "locking",
    description: "A statement scans or rewrites an existing table under a lock that blocks reads or writes, with no statement_timeout set.",
    messages: {
      missing:
        "`{{statement}}` {{work}} {{table}} under {{mode}} with no statement_timeout set: nothing bounds how long {{blocked}} on {{table}} waits for it.",
    },
  },
  migration({ sections, report }) {
    for (const { section, statements } of sections) {
      if (section.direction !== "up") continue;
      for (const statement of statements) {
        if (statement.statementTimeoutSet || !(statement.locks.scans || statement.locks.rewrites)) continue;
        const lock = strongestExistingLock(statement, "ShareLock");
        if (!lock) continue;
        const set = statement.inTransaction ? "SET LOCAL statement_timeout = '…';" : "SET statement_timeout = '…';";
        report({
          messageId: "missing",
          data: {
            statement: summary(statement),
            work: statement.locks.rewrites ? "rewrites" : "scans",
            table: lock.relation,
            mode: lockSql(lock.mode),
            blocked: blockedPhrase(lock.mode),
          },
          help: `Add \`${set}\` before this statement, sized to what the table can afford to be blocked: the statement then fails (and releases its lock) instead of running on unbounded.`,
          path: statement.path,
          line: statement.line,
          endLine: statement.endLine,
        });
        break;
      }
    }
  },
});
