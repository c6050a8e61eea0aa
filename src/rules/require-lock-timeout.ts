import { blockedPhrase, lockSql, strongestExistingLock, summary } from "./lock-helpers.js";
import { defineRule } from "./types.js";

/**
 * A lock that blocks ordinary traffic (SHARE or stronger) on an existing table, taken with no
 * lock_timeout: if anything
 * holds a conflicting lock (a long query, an idle transaction), the statement waits for it, and
 * every query that arrives after it waits behind it in the lock queue. Weaker locks (SHARE UPDATE
 * EXCLUSIVE: CREATE INDEX CONCURRENTLY, VALIDATE CONSTRAINT) conflict with no reads or writes, so
 * waiting for them stalls nobody and needs no timeout. Reported once per section,
 * at the first such statement: one SET at the top covers the rest.
 */
export default defineRule({
  id: "require-lock-timeout",
  meta: {
    severity: "warning",
    category: "locking",
    description: "A statement takes a lock that blocks reads or writes (SHARE or stronger) on an existing table with no lock_timeout set.",
    messages: {
      missing:
        "`{{statement}}` takes {{mode}} on {{table}} with no lock_timeout set: if another transaction holds a conflicting lock, this statement waits for it, and meanwhile {{blocked}} on {{table}} queues behind it, possibly for as long as that other transaction lasts.",
    },
  },
  migration({ sections, report }) {
    for (const { section, statements } of sections) {
      if (section.direction !== "up") continue;
      for (const statement of statements) {
        if (statement.lockTimeoutSet) continue;
        const lock = strongestExistingLock(statement, "ShareLock");
        if (!lock) continue;
        const set = statement.inTransaction ? "SET LOCAL lock_timeout = '2s';" : "SET lock_timeout = '2s';";
        report({
          messageId: "missing",
          data: { statement: summary(statement), mode: lockSql(lock.mode), table: lock.relation, blocked: blockedPhrase(lock.mode) },
          help: `Add \`${set}\` before this statement${statement.inTransaction ? " (inside the transaction)" : ""}: the migration then fails fast instead of stalling the table, and can be retried.`,
          path: statement.path,
          line: statement.line,
          endLine: statement.endLine,
        });
        break;
      }
    }
  },
});
