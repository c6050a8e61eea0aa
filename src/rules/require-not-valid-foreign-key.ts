import { LIQUIBASE_NOT_VALID_FOREIGN_KEY } from "../migrations/frameworks/liquibase.js";
import { FRAMEWORKS } from "../migrations/frameworks/index.js";
import { addedColumn, addedConstraint, statementFix, validatedOnAdd } from "./lock-helpers.js";
import { defineRule } from "./types.js";

/**
 * A foreign key added without NOT VALID locks both tables SHARE ROW EXCLUSIVE and scans the
 * referencing table to validate every row, blocking writes on both for the whole scan.
 */
export default defineRule({
  id: "require-not-valid-foreign-key",
  meta: {
    severity: "error",
    category: "locking",
    description: "A foreign key added to an existing table without NOT VALID blocks writes on both tables while it validates.",
    messages: {
      constraint:
        "ADD FOREIGN KEY{{name}} takes SHARE ROW EXCLUSIVE on {{table}} and on {{referenced}} and scans {{table}} to validate every row: every INSERT, UPDATE and DELETE on both tables waits until the scan ends{{estimate}}.",
      column:
        "ADD COLUMN {{column}} … REFERENCES {{referenced}} adds a validated foreign key: it takes SHARE ROW EXCLUSIVE on {{referenced}} and ACCESS EXCLUSIVE on {{table}}, and scans {{table}} to validate it: every read and write on {{table}} and every write on {{referenced}} waits until the scan ends{{estimate}}.",
    },
  },
  subcommands: ["AT_AddConstraint", "AT_AddColumn"],
  alterTable({ migration, statement, target, commands, report }) {
    // SQL translated from a Liquibase change: the NOT VALID has to be written as SQL there.
    const how = migration.framework === "liquibase" && statement.section.sql !== undefined ? ` ${LIQUIBASE_NOT_VALID_FOREIGN_KEY}` : "";
    const ormAdvice = FRAMEWORKS[migration.framework].texts.notValidForeignKey;
    for (const command of commands) {
      const constraint = addedConstraint(command);
      if (constraint?.contype === "CONSTR_FOREIGN" && validatedOnAdd(constraint)) {
        const fix = commands.length === 1 ? statementFix(statement, "Add NOT VALID", `${statement.text.trimEnd()} NOT VALID`) : undefined;
        report({
          messageId: "constraint",
          data: {
            name: constraint.conname ? ` ${constraint.conname}` : "",
            referenced: constraint.pktable?.relname ?? "the referenced table",
          },
          table: target,
          work: "scan",
          help:
            ormAdvice ??
            `Add it with NOT VALID (no scan, a brief lock), then run ALTER TABLE ${target} VALIDATE CONSTRAINT … in a separate transaction: validation takes only SHARE UPDATE EXCLUSIVE on ${target} and ROW SHARE on the referenced table, so reads and writes go on.${how}`,
          ...(fix ? { fix } : {}),
        });
        continue;
      }
      const column = addedColumn(command);
      for (const inline of column?.constraints ?? []) {
        if (inline.contype !== "CONSTR_FOREIGN" || !validatedOnAdd(inline)) continue;
        report({
          messageId: "column",
          data: { column: column?.column ?? "?", referenced: inline.pktable?.relname ?? "the referenced table" },
          help: `Add the column without REFERENCES, then ALTER TABLE ${target} ADD CONSTRAINT … FOREIGN KEY (…) REFERENCES … NOT VALID, then VALIDATE CONSTRAINT it in a separate transaction (SHARE UPDATE EXCLUSIVE: reads and writes go on).${how}`,
          table: target,
          work: "scan",
        });
      }
    }
  },
});
