import { addedKeyConstraint } from "./lock-helpers.js";
import { defineRule } from "./types.js";

/**
 * ADD PRIMARY KEY builds its unique index under ACCESS EXCLUSIVE, and sets its columns NOT NULL
 * (a scan) under the same lock. USING INDEX on a concurrently built index avoids the build.
 */
export default defineRule({
  id: "ban-add-primary-key",
  meta: {
    severity: "warning",
    category: "locking",
    description: "ADD PRIMARY KEY on an existing table builds its index under ACCESS EXCLUSIVE.",
    messages: {
      blocking:
        "{{what}} builds a unique index on {{table}} under ACCESS EXCLUSIVE, and scans {{table}} to make the key columns NOT NULL: every read and write on {{table}} waits for the whole build{{estimate}}.",
    },
  },
  subcommands: ["AT_AddConstraint", "AT_AddColumn"],
  alterTable({ target, commands, report }) {
    for (const command of commands) {
      const what = addedKeyConstraint(command, "CONSTR_PRIMARY", "PRIMARY KEY");
      if (!what) continue;
      report({
        messageId: "blocking",
        data: { what },
        table: target,
        work: "index",
        help: `Build the index with CREATE UNIQUE INDEX CONCURRENTLY <name> ON ${target} (…) outside a transaction; make the key columns NOT NULL without a long lock (CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, SET NOT NULL); then ALTER TABLE ${target} ADD CONSTRAINT <name> PRIMARY KEY USING INDEX <name>.`,
      });
    }
  },
});
