import type { AlterTableCmd, ColumnDef, Constraint, Node } from "libpg-query";
import { alterCommandsOf, bodiesOf, bodyOf, constraintsOf, listNames, nodeKind, refKey, refOf, refOfNames, strings, type RelationRef } from "./nodes.js";
import type { SqlStatement } from "./parse.js";

/**
 * What earlier statements (this migration's and the migrations before it) tell about which columns
 * hold no NULL: declared NOT NULL or part of a primary key, or proven by a validated
 * `CHECK (col IS NOT NULL)`. Postgres 12+ trusts such a check: `SET NOT NULL`, and the implicit
 * SET NOT NULL of `ADD PRIMARY KEY USING INDEX`, then skip their scan of the table (proven in
 * test/sql/rule-facts-pglite.test.ts). A check added NOT VALID proves nothing until VALIDATE CONSTRAINT.
 */

/** Why a column is known to hold no NULL. */
export type NotNullProof = "declared" | "checked";

/** The state of one ALTER TABLE's table just before the statement runs. */
export interface NotNullView {
  /**
   * Why a column the statement names (a command's column, a column of an index it names in
   * `USING INDEX`) holds no NULL; undefined for other columns. Only those are kept: a view of every
   * proven column, taken at each ALTER of a table with thousands of columns, cost seconds on a long folder.
   */
  proof(column: string): NotNullProof | undefined;
  /** The columns of an index the statement names in `ADD … USING INDEX`, when that index was seen. */
  indexColumns(index: string): readonly string[] | undefined;
  /**
   * Constraints of the table that a VALIDATE CONSTRAINT in view validated but no statement in view
   * defined (added by a migration the analysis was not given): any of them may be the check. Their
   * count and the first few (UNKNOWN_SAMPLE), in the order validated: a long folder gathers
   * thousands on one table, and a copy of them all at every ALTER TABLE was quadratic.
   */
  validatedUnknown(): { count: number; first: readonly string[] };
}

/** How many of the constraints validated but defined outside view a view keeps by name. */
export const UNKNOWN_SAMPLE = 3;

interface NullCheck {
  columns: string[];
  validated: boolean;
}

interface TableNulls {
  declared: Set<string>;
  /** CHECK constraints made of IS NOT NULL tests, by constraint name. */
  checks: Map<string, NullCheck>;
  /** The names of every other constraint added in view: known not to prove a column non-null. */
  others: Set<string>;
  /** Constraints validated in view but defined outside it. */
  validatedUnknown: Set<string>;
}

/** The columns a CHECK tests with IS NOT NULL, alone or ANDed (`a IS NOT NULL AND b IS NOT NULL`). */
export function notNullCheckColumns(expr: Node | undefined): string[] {
  const test = bodyOf(expr, "NullTest");
  if (test) {
    if (test.nulltesttype !== "IS_NOT_NULL") return [];
    const column = strings(bodyOf(test.arg, "ColumnRef")?.fields).at(-1);
    return column ? [column] : [];
  }
  const and = bodyOf(expr, "BoolExpr");
  return and?.boolop === "AND_EXPR" ? (and.args ?? []).flatMap(notNullCheckColumns) : [];
}

/** NotNullFacts as plain JSON, sets and maps as arrays in their order (the result cache keeps it). */
export interface NotNullFactsJson {
  tables: Array<[string, { declared: string[]; checks: Array<[string, NullCheck]>; others: string[]; validatedUnknown: string[] }]>;
  indexes: Array<[string, { table: string; columns: string[] }]>;
}

/** The first `count` values of a set, in its order. */
function firstOf(values: ReadonlySet<string> | undefined, count: number): string[] {
  const first: string[] = [];
  if (!values) return first;
  for (const value of values) {
    if (first.length === count) break;
    first.push(value);
  }
  return first;
}

/** One ALTER TABLE's view: one object with its methods on the prototype, not three closures per statement. */
class ViewBefore implements NotNullView {
  constructor(
    private readonly proofs: ReadonlyMap<string, NotNullProof> | undefined,
    private readonly indexes: ReadonlyMap<string, readonly string[]> | undefined,
    private readonly unknown: { count: number; first: readonly string[] } | undefined,
  ) {}

  proof(column: string): NotNullProof | undefined {
    return this.proofs?.get(column);
  }

  indexColumns(index: string): readonly string[] | undefined {
    return this.indexes?.get(index);
  }

  validatedUnknown(): { count: number; first: readonly string[] } {
    // A new object each time, as a caller may keep it.
    return this.unknown ?? { count: 0, first: [] };
  }
}

export class NotNullFacts {
  private readonly tables = new Map<string, TableNulls>();
  private readonly indexes = new Map<string, { table: string; columns: string[] }>();

