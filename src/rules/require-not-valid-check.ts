import { addedColumn, addedConstraint, statementFix, validatedOnAdd } from "./lock-helpers.js";
import { defineRule } from "./types.js";

/**
 * ADD CHECK without NOT VALID takes ACCESS EXCLUSIVE and scans the whole table under it: every
 * read and write waits for the scan.
 */
export default defineRule({
  id: "require-not-valid-check",
  meta: {
    severity: "error",
    category: "locking",
    description: "A CHECK constraint added to an existing table without NOT VALID blocks reads and writes while it scans.",
    messages: {
      constraint:
        "ADD CHECK{{name}} takes ACCESS EXCLUSIVE on {{table}} and scans every row to validate it: every read and write on {{table}} waits until the scan ends{{estimate}}.",
      column:
        "ADD COLUMN {{column}} … CHECK takes ACCESS EXCLUSIVE on {{table}} and scans every row to validate the check: every read and write on {{table}} waits until the scan ends{{estimate}}.",
    },
  },
  subcommands: ["AT_AddConstraint", "AT_AddColumn"],
  alterTable({ statement, target, commands, report }) {
    const help = `Add it with NOT VALID (no scan; new rows are checked from then on), then run ALTER TABLE ${target} VALIDATE CONSTRAINT … in a separate transaction: validation takes only SHARE UPDATE EXCLUSIVE, so reads and writes go on.`;
    for (const command of commands) {
      const constraint = addedConstraint(command);
      if (constraint?.contype === "CONSTR_CHECK" && validatedOnAdd(constraint)) {
        const fix = commands.length === 1 ? statementFix(statement, "Add NOT VALID", `${statement.text.trimEnd()} NOT VALID`) : undefined;
        report({
          messageId: "constraint",
          data: { name: constraint.conname ? ` ${constraint.conname}` : "" },
          help,
          table: target,
          work: "scan",
          ...(fix ? { fix } : {}),
        });
        continue;
      }
      const column = addedColumn(command);
      if (!column?.constraints.some((c) => c.contype === "CONSTR_CHECK" && validatedOnAdd(c))) continue;
      report({
        messageId: "column",
        data: { column: column.column },
        help: `Add the column without the CHECK, then ALTER TABLE ${target} ADD CONSTRAINT … CHECK (…) NOT VALID, then VALIDATE CONSTRAINT it in a separate transaction (SHARE UPDATE EXCLUSIVE: reads and writes go on).`,
        table: target,
        work: "scan",
      });
    }
  },
});
