import { isEmptySection, sectionLine } from "./general-helpers.js";
import { defineRule } from "./types.js";

/**
 * A down migration that does nothing (a blank file, only comments, `pass`, an empty method): a
 * rollback "succeeds" and leaves the schema as the up made it, while the migration table says it
 * is gone; the next deploy runs the up again onto objects that still exist.
 */
export default defineRule({
  id: "empty-rollback",
  meta: {
    severity: "warning",
    category: "rollback",
    description: "A down migration does nothing: a rollback reports success and leaves the up's changes in place.",
    messages: {
      empty:
        "This down migration does nothing: a rollback reports success but leaves everything the up did in place, and running the up again then fails on objects that still exist.",
      emptyDetail: "This down migration does nothing ({{detail}}): a rollback reports success but leaves everything the up did in place.",
      acknowledged: "Empty down migration, acknowledged as irreversible: {{reason}}",
    },
  },
  migration({ migration, sections, sources, report }) {
    if (migration.rollback === "unsupported") return;
    const acknowledged = migration.irreversible;
    const help =
      "Write the statements that undo the up (drop what it created, rename back what it renamed). If it cannot be undone, say why with `-- data-engineer: irreversible <reason>`.";
    const found = (where: { path: string; line: number }, detail?: string) => {
      if (acknowledged) report({ messageId: "acknowledged", data: { reason: acknowledged.reason }, ...where, severity: "note" });
      else if (detail !== undefined) report({ messageId: "emptyDetail", data: { detail }, help, ...where });
      else report({ messageId: "empty", help, ...where });
    };
    for (const issue of migration.rollbackIssues) {
      if (issue.kind === "empty-down") found({ path: issue.path, line: issue.line }, issue.detail);
    }
    for (const analysis of sections) {
      if (analysis.section.direction !== "down" || analysis.section.language !== "sql") continue;
      if (!isEmptySection(analysis, sources, migration.framework)) continue;
      found({ path: analysis.section.path, line: sectionLine(analysis.section, sources) });
    }
  },
});
