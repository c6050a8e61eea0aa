import { addedConstraint } from "./lock-helpers.js";
import { defineRule } from "./types.js";

/**
 * ADD EXCLUDE builds its index and checks every row under ACCESS EXCLUSIVE. Unlike UNIQUE, CHECK
 * or FOREIGN KEY, there is no online way: it cannot be NOT VALID nor attached from a concurrently
 * built index.
 */
export default defineRule({
  id: "ban-add-exclusion-constraint",
  meta: {
    severity: "error",
    category: "locking",
    description: "ADD EXCLUDE on an existing table builds its index under ACCESS EXCLUSIVE, with no online alternative.",
    messages: {
      blocking:
        "ADD EXCLUDE{{name}} builds an index on {{table}} and checks every row against it under ACCESS EXCLUSIVE: every read and write on {{table}} waits for the whole build{{estimate}}. An exclusion constraint can be neither NOT VALID nor built concurrently.",
    },
  },
  subcommands: ["AT_AddConstraint"],
  alterTable({ target, commands, report }) {
    for (const command of commands) {
      const constraint = addedConstraint(command);
      if (constraint?.contype !== "CONSTR_EXCLUSION") continue;
      report({
        messageId: "blocking",
        data: { name: constraint.conname ? ` ${constraint.conname}` : "" },
        table: target,
        work: "index",
        help: "There is no online way to add it. Declare it when the table is created, or run it in a maintenance window with a short lock_timeout; on a large table, consider a new table with the constraint, filled in batches, then swapped in.",
      });
    }
  },
});
