import type { AlterTableStmt, ColumnDef, Constraint, CreateStmt, DropStmt, IndexStmt, Node, ObjectType } from "libpg-query";
import { columnType, type ColumnType } from "./column-types.js";
import { KeyedList } from "./keyed-list.js";
import { alterCommandsOf, bodyOf, constraintsOf, listNames, nodeKind, refKey, refOf, refOfNames, sameRelation, strings, type RelationRef } from "./nodes.js";
import type { SqlStatement } from "./parse.js";
import { readRelations } from "./query-reads.js";
import { declaredVolatility, type Volatility } from "./volatility.js";

/**
 * Schema facts: what earlier statements tell about relations a statement does not name (the
 * table of an index, the foreign keys to a table, partitions, column types, views).
 */

export interface ForeignKeyFact {
  table: RelationRef;
  name: string;
  columns: string[];
  references: RelationRef;
  referencedColumns: string[];
  /** pg_constraint's confdeltype / confupdtype: a no action, r restrict, c cascade, n set null, d set default. */
  onDelete: string;
  onUpdate: string;
}

export interface ChildFact {
  child: RelationRef;
  parent: RelationRef;
  /** A declarative partition (PARTITION OF / ATTACH), not an INHERITS child. */
  partition: boolean;
  isDefault: boolean;
}

interface TableFact {
  ref: RelationRef;
  partitioned: boolean;
  columns: Map<string, ColumnType>;
}

/**
 * SchemaFacts as plain JSON (the result cache keeps the facts after each migration): every list
 * in its order, since lookups answer with the first match.
 */
export interface SchemaFactsJson {
  tables: Array<{ ref: RelationRef; partitioned: boolean; columns: Array<[string, ColumnType]> }>;
  foreignKeys: ForeignKeyFact[];
  indexes: Array<{ index: RelationRef; table: RelationRef }>;
  children: ChildFact[];
  views: Array<{ view: RelationRef; reads: RelationRef[] }>;
  functions: Array<[string, Volatility]>;
  timeZone?: { value: string; local: boolean };
}

/**
 * Time zones whose UTC offset is always zero: with one of them as the session TimeZone, Postgres
 * 12+ changes timestamp to timestamptz (and back) without a rewrite (ATColumnChangeRequiresRewrite
 * → TimestampTimestampTzRequiresRewrite in src/backend/utils/adt/timestamp.c). Names are matched
 * case-insensitively, as Postgres does.
 */
const ZERO_OFFSET_ZONES = new Set([
  "utc",
  "etc/utc",
  "uct",
  "etc/uct",
  "gmt",
  "etc/gmt",
  "zulu",
  "etc/zulu",
  "universal",
  "etc/universal",
  "greenwich",
  "etc/greenwich",
]);

/**
 * The schema as far as a sequence of statements reveals it: tables and their column types,
 * foreign keys, indexes, partitions and inheritance children, views and what they read, and the
 * volatility of the functions created. Also the one session setting the lock model needs (the
 * TimeZone, for timestamp ↔ timestamptz): call `newSession()` where a new connection starts.
 * Feed it every statement in order (`learn`) and pass it to `statementLocks`.
 */
export class SchemaFacts {
  private readonly tables = new KeyedList<TableFact, "ref">({ ref: (t) => refKey(t.ref) });
  // `named` and `column` answer a VALIDATE CONSTRAINT and an UPDATE without a pass over every
  // foreign key of the table (thousands on a long-lived table, one more each migration).
  private readonly foreignKeys = new KeyedList<ForeignKeyFact, "table" | "references" | "named" | "column">({
    table: (fk) => refKey(fk.table),
    references: (fk) => refKey(fk.references),
    named: (fk) => `${refKey(fk.table)}\0${fk.name}`,
    column: (fk) =>
      fk.columns.length === 1 ? `${refKey(fk.table)}\0${fk.columns[0]}` : [...new Set(fk.columns)].map((column) => `${refKey(fk.table)}\0${column}`),
  });
  private readonly indexes = new KeyedList<{ index: RelationRef; table: RelationRef }, "index" | "table">({
    index: (i) => refKey(i.index),
    table: (i) => refKey(i.table),
  });
  private readonly children = new KeyedList<ChildFact, "parent" | "child">({
    parent: (c) => refKey(c.parent),
    child: (c) => refKey(c.child),
  });
  private readonly views = new KeyedList<{ view: RelationRef; reads: RelationRef[] }, "view" | "reads">({
    view: (v) => refKey(v.view),
    reads: (v) => [...new Set(v.reads.map(refKey))],
  });

