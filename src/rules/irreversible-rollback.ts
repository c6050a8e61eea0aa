import { raisesUnconditionally } from "../sql/statements.js";
import { firstEffective } from "./general-helpers.js";
import { defineRule } from "./types.js";

/**
 * A down migration that declares it cannot be undone: SQL that raises straight away, or an ORM's
 * IrreversibleMigration / a reversible slot holding an operation that cannot be reversed. Rolling
 * back stops there.
 */
export default defineRule({
  id: "irreversible-rollback",
  meta: {
    severity: "warning",
    category: "rollback",
    description: "A down migration that always fails, or an operation that cannot be reversed: a rollback stops at this migration.",
    messages: {
      raises: "This down migration raises an error before doing anything: rolling back this deploy stops here, with the up's changes in place.",
      irreversible: "This migration cannot be rolled back ({{detail}}): rolling back this deploy stops here.",
      acknowledged: "Irreversible migration, acknowledged: {{reason}}",
    },
  },
  migration({ migration, sections, report }) {
    const acknowledged = migration.irreversible;
    const help =
      "Write a down that undoes the up where possible. If it really cannot be undone, keep the error and say why with `-- data-engineer: irreversible <reason>`, so the review records the decision.";
    const found = (where: { path: string; line: number; endLine?: number }, detail?: string) => {
      if (acknowledged) report({ messageId: "acknowledged", data: { reason: acknowledged.reason }, ...where, severity: "note" });
      else if (detail !== undefined) report({ messageId: "irreversible", data: { detail }, help, ...where });
      else report({ messageId: "raises", help, ...where });
    };
    for (const issue of migration.rollbackIssues) {
      if (issue.kind === "irreversible-down" || issue.kind === "irreversible-operation") found({ path: issue.path, line: issue.line }, issue.detail);
    }
    for (const { section, statements } of sections) {
      if (section.direction !== "down") continue;
      const first = firstEffective(statements);
      if (first && raisesUnconditionally(first.node)) found({ path: first.path, line: first.line, endLine: first.endLine });
    }
  },
});