  /** As plain data for JSON.stringify: it shares this object's entries, so serialise it at once. */
  toJSON(): NotNullFactsJson {
    return {
      tables: [...this.tables].map(([key, t]) => [
        key,
        { declared: [...t.declared], checks: [...t.checks], others: [...t.others], validatedUnknown: [...t.validatedUnknown] },
      ]),
      indexes: [...this.indexes],
    };
  }

  /** From `toJSON`'s data once parsed; the facts take its objects over (parse a fresh copy for each). */
  static fromJSON(copy: NotNullFactsJson): NotNullFacts {
    const facts = new NotNullFacts();
    for (const [key, t] of copy.tables) {
      facts.tables.set(key, {
        declared: new Set(t.declared),
        checks: new Map(t.checks),
        others: new Set(t.others),
        validatedUnknown: new Set(t.validatedUnknown),
      });
    }
    for (const [key, index] of copy.indexes) facts.indexes.set(key, index);
    return facts;
  }

  /** For an ALTER TABLE, what holds before it runs; undefined for any other statement. */
  viewFor(statement: SqlStatement): NotNullView | undefined {
    const alter = bodyOf(statement.node, "AlterTableStmt");
    const table = refOf(alter?.relation);
    if (!alter || !table) return undefined;
    const known = this.tables.get(refKey(table));
    // Maps and sets are made only when there is something to put in them: most ALTERs name no index.
    let indexes: Map<string, string[]> | undefined;
    const named = new Set<string>();
    for (const command of alterCommandsOf(alter)) {
      if (command.name) named.add(command.name);
      const index = bodyOf(command.def, "Constraint")?.indexname;
      const columns = index ? this.indexes.get(refKey(sibling(table, index)))?.columns : undefined;
      if (!index || !columns) continue;
      (indexes ??= new Map()).set(index, columns);
      for (const column of columns) named.add(column);
    }
    let proofs: Map<string, NotNullProof> | undefined;
    if (known && named.size > 0) {
      for (const check of known.checks.values()) {
        if (check.validated) for (const column of check.columns) if (named.has(column)) (proofs ??= new Map()).set(column, "checked");
      }
      for (const column of named) if (known.declared.has(column)) (proofs ??= new Map()).set(column, "declared");
    }
    const unknown =
      known && known.validatedUnknown.size > 0 ? { count: known.validatedUnknown.size, first: firstOf(known.validatedUnknown, UNKNOWN_SAMPLE) } : undefined;
    return new ViewBefore(proofs, indexes, unknown);
  }

  learn(statement: SqlStatement): void {
    const node = statement.node;
    if (!LEARNT_FROM.has(nodeKind(node))) return;
    const create = bodyOf(node, "CreateStmt");
    const table = refOf(create?.relation);
    if (create && table) return this.learnCreate(table, create.tableElts ?? []);
    const alter = bodyOf(node, "AlterTableStmt");
    const altered = refOf(alter?.relation);
    if (alter && altered) {
      for (const command of alterCommandsOf(alter)) this.learnCommand(altered, command);
      return;
    }
    const index = bodyOf(node, "IndexStmt");
    const indexed = refOf(index?.relation);
    if (index && indexed) {
      const columns = bodiesOf(index.indexParams, "IndexElem").map((e) => e.name ?? "");
      const name = index.idxname ?? `${indexed.relation}_${columns.join("_")}_idx`;
      this.indexes.set(refKey(sibling(indexed, name)), { table: refKey(indexed), columns });
      return;
    }
    const drop = bodyOf(node, "DropStmt");
    if (drop) {
      for (const ref of (drop.objects ?? []).map((o) => refOfNames(listNames(o)))) {
        if (!ref) continue;
        if (drop.removeType === "OBJECT_TABLE") this.tables.delete(refKey(ref));
        if (drop.removeType === "OBJECT_INDEX") this.indexes.delete(refKey(ref));
      }
      return;
    }
    const rename = bodyOf(node, "RenameStmt");
    const renamed = refOf(rename?.relation);
    if (rename?.newname && renamed) this.learnRename(renamed, rename.renameType, rename.subname, rename.newname);
  }

  private table(ref: RelationRef): TableNulls {
    const key = refKey(ref);
    let table = this.tables.get(key);
    if (!table) {
      table = { declared: new Set(), checks: new Map(), others: new Set(), validatedUnknown: new Set() };
      this.tables.set(key, table);
    }
    return table;
  }

  private learnCreate(ref: RelationRef, elements: readonly Node[]): void {
    this.tables.delete(refKey(ref));
    const table = this.table(ref);
    for (const element of elements) {
      const column = bodyOf(element, "ColumnDef");
      if (column) this.learnColumn(ref, column, table);
      const constraint = bodyOf(element, "Constraint");
      // A CREATE TABLE validates every constraint it declares (NOT VALID is ignored there).
      if (constraint) this.learnConstraint(ref, table, { ...constraint, skip_validation: false }, []);
    }
  }