  /** Volatility of the functions created (CREATE FUNCTION, default VOLATILE), by lower-case unqualified name. */
  private readonly functions = new Map<string, Volatility>();
  /** The session TimeZone set by SET (lower-case), undefined when not set (the server's default). */
  private timeZone: { value: string; local: boolean } | undefined;

  static from(statements: readonly SqlStatement[]): SchemaFacts {
    const facts = new SchemaFacts();
    for (const statement of statements) facts.learn(statement);
    return facts;
  }

  /** As plain data for JSON.stringify: it shares this object's entries, so serialise it at once. */
  toJSON(): SchemaFactsJson {
    return {
      tables: this.tables.items.map((t) => ({ ref: t.ref, partitioned: t.partitioned, columns: [...t.columns] })),
      foreignKeys: this.foreignKeys.items,
      indexes: this.indexes.items,
      children: this.children.items,
      views: this.views.items,
      functions: [...this.functions],
      ...(this.timeZone ? { timeZone: this.timeZone } : {}),
    };
  }

  /** From `toJSON`'s data once parsed; the facts take its objects over (parse a fresh copy for each). */
  static fromJSON(copy: SchemaFactsJson): SchemaFacts {
    const facts = new SchemaFacts();
    for (const t of copy.tables) facts.tables.push({ ref: t.ref, partitioned: t.partitioned, columns: new Map(t.columns) });
    for (const fk of copy.foreignKeys) facts.foreignKeys.push(fk);
    for (const index of copy.indexes) facts.indexes.push(index);
    for (const child of copy.children) facts.children.push(child);
    for (const view of copy.views) facts.views.push(view);
    for (const [name, volatility] of copy.functions) facts.functions.set(name, volatility);
    facts.timeZone = copy.timeZone;
    return facts;
  }

  // --- questions the model asks

  foreignKeysFrom(table: RelationRef): ForeignKeyFact[] {
    return [...this.foreignKeys.get("table", refKey(table))];
  }

  /** The foreign keys from `table` with one of `columns` among theirs, in the order of foreignKeysFrom. */
  foreignKeysFromColumns(table: RelationRef, columns: readonly string[]): readonly ForeignKeyFact[] {
    const key = refKey(table);
    if (columns.length === 1) return this.foreignKeys.get("column", `${key}\0${columns[0]}`);
    const found = new Set(columns.flatMap((column) => this.foreignKeys.get("column", `${key}\0${column}`)));
    return found.size === 0 ? [] : this.foreignKeys.get("table", key).filter((fk) => found.has(fk));
  }

  foreignKeysTo(table: RelationRef): ForeignKeyFact[] {
    return this.foreignKeys.get("references", refKey(table)).filter((fk) => !sameRelation(fk.table, table));
  }

  foreignKey(table: RelationRef, name: string): ForeignKeyFact | undefined {
    return this.foreignKeys.get("named", `${refKey(table)}\0${name}`)[0];
  }

  tableOfIndex(index: RelationRef): RelationRef | undefined {
    return this.indexes.get("index", refKey(index))[0]?.table;
  }

  indexesOf(table: RelationRef): RelationRef[] {
    return this.indexes.get("table", refKey(table)).map((i) => i.index);
  }

  isPartitioned(table: RelationRef): boolean {
    return this.table(table)?.partitioned === true;
  }

