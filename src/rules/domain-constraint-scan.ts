import { bodyOf, strings } from "../sql/nodes.js";
import { defineRule } from "./types.js";

/**
 * ALTER DOMAIN … ADD CONSTRAINT (CHECK or NOT NULL) and ALTER DOMAIN … SET NOT NULL check every
 * value of every column of every table that uses the domain, and take a SHARE lock on each of
 * those tables for it, kept until the transaction ends: reads go on, every INSERT, UPDATE and
 * DELETE on them waits. Proven in test/rules/domain-constraint-scan.test.ts (pg_locks on a table
 * with a column of the domain).
 *
 * A CHECK added NOT VALID checks no existing value and locks no table; the later VALIDATE
 * CONSTRAINT still takes SHARE on each table while it scans (Postgres 18, proven in the same
 * test), so the split moves the scan to a moment of one's choosing rather than making it
 * harmless. NOT NULL cannot be NOT VALID on a domain ("NOT NULL constraints cannot be marked
 * NOT VALID").
 */
export default defineRule({
  id: "domain-constraint-scan",
  meta: {
    severity: "warning",
    category: "locking",
    description: "ALTER DOMAIN adding a CHECK or NOT NULL constraint scans every table using the domain under a SHARE lock.",
    messages: {
      check:
        "ALTER DOMAIN {{domain}} ADD CONSTRAINT checks every value of every column of type {{domain}} and holds a SHARE lock on each table using it until the transaction ends: writes to those tables wait meanwhile.",
      notNull:
        "Making domain {{domain}} NOT NULL checks every column of type {{domain}} and holds a SHARE lock on each table using it until the transaction ends: writes to those tables wait meanwhile.",
    },
  },
  nodes: ["AlterDomainStmt"],
  statement({ statement, report }) {
    const alter = bodyOf(statement.node, "AlterDomainStmt");
    const domain = strings(alter?.typeName).at(-1);
    // A domain created earlier in this migration is used only by tables as new as it.
    if (!alter || !domain || statement.createdRelations.has(domain)) return;
    const constraint = bodyOf(alter.def, "Constraint");
    if (alter.subtype === "C" && constraint?.contype === "CONSTR_CHECK" && constraint.skip_validation !== true) {
      report({
        messageId: "check",
        data: { domain },
        help:
          "Add it NOT VALID (new values are checked at once, existing ones are not read, no table is locked), then run ALTER DOMAIN … VALIDATE CONSTRAINT " +
          "in a migration of its own at a quiet time: VALIDATE still blocks writes to the tables while it scans them.",
      });
    } else if ((alter.subtype === "C" && constraint?.contype === "CONSTR_NOTNULL") || alter.subtype === "O") {
      report({
        messageId: "notNull",
        data: { domain },
        help: "A domain's NOT NULL cannot be added NOT VALID: run it when writes to the tables using the domain may wait for the scan, or use CHECK (VALUE IS NOT NULL) NOT VALID and validate it later.",
      });
    }
  },
});
