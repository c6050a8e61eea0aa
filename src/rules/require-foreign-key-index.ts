import type { Constraint, IndexStmt, Node } from "libpg-query";
import { bodyOf, constraintsOf, strings } from "../sql/nodes.js";
import type { AnalyzedStatement } from "./types.js";
import { defineRule } from "./types.js";

/**
 * A foreign key whose referencing columns no index leads with. Deleting a referenced row, or
 * changing its key, makes Postgres look for referencing rows (`SELECT 1 FROM ONLY child WHERE
 * fk = $1 FOR KEY SHARE`) once per row: without an index that is a sequential scan of the whole
 * referencing table per deleted row, while the deleting transaction holds its locks. Proven in
 * test/rules/require-foreign-key-index.test.ts (10 parent rows deleted, 10 sequential scans of
 * the child; with the index, 10 index scans and none).
 *
 * Only what the migration proves is flagged: the analyser sees this migration's statements, not
 * the indexes earlier migrations built. So a foreign key counts only when every index it could
 * use is in view: its table is created in this migration, or one of its columns is added here
 * (an index leading with a column that did not exist cannot be older than the column).
 */

interface ForeignKey {
  table: string;
  columns: string[];
  references: string;
  name: string;
  statement: AnalyzedStatement;
}

interface KnownIndex {
  table: string;
  /** The plain columns it leads with, up to its first expression. */
  leading: string[];
  /** A partial index's predicate, when it only says that columns are not null: these columns. */
  notNull?: string[];
}

const lower = (name: string): string => name.toLowerCase();

/**
 * An index covers the key when its first n columns are the key's n columns, in any order (equality
 * on all of them). A partial index covers it only when its predicate is that some of the key's
 * columns are not null: the lookup's `column = $1` implies it (proven in the test).
 */
function covers(index: KnownIndex, key: ForeignKey): boolean {
  if (index.table !== key.table || index.leading.length < key.columns.length) return false;
  if (index.notNull && !index.notNull.every((column) => key.columns.includes(column))) return false;
  const first = new Set(index.leading.slice(0, key.columns.length));
  return key.columns.every((column) => first.has(column));
}

/** The columns of a predicate made only of `column IS NOT NULL` tests (joined by AND); undefined for anything else. */
function notNullColumns(predicate: Node | undefined): string[] | undefined {
  const test = bodyOf(predicate, "NullTest");
  if (test) {
    const column = strings(bodyOf(test.arg, "ColumnRef")?.fields).at(-1);
    return test.nulltesttype === "IS_NOT_NULL" && column ? [lower(column)] : undefined;
  }
  const and = bodyOf(predicate, "BoolExpr");
  if (and?.boolop !== "AND_EXPR") return undefined;
  const parts = (and.args ?? []).map(notNullColumns);
  return parts.every((part) => part !== undefined) ? parts.flat() : undefined;
}

function indexOf(index: IndexStmt): KnownIndex | undefined {
  const table = index.relation?.relname;
  if (!table) return undefined;
  // A partial index serves only rows its predicate admits: the foreign key's lookups only when that is "key is not null".
  const notNull = index.whereClause ? notNullColumns(index.whereClause) : [];
  if (!notNull) return undefined;
  const leading: string[] = [];
  for (const param of index.indexParams ?? []) {
    const name = bodyOf(param, "IndexElem")?.name;
    if (!name) break;
    leading.push(lower(name));
  }
  return { table: lower(table), leading, ...(notNull.length > 0 ? { notNull } : {}) };
}

