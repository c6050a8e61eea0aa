import type { Node } from "libpg-query";
import { alterTableOf, bodyOf } from "../sql/nodes.js";
import { droppedObjects, objectTypeWords } from "../sql/effects.js";
import { addedConstraint } from "./lock-helpers.js";
import { defineRule, type AnalyzedStatement } from "./types.js";

/**
 * Outside a transaction, each statement commits on its own. When a later statement of the
 * migration fails, the earlier ones stay applied, and running the migration again (after fixing
 * it) fails at the first of them: "already exists", "does not exist". IF [NOT] EXISTS makes the
 * re-run pass; ADD CONSTRAINT has no such clause, so a named constraint needs a guard of its own. The last statement of a section is left alone: if it fails, nothing ran after it
 * (CREATE INDEX CONCURRENTLY excepted, which leaves an invalid index behind when it fails).
 */

interface Unguarded {
  guard: "IF NOT EXISTS" | "IF EXISTS";
  object: string;
  /** The statement with the guard, for the help text. */
  example: string;
}

function unguarded(node: Node): Unguarded | undefined {
  const creating = (object: string, example: string): Unguarded => ({ guard: "IF NOT EXISTS", object, example });
  const dropping = (object: string, example: string): Unguarded => ({ guard: "IF EXISTS", object, example });
  const table = bodyOf(node, "CreateStmt");
  if (table) return table.if_not_exists ? undefined : creating(`table ${table.relation?.relname ?? ""}`, "CREATE TABLE IF NOT EXISTS …");
  const index = bodyOf(node, "IndexStmt");
  // An unnamed index cannot take IF NOT EXISTS (and a re-run makes a second one rather than failing).
  if (index?.idxname) return index.if_not_exists ? undefined : creating(`index ${index.idxname}`, "CREATE INDEX IF NOT EXISTS …");
  const tableAs = bodyOf(node, "CreateTableAsStmt");
  if (tableAs) {
    const kind = tableAs.objtype === "OBJECT_MATVIEW" ? "MATERIALIZED VIEW" : "TABLE";
    return tableAs.if_not_exists ? undefined : creating(`${kind.toLowerCase()} ${tableAs.into?.rel?.relname ?? ""}`, `CREATE ${kind} IF NOT EXISTS … AS …`);
  }
  const sequence = bodyOf(node, "CreateSeqStmt");
  if (sequence) return sequence.if_not_exists ? undefined : creating(`sequence ${sequence.sequence?.relname ?? ""}`, "CREATE SEQUENCE IF NOT EXISTS …");
  const schema = bodyOf(node, "CreateSchemaStmt");
  if (schema) return schema.if_not_exists ? undefined : creating(`schema ${schema.schemaname ?? ""}`, "CREATE SCHEMA IF NOT EXISTS …");
  const extension = bodyOf(node, "CreateExtensionStmt");
  if (extension) return extension.if_not_exists ? undefined : creating(`extension ${extension.extname ?? ""}`, "CREATE EXTENSION IF NOT EXISTS …");
  const drop = bodyOf(node, "DropStmt");
  if (drop) {
    if (drop.missing_ok) return undefined;
    const words = objectTypeWords(drop.removeType);
    return dropping(
      `${words.toLowerCase()} ${droppedObjects(drop)
        .map((o) => o.name)
        .join(", ")}`,
      `DROP ${words} IF EXISTS …`,
    );
  }
  const { table: altered, commands } = alterTableOf(node);
  for (const command of commands) {
    if (command.missing_ok) continue;
    if (command.subtype === "AT_AddColumn") {
      return creating(`column ${altered ?? ""}.${bodyOf(command.def, "ColumnDef")?.colname ?? ""}`, "ALTER TABLE … ADD COLUMN IF NOT EXISTS …");
    }
    if (command.subtype === "AT_DropColumn") return dropping(`column ${altered ?? ""}.${command.name ?? ""}`, "ALTER TABLE … DROP COLUMN IF EXISTS …");
    if (command.subtype === "AT_DropConstraint") return dropping(`constraint ${command.name ?? ""}`, "ALTER TABLE … DROP CONSTRAINT IF EXISTS …");
    const constraint = command.subtype === "AT_AddConstraint" ? addedConstraint(command) : undefined;
    if (constraint) {
      const object = constraint.conname
        ? `constraint ${constraint.conname}`
        : constraint.contype === "CONSTR_PRIMARY"
          ? `the primary key of ${altered ?? ""}`
          : undefined;
      // Postgres has no ADD CONSTRAINT IF NOT EXISTS. An unnamed CHECK, UNIQUE or FOREIGN KEY gets
      // a fresh name on a re-run (a duplicate, no failure); a named one, or a second primary key, fails.
      if (object) return creating(object, "a DO block that adds the constraint only when pg_constraint has no row of that name for the table");
    }
  }
  return undefined;
}

/** CREATE INDEX CONCURRENTLY, unless an earlier statement drops a leftover of it with IF EXISTS. */
function failsHalfway(statement: AnalyzedStatement, earlier: readonly AnalyzedStatement[]): boolean {
  const index = bodyOf(statement.node, "IndexStmt");
  if (!index?.concurrent || !index.idxname) return false;
  const name = index.idxname.toLowerCase();
  return !earlier.some((s) => {
    const drop = bodyOf(s.node, "DropStmt");
    return drop?.removeType === "OBJECT_INDEX" && drop.missing_ok === true && droppedObjects(drop).some((o) => o.name === name);
  });
}

export default defineRule({
  id: "require-if-not-exists",
  meta: {
    severity: "note",
    category: "idempotency",
    description:
      "Outside a transaction, CREATE/DROP/ADD COLUMN without IF [NOT] EXISTS, or ADD CONSTRAINT without a guard, makes a partly applied migration impossible to re-run.",
    messages: {
      create:
        "This runs outside a transaction: if a later statement fails, this one stays applied, and running the migration again fails here because {{object}} already exists.",
      drop: "This runs outside a transaction: if a later statement fails, this one stays applied, and running the migration again fails here because {{object}} no longer exists.",
      halfway:
        "This runs outside a transaction: if the concurrent build fails, it leaves an invalid index {{object}} behind, and running the migration again fails here because it already exists.",
    },
  },
  migration({ sections, report }) {
    for (const { section, statements } of sections) {
      if (section.direction !== "up") continue;
      statements.forEach((statement, index) => {
        if (statement.inTransaction) return;
        const last = index === statements.length - 1;
        if (last && !failsHalfway(statement, statements.slice(0, index))) return;
        const found = unguarded(statement.node);
        if (!found) return;
        const where = { path: statement.path, line: statement.line, endLine: statement.endLine };
        if (last) {
          report({
            messageId: "halfway",
            data: { object: found.object.replace(/^index /, "") },
            help: "Drop a leftover first (`DROP INDEX CONCURRENTLY IF EXISTS …`) and then build it, so that a re-run cleans up after a failed build.",
            ...where,
          });
          return;
        }
        report({
          messageId: found.guard === "IF NOT EXISTS" ? "create" : "drop",
          data: { object: found.object },
          help: `Write ${found.example}, or run the migration in a transaction so that a failure undoes it all.`,
          ...where,
        });
      });
    }
  },
});
