import type { Node } from "libpg-query";
import { bodyOf } from "../sql/nodes.js";
import { addedConstraint, alterCommands, upStatements, validatedOnAdd } from "./lock-helpers.js";
import { defineRule } from "./types.js";

/** The column a `CHECK (col IS NOT NULL)` tests, else undefined. */
function notNullCheckColumn(expr: Node | undefined): string | undefined {
  const test = bodyOf(expr, "NullTest");
  if (test?.nulltesttype !== "IS_NOT_NULL") return undefined;
  const fields = bodyOf(test.arg, "ColumnRef")?.fields ?? [];
  return bodyOf(fields.at(-1), "String")?.sval;
}

/**
 * SET NOT NULL takes ACCESS EXCLUSIVE and scans the table for NULLs, unless a validated
 * CHECK (col IS NOT NULL) already proves it (PostgreSQL 12+). The check cannot be seen across
 * migrations, so any VALIDATE CONSTRAINT on the table earlier in the migration counts as that proof.
 */
export default defineRule({
  id: "set-not-null-scan",
  meta: {
    severity: "warning",
    category: "locking",
    description: "SET NOT NULL on an existing table scans it under ACCESS EXCLUSIVE.",
    messages: {
      blocking:
        "SET NOT NULL on {{table}}.{{column}} takes ACCESS EXCLUSIVE on {{table}} and scans every row for NULLs: every read and write on {{table}} waits until the scan ends{{estimate}}.",
    },
  },
  migration({ sections, report, config }) {
    /** Tables with a validated constraint earlier in the migration (table → columns proven, "*" = any). */
    const proven = new Map<string, Set<string>>();
    const prove = (t: string, column: string) => proven.set(t, (proven.get(t) ?? new Set<string>()).add(column));
    for (const statement of upStatements(sections)) {
      const { table: name, commands } = alterCommands(statement);
      if (!name) continue;
      for (const command of commands) {
        if (command.subtype !== "AT_SetNotNull") continue;
        const column = command.name ?? "?";
        const seen = proven.get(name);
        if (statement.createdRelations.has(name) || seen?.has("*") || seen?.has(column)) continue;
        report({
          messageId: "blocking",
          data: { column },
          table: name,
          work: "scan",
          help:
            config.postgresVersion >= 12
              ? `First ALTER TABLE ${name} ADD CONSTRAINT ${name}_${column}_not_null CHECK (${column} IS NOT NULL) NOT VALID; then, in a separate transaction, VALIDATE CONSTRAINT it (SHARE UPDATE EXCLUSIVE: reads and writes go on); then SET NOT NULL, which skips the scan thanks to the validated check; then drop the check.`
              : "PostgreSQL 11 always scans for SET NOT NULL. Run it when traffic is low with a short lock_timeout, or keep a validated CHECK (col IS NOT NULL) instead of NOT NULL until you upgrade.",
          path: statement.path,
          line: statement.line,
          endLine: statement.endLine,
        });
      }
      for (const command of commands) {
        if (command.subtype === "AT_ValidateConstraint") prove(name, "*");
        const constraint = addedConstraint(command);
        if (constraint?.contype === "CONSTR_CHECK" && validatedOnAdd(constraint)) {
          const column = notNullCheckColumn(constraint.raw_expr);
          if (column) prove(name, column);
        }
      }
    }
  },
});
