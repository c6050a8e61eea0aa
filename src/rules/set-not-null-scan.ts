import { defineRule } from "./types.js";

/**
 * SET NOT NULL takes ACCESS EXCLUSIVE and scans the table for NULLs, unless (PostgreSQL 12+) a
 * validated CHECK (col IS NOT NULL) on that very column proves it, or the column is NOT NULL
 * already (then it does nothing). A check on another column, or one still NOT VALID, proves
 * nothing (test/sql/rule-facts-pglite.test.ts). The analyser learns the checks from every up
 * statement in view, this migration's and the earlier ones' (`statement.notNull`).
 */
export default defineRule({
  id: "set-not-null-scan",
  meta: {
    severity: "error",
    category: "locking",
    description: "SET NOT NULL on an existing table scans it under ACCESS EXCLUSIVE.",
    messages: {
      blocking:
        "SET NOT NULL on {{table}}.{{column}} takes ACCESS EXCLUSIVE on {{table}} and scans every row for NULLs: every read and write on {{table}} waits until the scan ends{{estimate}}.",
      unproven:
        "SET NOT NULL on {{table}}.{{column}} takes ACCESS EXCLUSIVE on {{table}} and scans every row for NULLs{{estimate}}, unless {{constraints}}, validated before it, is a CHECK ({{column}} IS NOT NULL): no migration in view defines it.",
    },
  },
  subcommands: ["AT_SetNotNull"],
  alterTable({ statement, target, commands, report, config }) {
    const trustsChecks = config.postgresVersion >= 12;
    for (const command of commands) {
      if (command.subtype !== "AT_SetNotNull") continue;
      const column = command.name ?? "?";
      const proof = statement.notNull?.proof(column);
      if (proof === "declared" || (proof === "checked" && trustsChecks)) continue;
      const help = trustsChecks
        ? `First ALTER TABLE ${target} ADD CONSTRAINT ${target}_${column}_not_null CHECK (${column} IS NOT NULL) NOT VALID; then, in a separate transaction, VALIDATE CONSTRAINT it (SHARE UPDATE EXCLUSIVE: reads and writes go on); then SET NOT NULL, which skips the scan thanks to the validated check; then drop the check.`
        : `PostgreSQL ${config.postgresVersion} always scans for SET NOT NULL, validated check or not (12 and later trust one). Run it when traffic is low with a short lock_timeout, or keep a validated CHECK (${column} IS NOT NULL) instead of NOT NULL until you upgrade.`;
      const unknown = trustsChecks ? statement.notNull?.validatedUnknown() : undefined;
      if (unknown && unknown.count > 0) {
        // The constraint came from a migration the analysis was not given: it may well be the check.
        // A table may carry hundreds of such constraints: name three, count the rest (one finding once listed them all, ~13 KB).
        const named = unknown.count <= 3 ? unknown.first.join(" or ") : `${unknown.first.slice(0, 3).join(", ")} or one of ${unknown.count - 3} more`;
        report({ messageId: "unproven", data: { column, constraints: named }, table: target, work: "scan", severity: "note", help });
        continue;
      }
      report({ messageId: "blocking", data: { column }, table: target, work: "scan", help });
    }
  },
});