/** What one constraint (of a table or of a column `column`) tells: an index it builds, or a foreign key. */
function learnConstraint(constraint: Constraint, table: string, column: string | undefined, statement: AnalyzedStatement, out: Collected): void {
  const own = column ? [column] : [];
  switch (constraint.contype) {
    case "CONSTR_PRIMARY":
    case "CONSTR_UNIQUE": {
      const keys = constraint.keys ? strings(constraint.keys).map(lower) : own;
      if (!constraint.indexname) out.indexes.push({ table, leading: keys });
      return;
    }
    case "CONSTR_FOREIGN": {
      const columns = constraint.fk_attrs ? strings(constraint.fk_attrs).map(lower) : own;
      const references = constraint.pktable?.relname ?? "";
      out.keys.push({ table, columns, references, name: constraint.conname ?? `${table}_${columns.join("_")}_fkey`, statement });
      return;
    }
    default:
      return;
  }
}

interface Collected {
  keys: ForeignKey[];
  indexes: KnownIndex[];
  /** Tables created in this migration, and "table.column" of columns it adds to other tables. */
  newTables: Set<string>;
  newColumns: Set<string>;
}

function collect(statement: AnalyzedStatement, out: Collected): void {
  // Only these three kinds build an index or a foreign key, or make a table or column new.
  if (statement.kind !== "IndexStmt" && statement.kind !== "CreateStmt" && statement.kind !== "AlterTableStmt") return;
  const index = bodyOf(statement.node, "IndexStmt");
  if (index) {
    const known = indexOf(index);
    if (known) out.indexes.push(known);
    return;
  }
  const create = bodyOf(statement.node, "CreateStmt");
  const alter = bodyOf(statement.node, "AlterTableStmt");
  const table = lower(create?.relation?.relname ?? alter?.relation?.relname ?? "");
  if (!table || (alter && alter.objtype !== "OBJECT_TABLE")) return;
  if (create) out.newTables.add(table);
  for (const column of statement.effects.adds.columns) {
    const name = lower(column.name);
    if (!column.newTable) out.newColumns.add(`${table}.${name}`);
    for (const constraint of constraintsOf(column.column.constraints)) learnConstraint(constraint, table, name, statement, out);
  }
  for (const element of create?.tableElts ?? []) {
    const constraint = bodyOf(element, "Constraint");
    if (constraint) learnConstraint(constraint, table, undefined, statement, out);
  }
  for (const added of statement.effects.adds.constraints) learnConstraint(added.constraint, table, undefined, statement, out);
}

export default defineRule({
  id: "require-foreign-key-index",
  meta: {
    severity: "note",
    category: "hygiene",
    description: "A foreign key whose referencing columns no index leads with: each delete or key update of a referenced row scans the referencing table.",
    messages: {
      unindexed:
        "No index on {{table}} leads with ({{columns}}), the columns of foreign key {{name}}: each row deleted from {{references}} (or whose key changes) makes Postgres look for referencing rows with a sequential scan of all of {{table}}.",
    },
  },
  migration({ sections, report }) {
    const found: Collected = { keys: [], indexes: [], newTables: new Set(), newColumns: new Set() };
    for (const { section, statements } of sections) {
      if (section.direction !== "up") continue;
      for (const statement of statements) collect(statement, found);
    }
    // The indexes by table: `covers` needs the key's table, and a long migration has many of both.
    const indexesOn = new Map<string, KnownIndex[]>();
    for (const index of found.indexes) {
      const on = indexesOn.get(index.table);
      if (on) on.push(index);
      else indexesOn.set(index.table, [index]);
    }
    for (const key of found.keys) {
      if (key.columns.length === 0) continue;
      const inView = found.newTables.has(key.table) || key.columns.some((column) => found.newColumns.has(`${key.table}.${column}`));
      if (!inView || indexesOn.get(key.table)?.some((index) => covers(index, key))) continue;
      const columns = key.columns.join(", ");
      const concurrently = found.newTables.has(key.table) ? "" : " CONCURRENTLY";
      report({
        messageId: "unindexed",
        data: { table: key.table, columns, name: key.name, references: key.references },
        help: `Index the referencing columns: CREATE INDEX${concurrently} ON ${key.table} (${columns}); (unless rows of ${key.references} are never deleted nor their key changed).`,
        path: key.statement.path,
        line: key.statement.line,
        endLine: key.statement.endLine,
      });
    }
  },
});
