import type { AnalysisConfig } from "../config/analysis-config.js";
import type { NotNullView } from "../sql/not-null-facts.js";
import { addedConstraint, addedKeyConstraint } from "./lock-helpers.js";
import { defineRule } from "./types.js";

/**
 * ADD PRIMARY KEY builds its unique index under ACCESS EXCLUSIVE, and sets its columns NOT NULL
 * (a scan) under the same lock. USING INDEX on a concurrently built index avoids the build, not
 * the scan: the key columns are set NOT NULL all the same, which scans the table unless they are
 * NOT NULL already or (PostgreSQL 12+) proven by a validated CHECK (col IS NOT NULL)
 * (test/sql/rule-facts-pglite.test.ts).
 */

/** The columns of the index that a scan would have to check; undefined when the index's columns are unknown. */
function unprovenColumns(view: NotNullView | undefined, index: string, config: AnalysisConfig): string[] | undefined {
  const columns = view?.indexColumns(index);
  return columns?.filter((column) => {
    const proof = view?.proof(column);
    return !(proof === "declared" || (proof === "checked" && config.postgresVersion >= 12));
  });
}

export default defineRule({
  id: "ban-add-primary-key",
  meta: {
    severity: "error",
    category: "locking",
    description:
      "ADD PRIMARY KEY on an existing table builds its index under ACCESS EXCLUSIVE; with USING INDEX, it still scans for NULLs in key columns not known to be NOT NULL.",
    messages: {
      blocking:
        "{{what}} builds a unique index on {{table}} under ACCESS EXCLUSIVE, and scans {{table}} to make the key columns NOT NULL: every read and write on {{table}} waits for the whole build{{estimate}}.",
      usingIndex:
        "ADD PRIMARY KEY USING INDEX {{index}} makes {{columns}} NOT NULL, which scans {{table}} for NULLs under ACCESS EXCLUSIVE: every read and write on {{table}} waits until the scan ends{{estimate}}.",
      usingUnknownIndex:
        "ADD PRIMARY KEY USING INDEX {{index}} makes the index's columns NOT NULL: unless they are already (no migration in view says so), that scans {{table}} for NULLs under ACCESS EXCLUSIVE, and every read and write on {{table}} waits until the scan ends{{estimate}}.",
    },
  },
  subcommands: ["AT_AddConstraint", "AT_AddColumn"],
  alterTable({ statement, target, commands, report, config }) {
    for (const command of commands) {
      const what = addedKeyConstraint(command, "CONSTR_PRIMARY", "PRIMARY KEY");
      if (what) {
        report({
          messageId: "blocking",
          data: { what },
          table: target,
          work: "index",
          help: `Build the index with CREATE UNIQUE INDEX CONCURRENTLY <name> ON ${target} (…) outside a transaction; make the key columns NOT NULL without a long lock (CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, SET NOT NULL); then ALTER TABLE ${target} ADD CONSTRAINT <name> PRIMARY KEY USING INDEX <name>.`,
        });
        continue;
      }
      const constraint = addedConstraint(command);
      const index = constraint?.contype === "CONSTR_PRIMARY" ? constraint.indexname : undefined;
      if (!index) continue;
      const columns = unprovenColumns(statement.notNull, index, config);
      if (columns?.length === 0) continue;
      report({
        messageId: columns ? "usingIndex" : "usingUnknownIndex",
        data: { index, columns: (columns ?? []).join(", ") },
        table: target,
        work: "scan",
        help: `Make the key columns NOT NULL first without the long scan: ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it in a separate transaction (reads and writes go on), then SET NOT NULL${config.postgresVersion >= 12 ? ", which trusts the validated check" : " (PostgreSQL 11 and earlier scan here all the same)"}; ADD PRIMARY KEY USING INDEX then takes only a brief lock.`,
      });
    }
  },
});
