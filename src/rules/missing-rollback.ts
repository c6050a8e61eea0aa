import { FRAMEWORKS } from "../migrations/frameworks/index.js";
import { downSections, upSections } from "../migrations/model.js";
import { isSqlMigration } from "./general-helpers.js";
import { defineRule } from "./types.js";

/**
 * A migration without any down, in a framework where rolling back runs one: the deploy cannot be
 * rolled back without writing SQL by hand, at the worst moment.
 */
export default defineRule({
  id: "missing-rollback",
  meta: {
    severity: "warning",
    category: "rollback",
    description: "A migration has no down migration although its framework runs one on rollback.",
    messages: {
      missing: "This {{framework}} migration has no down migration: rolling back this deploy cannot undo it, and a rollback past it fails or does nothing.",
      missingDetail: "This migration has no down migration ({{detail}}): rolling back this deploy cannot undo it.",
      acknowledged: "No down migration, acknowledged as irreversible: {{reason}}",
    },
  },
  migration({ migration, report }) {
    if (migration.rollback === "unsupported") return;
    const acknowledged = migration.irreversible;
    const help = (how: string) => `${how} that undoes the up. If it truly cannot be undone, say so with \`-- data-engineer: irreversible <reason>\`.`;
    for (const issue of migration.rollbackIssues) {
      if (issue.kind !== "missing-down") continue;
      if (acknowledged) {
        report({ messageId: "acknowledged", data: { reason: acknowledged.reason }, path: issue.path, line: issue.line, severity: "note" });
      } else {
        // A Liquibase changeSet's rollback is written inside it (`<rollback>`, `rollback:`), not as a down migration.
        const how = migration.framework === "liquibase" ? FRAMEWORKS.liquibase.texts.addDown : "Add a down migration";
        report({ messageId: "missingDetail", data: { detail: issue.detail }, help: help(how), path: issue.path, line: issue.line });
      }
    }
    // SQL frameworks: no down section at all. (ORM migrations can be reversible without a down
    // method, e.g. Rails `change`: their detectors report what is missing.)
    if (migration.rollback !== "required" || !isSqlMigration(migration) || downSections(migration).length > 0) return;
    const up = upSections(migration)[0];
    if (!up) return;
    if (acknowledged) {
      report({ messageId: "acknowledged", data: { reason: acknowledged.reason }, path: up.path, line: 1, severity: "note" });
      return;
    }
    report({
      messageId: "missing",
      data: { framework: migration.framework },
      help: help(FRAMEWORKS[migration.framework].texts.addDown),
      path: up.path,
      line: 1,
    });
  },
});