  /** `table` is the table's entry (its caller has it: one lookup saved per column). */
  private learnColumn(ref: RelationRef, column: ColumnDef, table: TableNulls): void {
    if (!column.colname) return;
    for (const constraint of constraintsOf(column.constraints)) this.learnConstraint(ref, table, constraint, [column.colname]);
  }

  /** `columns` is the column's own name for a column constraint. */
  private learnConstraint(ref: RelationRef, table: TableNulls, constraint: Constraint, columns: string[]): void {
    const keys = constraint.keys ? strings(constraint.keys) : columns;
    const validated = constraint.skip_validation !== true;
    if (constraint.conname) table.others.add(constraint.conname);
    switch (constraint.contype) {
      case "CONSTR_NOTNULL":
        // PostgreSQL 18: ADD CONSTRAINT … NOT NULL col NOT VALID proves the column once validated, like a check.
        if (validated) for (const key of keys) table.declared.add(key);
        else if (constraint.conname) {
          table.others.delete(constraint.conname);
          table.checks.set(constraint.conname, { columns: keys, validated });
        }
        return;
      case "CONSTR_PRIMARY": {
        const indexed = constraint.indexname ? this.indexes.get(refKey(sibling(ref, constraint.indexname)))?.columns : undefined;
        for (const key of indexed ?? keys) table.declared.add(key);
        return;
      }
      case "CONSTR_CHECK": {
        const tested = notNullCheckColumns(constraint.raw_expr);
        if (tested.length === 0) return;
        // Postgres names an unnamed check after the table and its first column.
        const name = constraint.conname ?? `${ref.relation}_${tested[0] ?? ""}_check`;
        table.others.delete(name);
        table.checks.set(name, { columns: tested, validated });
        return;
      }
      default:
        return;
    }
  }

  private learnCommand(ref: RelationRef, command: AlterTableCmd): void {
    const table = this.table(ref);
    const column = command.name;
    switch (command.subtype) {
      case "AT_AddColumn": {
        const def = bodyOf(command.def, "ColumnDef");
        if (def) this.learnColumn(ref, def, table);
        return;
      }
      case "AT_SetNotNull":
        if (column) table.declared.add(column);
        return;
      case "AT_DropNotNull":
        if (column) table.declared.delete(column);
        return;
      case "AT_AddConstraint": {
        const constraint = bodyOf(command.def, "Constraint");
        if (constraint) this.learnConstraint(ref, table, constraint, []);
        return;
      }
      case "AT_ValidateConstraint": {
        if (!column) return;
        const check = table.checks.get(column);
        if (check) check.validated = true;
        else if (!table.others.has(column)) table.validatedUnknown.add(column);
        return;
      }
      case "AT_DropConstraint":
        if (!column) return;
        table.checks.delete(column);
        table.others.delete(column);
        table.validatedUnknown.delete(column);
        return;
      case "AT_DropColumn":
        if (!column) return;
        table.declared.delete(column);
        for (const [name, check] of table.checks) if (check.columns.includes(column)) table.checks.delete(name);
        return;
      default:
        return;
    }
  }

  private learnRename(ref: RelationRef, type: string | undefined, from: string | undefined, to: string): void {
    const key = refKey(ref);
    const table = this.tables.get(key);
    if (type === "OBJECT_TABLE") {
      if (table) this.tables.set(refKey(sibling(ref, to)), table);
      this.tables.delete(key);
    } else if (type === "OBJECT_INDEX") {
      const index = this.indexes.get(key);
      if (index) this.indexes.set(refKey(sibling(ref, to)), index);
      this.indexes.delete(key);
    } else if (type === "OBJECT_COLUMN" && table && from) {
      if (table.declared.delete(from)) table.declared.add(to);
      for (const check of table.checks.values()) check.columns = check.columns.map((c) => (c === from ? to : c));
    } else if (type === "OBJECT_TABCONSTRAINT" && table && from) {
      const check = table.checks.get(from);
      if (check) table.checks.set(to, check);
      table.checks.delete(from);
      for (const names of [table.others, table.validatedUnknown]) if (names.delete(from)) names.add(to);
    }
  }
}

/** The statements that tell something about NULLs: the others are passed over at one look at their kind. */
const LEARNT_FROM = new Set<string | undefined>(["CreateStmt", "AlterTableStmt", "IndexStmt", "DropStmt", "RenameStmt"]);

/** A relation in the same schema as `ref` (an index lives in its table's schema). */
function sibling(ref: RelationRef, relation: string): RelationRef {
  return ref.schema ? { relation, schema: ref.schema } : { relation };
}
