import { bodyOf, strings, walk } from "../sql/nodes.js";
import { isBegin, isTransactionEnd } from "../sql/statements.js";
import type { AnalyzedStatement } from "./types.js";
import { defineRule } from "./types.js";

/**
 * ALTER TYPE … ADD VALUE inside a transaction block. Before Postgres 12 it is refused there
 * ("ALTER TYPE … ADD cannot run inside a transaction block"). From 12 it runs, but the new value
 * cannot be used until the transaction commits: a later statement of the same transaction that
 * uses it fails with "unsafe use of new value" (proven in test/rules/enum-add-value-in-transaction.test.ts).
 * Both exceptions are the enum type created in the same transaction: then its new values are usable
 * at once (also proven there).
 *
 * Which statements share a transaction: consecutive statements that run inside one (the
 * framework's or an explicit BEGIN), up to a COMMIT, ROLLBACK or BEGIN. A statement outside any
 * transaction is its own.
 */

interface AddedValue {
  type: string;
  value: string;
  statement: AnalyzedStatement;
}

/** The string literals a statement uses (not function bodies nor DO blocks, which are not run here). */
function literals(statement: AnalyzedStatement): Set<string> {
  const found = new Set<string>();
  for (const record of walk(statement.node)) {
    const constant = record.A_Const as { sval?: { sval?: string } } | undefined;
    const value = constant?.sval?.sval;
    if (value !== undefined) found.add(value);
  }
  return found;
}

export default defineRule({
  id: "enum-add-value-in-transaction",
  meta: {
    severity: "error",
    category: "compat",
    description: "ALTER TYPE … ADD VALUE in a transaction: refused before Postgres 12; from 12 the new value cannot be used until the transaction commits.",
    messages: {
      refused:
        "ALTER TYPE {{type}} ADD VALUE runs inside a transaction block, which Postgres {{version}} refuses (ALTER TYPE … ADD cannot run inside a transaction block before Postgres 12).",
      unsafeUse:
        "This statement uses '{{value}}', which line {{addedAt}} adds to enum {{type}} in the same transaction: where it is read as a {{type}} value Postgres refuses it until that transaction commits (unsafe use of new value \"{{value}}\" of enum type {{type}}).",
    },
  },
  migration({ sections, config, report }) {
    for (const { section, statements } of sections) {
      if (section.direction !== "up") continue;
      let added: AddedValue[] = [];
      let createdTypes = new Set<string>();
      for (const statement of statements) {
        if (!statement.inTransaction || isBegin(statement.node) || isTransactionEnd(statement.node)) {
          added = [];
          createdTypes = new Set();
          if (!statement.inTransaction) continue;
        }
        const created = bodyOf(statement.node, "CreateEnumStmt");
        if (created) createdTypes.add(strings(created.typeName).join("."));
        const alter = bodyOf(statement.node, "AlterEnumStmt");
        if (alter?.newVal !== undefined && alter.oldVal === undefined) {
          const type = strings(alter.typeName).join(".");
          if (createdTypes.has(type)) continue;
          if (config.postgresVersion < 12) {
            report({
              messageId: "refused",
              data: { type, version: config.postgresVersion },
              help: "Run ALTER TYPE … ADD VALUE in a migration that your framework runs outside a transaction.",
              path: statement.path,
              line: statement.line,
              endLine: statement.endLine,
            });
            continue;
          }
          added.push({ type, value: alter.newVal, statement });
          continue;
        }
        if (added.length === 0) continue;
        const used = literals(statement);
        for (const value of added.filter((a) => used.has(a.value))) {
          report({
            messageId: "unsafeUse",
            data: { value: value.value, type: value.type, addedAt: value.statement.line },
            help: "Add the value in a migration of its own (or COMMIT after ALTER TYPE … ADD VALUE), and use it in a later one.",
            path: statement.path,
            line: statement.line,
            endLine: statement.endLine,
          });
        }
        added = added.filter((a) => !used.has(a.value));
      }
    }
  },
});