  /** Partitions and inheritance children, at every level below `table`. */
  descendantsOf(table: RelationRef): ChildFact[] {
    // Most tables have no children: asked at every ALTER TABLE and DML, answer that without a walk.
    if (this.children.items.length === 0 || this.children.get("parent", refKey(table)).length === 0) return [];
    const found: ChildFact[] = [];
    const queue = [table];
    for (let parent = queue.shift(); parent; parent = queue.shift()) {
      for (const child of this.children.get("parent", refKey(parent))) {
        if (found.some((f) => sameRelation(f.child, child.child))) continue;
        found.push(child);
        queue.push(child.child);
      }
    }
    return found;
  }

  parentOf(table: RelationRef): ChildFact | undefined {
    return this.children.get("child", refKey(table))[0];
  }

  defaultPartitionOf(parent: RelationRef): RelationRef | undefined {
    return this.children.get("parent", refKey(parent)).find((c) => c.isDefault)?.child;
  }

  columnTypeOf(table: RelationRef, column: string): ColumnType | undefined {
    return this.table(table)?.columns.get(column);
  }

  /** The volatility a function was created with, by unqualified name; undefined when no analysed statement created it. */
  functionVolatility(name: string): Volatility | undefined {
    return this.functions.get(name.toLowerCase());
  }

  /** Whether a SET earlier in this session made the TimeZone one whose offset is always zero (UTC, GMT, …). */
  timeZoneIsUtc(): boolean {
    return this.timeZone !== undefined && ZERO_OFFSET_ZONES.has(this.timeZone.value);
  }

  /** A new connection: session settings go back to the server's defaults; the schema stays. */
  newSession(): void {
    this.timeZone = undefined;
  }

  viewsReading(table: RelationRef): RelationRef[] {
    return this.views.get("reads", refKey(table)).map((v) => v.view);
  }

  viewSources(view: RelationRef): RelationRef[] | undefined {
    return this.views.get("view", refKey(view))[0]?.reads;
  }

  // --- learning

  learn(statement: SqlStatement): void {
    this.learnNode(statement.node);
  }

  private learnNode(node: Node): void {
    // Each statement is one kind: read it once and ask only the learners that kind concerns.
    switch (nodeKind(node)) {
      case "CreateFunctionStmt":
      case "AlterFunctionStmt":
        return this.learnFunction(node);
      case "VariableSetStmt":
      case "TransactionStmt":
        return this.learnSession(node);
      case "DropStmt":
        this.learnFunction(node);
        break;
      case "CreateStmt":
      case "AlterTableStmt":
      case "IndexStmt":
      case "ViewStmt":
      case "CreateTableAsStmt":
      case "RenameStmt":
      case "CreateSchemaStmt":
        break;
      default:
        return;
    }
    const create = bodyOf(node, "CreateStmt");
    if (create) return this.learnCreateTable(create);
    const alter = bodyOf(node, "AlterTableStmt");
    if (alter) return this.learnAlterTable(alter);
    const index = bodyOf(node, "IndexStmt");
    if (index) return this.learnIndex(index);
    const drop = bodyOf(node, "DropStmt");
    if (drop) return this.learnDrop(drop);
    const view = bodyOf(node, "ViewStmt");
    if (view) return this.learnView(refOf(view.view), view.query);
    const tableAs = bodyOf(node, "CreateTableAsStmt");
    if (tableAs?.objtype === "OBJECT_MATVIEW") return this.learnView(refOf(tableAs.into?.rel), tableAs.query);
    const rename = bodyOf(node, "RenameStmt");
    if (rename?.renameType === "OBJECT_COLUMN") return this.renameColumn(refOf(rename.relation), rename.subname, rename.newname);
    if (rename) return this.learnRename(rename.renameType, refOf(rename.relation), rename.newname);
    const schema = bodyOf(node, "CreateSchemaStmt");
    for (const element of schema?.schemaElts ?? []) this.learnNode(element);
  }

