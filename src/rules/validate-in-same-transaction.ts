import { addedConstraint, addedNotValid, alterCommands, heldExisting, transactionKind, upStatements } from "./lock-helpers.js";
import { defineRule } from "./types.js";

interface PendingNotValid {
  table: string;
  /** Undefined when the ADD did not name it (Postgres then generates the name). */
  name: string | undefined;
  line: number;
  /** SHARE ROW EXCLUSIVE for a foreign key, ACCESS EXCLUSIVE for the rest. */
  mode: "SHARE ROW EXCLUSIVE" | "ACCESS EXCLUSIVE";
}

const MODE = { "SHARE ROW EXCLUSIVE": "ShareRowExclusiveLock", "ACCESS EXCLUSIVE": "AccessExclusiveLock" } as const;

const BLOCKS = {
  "SHARE ROW EXCLUSIVE": "every INSERT, UPDATE and DELETE",
  "ACCESS EXCLUSIVE": "every read and write",
} as const;

/**
 * NOT VALID + VALIDATE only helps when VALIDATE runs in a later transaction: in the same one, the
 * lock the ADD took (or any ACCESS EXCLUSIVE on the table) is still held, so the validation scan
 * blocks the table as if NOT VALID had not been used.
 */
export default defineRule({
  id: "validate-in-same-transaction",
  meta: {
    severity: "error",
    category: "locking",
    description: "VALIDATE CONSTRAINT in the transaction that added the constraint NOT VALID, or that holds the table's ACCESS EXCLUSIVE lock.",
    messages: {
      sameTransaction:
        "VALIDATE CONSTRAINT {{constraint}} runs in the same transaction as the ADD … NOT VALID on line {{addLine}}: the {{mode}} lock that statement took on {{table}} is still held, so the validation scan blocks {{blocked}} on {{table}}, as if NOT VALID had not been used{{estimate}}.",
      heldLock:
        "VALIDATE CONSTRAINT {{constraint}} runs while this transaction holds ACCESS EXCLUSIVE on {{table}}: the validation scan blocks every read and write on {{table}}, which is what NOT VALID was meant to avoid{{estimate}}.",
    },
  },
  migration({ sections, report }) {
    let pending: PendingNotValid[] = [];
    for (const statement of upStatements(sections)) {
      if (!statement.inTransaction) pending = [];
      const kind = transactionKind(statement);
      if (kind) {
        pending = [];
        continue;
      }
      // Only an ALTER TABLE adds or validates a constraint: the rest need no reading.
      if (statement.kind !== "AlterTableStmt") continue;
      const { table: name, commands } = alterCommands(statement);
      if (!name) continue;
      for (const command of commands) {
        if (command.subtype !== "AT_ValidateConstraint") continue;
        const constraint = command.name ?? "?";
        const where = { path: statement.path, line: statement.line, endLine: statement.endLine };
        const help =
          "Commit first: run VALIDATE CONSTRAINT in a later migration (or after a COMMIT), where it takes only SHARE UPDATE EXCLUSIVE and reads and writes go on during the scan.";
        const added = pending.find((p) => p.table === name && (p.name === undefined || p.name === constraint));
        if (added) {
          report({
            messageId: "sameTransaction",
            data: { constraint, addLine: added.line, mode: added.mode, blocked: BLOCKS[added.mode] },
            help,
            ...where,
            table: name,
            work: "scan",
            lock: MODE[added.mode],
          });
        } else if (heldExisting(statement).includes(name)) {
          report({ messageId: "heldLock", data: { constraint }, help, ...where, table: name, work: "scan", lock: "AccessExclusiveLock" });
        }
      }
      if (!statement.inTransaction) continue;
      for (const command of commands) {
        const constraint = addedConstraint(command);
        if (!constraint || !addedNotValid(constraint)) continue;
        const foreignKeyOnly = commands.every((c) => addedConstraint(c)?.contype === "CONSTR_FOREIGN");
        pending.push({ table: name, name: constraint.conname, line: statement.line, mode: foreignKeyOnly ? "SHARE ROW EXCLUSIVE" : "ACCESS EXCLUSIVE" });
      }
    }
  },
});