  private learnFunction(node: Node): void {
    const create = bodyOf(node, "CreateFunctionStmt");
    const createdName = strings(create?.funcname).at(-1)?.toLowerCase();
    if (create && !create.is_procedure && createdName) this.functions.set(createdName, declaredVolatility(create.options) ?? "volatile");
    const alter = bodyOf(node, "AlterFunctionStmt");
    const alteredName = strings(alter?.func?.objname).at(-1)?.toLowerCase();
    const altered = declaredVolatility(alter?.actions);
    if (alteredName && altered && this.functions.has(alteredName)) this.functions.set(alteredName, altered);
    const drop = bodyOf(node, "DropStmt");
    if (drop?.removeType !== "OBJECT_FUNCTION") return;
    for (const object of drop.objects ?? []) {
      const name = strings(bodyOf(object, "ObjectWithArgs")?.objname).at(-1)?.toLowerCase();
      if (name) this.functions.delete(name);
    }
  }

  private learnSession(node: Node): void {
    const set = bodyOf(node, "VariableSetStmt");
    if (set?.kind === "VAR_RESET_ALL") this.timeZone = undefined;
    else if (set?.name === "timezone") {
      const value = set.kind === "VAR_SET_VALUE" ? bodyOf(set.args?.[0], "A_Const") : undefined;
      // SET TIME ZONE 0 is a zero offset too (an A_Const whose ival is 0 is printed without it).
      const zone = value?.sval?.sval?.toLowerCase() ?? (value?.ival && !value.ival.ival ? "utc" : undefined);
      this.timeZone = zone ? { value: zone, local: set.is_local === true } : undefined;
    }
    const transaction = bodyOf(node, "TransactionStmt")?.kind;
    if (this.timeZone?.local && (transaction === "TRANS_STMT_COMMIT" || transaction === "TRANS_STMT_ROLLBACK")) this.timeZone = undefined;
  }

  private table(ref: RelationRef): TableFact | undefined {
    return this.tables.get("ref", refKey(ref))[0];
  }

  /**
   * The table's fact, made on first sight for a table created before the statements learnt (an
   * ALTER TABLE … ADD COLUMN on it still tells that column's type). Such a table is taken as not
   * partitioned, as it is when unknown.
   */
  private tableSeen(ref: RelationRef): TableFact {
    let fact = this.table(ref);
    if (!fact) {
      fact = { ref, partitioned: false, columns: new Map() };
      this.tables.push(fact);
    }
    return fact;
  }

  /** `fact` is the table's, when the caller has it at hand (saves a lookup per column). */
  private addColumn(table: RelationRef, column: ColumnDef, fact?: TableFact): void {
    if (column.colname) (fact ?? this.tableSeen(table)).columns.set(column.colname, columnType(column.typeName));
    for (const constraint of constraintsOf(column.constraints)) {
      this.learnConstraint(table, constraint, column.colname ? [column.colname] : []);
    }
  }

  private learnCreateTable(create: CreateStmt): void {
    const table = refOf(create.relation);
    if (!table) return;
    // IF NOT EXISTS on a table already there does nothing; otherwise a fact made from earlier ALTERs is replaced.
    if (create.if_not_exists && this.table(table)) return;
    this.tables.removeWhere("ref", refKey(table));
    // The only fact under the table's key from here on: `this.table(table)` would answer it.
    const fact: TableFact = { ref: table, partitioned: create.partspec !== undefined, columns: new Map() };
    this.tables.push(fact);
    for (const element of create.tableElts ?? []) {
      const column = bodyOf(element, "ColumnDef");
      if (column) this.addColumn(table, column, fact);
      const constraint = bodyOf(element, "Constraint");
      if (constraint) this.learnConstraint(table, constraint, []);
      const like = refOf(bodyOf(element, "TableLikeClause")?.relation);
      const source = like && this.table(like);
      if (source) for (const [name, type] of source.columns) fact.columns.set(name, type);
    }
    for (const parent of (create.inhRelations ?? []).map((n) => refOf(bodyOf(n, "RangeVar")))) {
      if (!parent) continue;
      const isDefault = create.partbound?.is_default === true;
      this.children.push({ child: table, parent, partition: create.partbound !== undefined, isDefault });
      const columns = this.table(parent)?.columns;
      if (columns) for (const [name, type] of columns) fact.columns.set(name, type);
    }
  }

  /** `columns` are the column's own name for a column constraint. */
  private learnConstraint(table: RelationRef, constraint: Constraint, columns: string[]): void {
    const schemaOf = (relation: string): RelationRef => (table.schema ? { relation, schema: table.schema } : { relation });
    switch (constraint.contype) {
      case "CONSTR_FOREIGN": {
        const references = refOf(constraint.pktable);
        if (!references) return;
        const fkColumns = constraint.fk_attrs ? strings(constraint.fk_attrs) : columns;
        this.foreignKeys.push({
          table,
          name: constraint.conname ?? `${table.relation}_${fkColumns.join("_")}_fkey`,
          columns: fkColumns,
          references,
          referencedColumns: strings(constraint.pk_attrs),
          onDelete: constraint.fk_del_action ?? "a",
          onUpdate: constraint.fk_upd_action ?? "a",
        });
        return;
      }
      case "CONSTR_PRIMARY":
      case "CONSTR_UNIQUE":
      case "CONSTR_EXCLUSION": {
        const keys = constraint.keys ? strings(constraint.keys) : columns;
        const suffix = constraint.contype === "CONSTR_PRIMARY" ? "pkey" : constraint.contype === "CONSTR_UNIQUE" ? "key" : "excl";
        const defaultName = constraint.contype === "CONSTR_PRIMARY" ? `${table.relation}_pkey` : `${table.relation}_${keys.join("_")}_${suffix}`;
        const name = constraint.conname ?? defaultName;
        if (constraint.indexname) this.renameIndex(schemaOf(constraint.indexname), name);
        else this.indexes.push({ index: schemaOf(name), table });
        return;
      }
      default:
        return;
    }
  }

  private learnAlterTable(alter: AlterTableStmt): void {
    const table = refOf(alter.relation);
    if (!table) return;
    for (const cmd of alterCommandsOf(alter)) {
      const column = bodyOf(cmd.def, "ColumnDef");
      const partition = refOf(bodyOf(cmd.def, "PartitionCmd")?.name);
      switch (cmd.subtype) {
        case "AT_AddColumn":
          if (column) this.addColumn(table, column);
          break;
        case "AT_AlterColumnType":
          if (column && cmd.name) this.tableSeen(table).columns.set(cmd.name, columnType(column.typeName));
          break;
        case "AT_DropColumn":
          if (cmd.name) this.dropColumn(table, cmd.name);
          break;
        case "AT_AddConstraint": {
          const constraint = bodyOf(cmd.def, "Constraint");
          if (constraint) this.learnConstraint(table, constraint, []);
          break;
        }
        case "AT_DropConstraint":
          this.foreignKeys.removeWhere("table", refKey(table), (fk) => fk.name === cmd.name);
          this.indexes.removeWhere("table", refKey(table), (i) => i.index.relation === cmd.name);
          break;
        case "AT_AttachPartition":
          if (partition)
            this.children.push({ child: partition, parent: table, partition: true, isDefault: bodyOf(cmd.def, "PartitionCmd")?.bound?.is_default === true });
          break;
        case "AT_DetachPartition":
          if (partition) this.children.removeWhere("child", refKey(partition));
          break;
        case "AT_AddInherit": {
          const parent = refOf(bodyOf(cmd.def, "RangeVar"));
          if (parent) this.children.push({ child: table, parent, partition: false, isDefault: false });
          break;
        }
        case "AT_DropInherit":
          this.children.removeWhere("child", refKey(table));
          break;
        default:
          break;
      }
    }
  }

  private dropColumn(table: RelationRef, column: string): void {
    this.table(table)?.columns.delete(column);
    this.foreignKeys.removeWhere("table", refKey(table), (fk) => fk.columns.includes(column));
  }

  private learnIndex(index: IndexStmt): void {
    const table = refOf(index.relation);
    if (!table) return;
    const name = index.idxname ?? `${table.relation}_${(index.indexParams ?? []).map((p) => bodyOf(p, "IndexElem")?.name ?? "expr").join("_")}_idx`;
    this.indexes.push({ index: table.schema ? { relation: name, schema: table.schema } : { relation: name }, table });
  }

  private learnView(view: RelationRef | undefined, query: Node | undefined): void {
    if (!view) return;
    const reads = readRelations(query).map((r) => r.ref);
    this.views.removeWhere("view", refKey(view));
    this.views.push({ view, reads });
  }

  private learnDrop(drop: DropStmt): void {
    for (const ref of dropTargets(drop)) {
      switch (drop.removeType) {
        case "OBJECT_TABLE":
        case "OBJECT_FOREIGN_TABLE":
          this.tables.removeWhere("ref", refKey(ref));
          this.foreignKeys.removeWhere("table", refKey(ref));
          this.foreignKeys.removeWhere("references", refKey(ref));
          this.indexes.removeWhere("table", refKey(ref));
          this.children.removeWhere("child", refKey(ref));
          this.children.removeWhere("parent", refKey(ref));
          this.views.removeWhere("view", refKey(ref));
          break;
        case "OBJECT_VIEW":
        case "OBJECT_MATVIEW":
          this.views.removeWhere("view", refKey(ref));
          break;
        case "OBJECT_INDEX":
          this.indexes.removeWhere("index", refKey(ref));
          break;
        default:
          break;
      }
    }
  }

  private learnRename(type: ObjectType | undefined, from: RelationRef | undefined, to: string | undefined): void {
    if (!from || !to) return;
    const renamed = from.schema ? { relation: to, schema: from.schema } : { relation: to };
    if (type === "OBJECT_INDEX") return this.renameIndex(from, to);
    if (!["OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_FOREIGN_TABLE"].includes(type ?? "")) return;
    const swap = (ref: RelationRef): RelationRef => (sameRelation(ref, from) ? renamed : ref);
    for (const t of this.tables.items) t.ref = swap(t.ref);
    for (const fk of this.foreignKeys.items) Object.assign(fk, { table: swap(fk.table), references: swap(fk.references) });
    for (const i of this.indexes.items) i.table = swap(i.table);
    for (const c of this.children.items) Object.assign(c, { child: swap(c.child), parent: swap(c.parent) });
    for (const v of this.views.items) Object.assign(v, { view: swap(v.view), reads: v.reads.map(swap) });
    for (const list of [this.tables, this.foreignKeys, this.indexes, this.children, this.views]) list.rebuild();
  }

  /** RENAME COLUMN: the column keeps its type and its foreign keys, under the new name. */
  private renameColumn(table: RelationRef | undefined, from: string | undefined, to: string | undefined): void {
    if (!table || !from || !to) return;
    const columns = this.table(table)?.columns;
    const type = columns?.get(from);
    if (columns && type) {
      columns.delete(from);
      columns.set(to, type);
    }
    const swap = (names: string[]): string[] => names.map((n) => (n === from ? to : n));
    for (const fk of this.foreignKeys.items) {
      if (sameRelation(fk.table, table)) fk.columns = swap(fk.columns);
      if (sameRelation(fk.references, table)) fk.referencedColumns = swap(fk.referencedColumns);
    }
    this.foreignKeys.rebuild();
  }

  private renameIndex(from: RelationRef, to: string): void {
    const entry = this.indexes.get("index", refKey(from))[0];
    if (!entry) return;
    entry.index = from.schema ? { relation: to, schema: from.schema } : { relation: to };
    this.indexes.rebuild();
  }
}

/** The relations a DROP names ([schema.]name of each object). */
export function dropTargets(drop: DropStmt): RelationRef[] {
  return (drop.objects ?? []).map((o) => refOfNames(listNames(o))).filter((r): r is RelationRef => r !== undefined);
}
