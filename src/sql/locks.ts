import type {
  AlterTableCmd,
  AlterTableStmt,
  AlterTableType,
  ColumnDef,
  Constraint,
  CreateStmt,
  DefElem,
  DropStmt,
  IndexStmt,
  Node,
  ObjectType,
  RangeVar,
  SelectStmt,
  TypeName,
} from "libpg-query";
import type { SqlStatement } from "./parse.js";
import { LOCK_MODES, LOCK_MODE_SQL, blockedTraffic, strongerLock, type LockMode } from "./lock-modes.js";

/**
 * The lock model: for one statement, every relation it locks and in which mode, whether it
 * rewrites or scans the table, and whether Postgres lets it run inside a transaction block.
 * Checked against real Postgres (PGlite's pg_locks) by test/sql/locks-pglite.test.ts.
 *
 * The model reads the statement only. Some locks fall on relations the statement does not name:
 * the table of an index (DROP INDEX, REINDEX INDEX), the table a dropped foreign key points at,
 * the tables that reference a truncated table, the partitions of a partitioned table. Those are
 * knowable only from the schema, so callers may pass the `SchemaFacts` learnt from the statements
 * that ran before (earlier migrations, earlier statements of this one). Without facts, such locks
 * are described in `notes` and in the target's `reason`, and never guessed.
 *
 * Names are compared as written; an unqualified name is taken to be in `public`.
 */

export interface RelationLock {
  /** The relation as written in the statement, unqualified ("orders", not "public.orders"). */
  relation: string;
  /** The schema when the statement qualifies the name. */
  schema?: string;
  mode: LockMode;
  /** Why this relation is locked, when it is not the statement's own target, e.g. "referenced by the new foreign key". */
  reason?: string;
  /** True when the statement creates this relation (a new table or index locks nothing anyone waits on). */
  created?: boolean;
  /**
   * True when the lock is taken only if rows reach the relation: a foreign-key check on the
   * referenced table, the partition an INSERT routes to, a partition the planner does not prune.
   * `mode` is then the strongest the statement can take there.
   */
  conditional?: boolean;
  /**
   * True when no query can be using the relation by the time the lock is taken (DROP INDEX
   * CONCURRENTLY's last ACCESS EXCLUSIVE on the index it has already made invalid): it waits for
   * nobody and blocks nobody.
   */
  unused?: boolean;
  /**
   * The relation's indexes (not named in the statement) are locked in this mode too. REINDEX TABLE
   * takes ACCESS EXCLUSIVE on each index, and planning any query on the table waits for that.
   */
  indexes?: LockMode;
}

export interface StatementLocks {
  /** Relations locked, the statement's target first. Empty for statements that lock no table (SET, BEGIN, …). */
  locks: RelationLock[];
  /** The table is rewritten (a full copy under the lock). */
  rewrites: boolean;
  /** The table is read in full under the lock (validation of NOT NULL, CHECK, UNIQUE, …). */
  scans: boolean;
  /** False for statements Postgres refuses inside a transaction block (CREATE INDEX CONCURRENTLY, VACUUM, …). */
  transactional: boolean;
  /** What the statement alone cannot tell and the model therefore assumed or left out. */
  notes?: string[];
}

// ---------------------------------------------------------------------------------------------
// Relation names

export interface RelationRef {
  relation: string;
  schema?: string;
}

function refKey(ref: RelationRef): string {
  return `${ref.schema ?? "public"}.${ref.relation}`;
}

function sameRelation(a: RelationRef, b: RelationRef): boolean {
  return refKey(a) === refKey(b);
}

function refOf(rangeVar: RangeVar | undefined): RelationRef | undefined {
  if (!rangeVar?.relname) return undefined;
  return rangeVar.schemaname ? { relation: rangeVar.relname, schema: rangeVar.schemaname } : { relation: rangeVar.relname };
}

/** `ONLY t` leaves partitions and inheritance children alone. */
function recurses(rangeVar: RangeVar | undefined): boolean {
  return rangeVar?.inh === true;
}

/** A qualified name given as a list of String nodes: [schema, name] or [name]. */
function refOfNames(names: readonly string[]): RelationRef | undefined {
  const relation = names[names.length - 1];
  if (!relation) return undefined;
  const schema = names.length > 1 ? names[names.length - 2] : undefined;
  return schema ? { relation, schema } : { relation };
}

// ---------------------------------------------------------------------------------------------
// AST access

type KeysOf<T> = T extends unknown ? keyof T : never;
type NodeKind = KeysOf<Node>;
type NodeBody<K extends NodeKind> = Extract<Node, Record<K, unknown>>[K];

function nodeKind(node: Node): NodeKind | undefined {
  return Object.keys(node)[0] as NodeKind | undefined;
}

function unwrap<K extends NodeKind>(node: Node | undefined, kind: K): NodeBody<K> | undefined {
  if (!node || !(kind in node)) return undefined;
  return (node as unknown as Record<K, NodeBody<K>>)[kind];
}

function strings(nodes: readonly Node[] | undefined): string[] {
  return (nodes ?? []).map((n) => unwrap(n, "String")?.sval ?? "").filter((s) => s !== "");
}

/** The names of a List node ("[schema, table]" of DROP, COMMENT, …). */
function listNames(node: Node | undefined): string[] {
  return strings(unwrap(node, "List")?.items);
}

function defElems(nodes: readonly Node[] | undefined): DefElem[] {
  return (nodes ?? []).map((n) => unwrap(n, "DefElem")).filter((d): d is DefElem => d !== undefined);
}

/** Whether an option such as `CONCURRENTLY` or `FULL` is on (`(FULL false)` turns it off). */
function optionOn(nodes: readonly Node[] | undefined, name: string): boolean {
  const option = defElems(nodes).find((d) => d.defname === name);
  if (!option) return false;
  const arg = option.arg;
  if (!arg) return true;
  const bool = unwrap(arg, "Boolean");
  if (bool) return bool.boolval === true;
  const text = unwrap(arg, "String")?.sval?.toLowerCase();
  return text === undefined || !["false", "off", "0"].includes(text);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** Every value under `key` anywhere in the tree (CTE names, function names, …). */
function findAll(value: unknown, key: string, found: unknown[] = []): unknown[] {
  if (Array.isArray(value)) {
    for (const item of value) findAll(item, key, found);
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === key) found.push(v);
      findAll(v, key, found);
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Column types (for ALTER COLUMN TYPE)

export interface ColumnType {
  /** Canonical name: "varchar", "text", "numeric", "int4", "timestamptz", … */
  name: string;
  /** Type modifiers: varchar(n) → [n], numeric(p, s) → [p, s]. */
  mods: number[];
  array: boolean;
}

const TYPE_ALIASES: Record<string, string> = {
  int: "int4",
  integer: "int4",
  serial: "int4",
  serial4: "int4",
  smallint: "int2",
  smallserial: "int2",
  serial2: "int2",
  bigint: "int8",
  bigserial: "int8",
  serial8: "int8",
  decimal: "numeric",
  character: "bpchar",
  char: "bpchar",
  "character varying": "varchar",
  "bit varying": "varbit",
  boolean: "bool",
  real: "float4",
  "double precision": "float8",
  "timestamp without time zone": "timestamp",
  "timestamp with time zone": "timestamptz",
};

const SERIAL_TYPES = new Set(["serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"]);

function typeNameOf(typeName: TypeName | undefined): string {
  const names = strings(typeName?.names);
  return (names[names.length - 1] ?? "").toLowerCase();
}

export function columnType(typeName: TypeName | undefined): ColumnType {
  const raw = typeNameOf(typeName);
  const mods = (typeName?.typmods ?? []).map((m) => unwrap(m, "A_Const")?.ival?.ival ?? 0);
  return { name: TYPE_ALIASES[raw] ?? raw, mods, array: (typeName?.arrayBounds?.length ?? 0) > 0 };
}

/** Length-limited types where a wider (or no) limit keeps the stored bytes valid. */
const WIDENABLE: Record<string, string | undefined> = { varchar: "text", varbit: undefined };

/**
 * Whether `ALTER COLUMN … TYPE` rewrites the table, when the old type is known. The no-rewrite
 * set is what Postgres treats as binary coercible without a length check: varchar(n) →
 * varchar(m ≥ n), varchar or text; text → varchar; numeric(p, s) → numeric(p2 ≥ p, s) or numeric;
 * varbit(n) → varbit(m ≥ n) or varbit; cidr → inet. timestamp → timestamptz is free only when the
 * session TimeZone is UTC; a migration cannot count on that, so it is a rewrite here.
 */
export function typeChangeRewrites(from: ColumnType, to: ColumnType): boolean {
  if (from.array !== to.array) return true;
  if (from.name === to.name && from.mods.join(",") === to.mods.join(",")) return false;
  if (from.array) return true;
  if (from.name === "cidr" && to.name === "inet") return false;
  if (from.name === "text" && to.name === "varchar") return to.mods.length > 0;
  if (from.name === "numeric" && to.name === "numeric") {
    if (to.mods.length === 0) return false;
    if (from.mods.length === 0) return true;
    const [p = 0, s = 0] = from.mods;
    const [p2 = 0, s2 = 0] = to.mods;
    return !(s2 === s && p2 >= p);
  }
  if (from.name in WIDENABLE && (to.name === from.name || to.name === WIDENABLE[from.name])) {
    if (to.name !== from.name || to.mods.length === 0) return false;
    if (from.mods.length === 0) return true;
    return (to.mods[0] ?? 0) < (from.mods[0] ?? 0);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Schema facts: what earlier statements tell about relations a statement does not name

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

interface ChildFact {
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
 * A list with maps from keys to items, kept up to date as items are added: the schema facts of a
 * long folder of migrations are asked about on every statement, so lookups must not scan.
 * Removals and renames are rare and rebuild the maps.
 */
class KeyedList<T, K extends string> {
  readonly items: T[] = [];
  private readonly maps = new Map<K, Map<string, T[]>>();

  constructor(private readonly keys: Record<K, (item: T) => string[]>) {
    this.rebuild();
  }

  push(item: T): void {
    this.items.push(item);
    this.index(item);
  }

  get(key: K, value: string): readonly T[] {
    return this.maps.get(key)?.get(value) ?? [];
  }

  removeWhere(remove: (item: T) => boolean): void {
    const kept = this.items.filter((item) => !remove(item));
    if (kept.length === this.items.length) return;
    this.items.splice(0, this.items.length, ...kept);
    this.rebuild();
  }

  /** After items were changed in place (a rename). */
  rebuild(): void {
    for (const key of Object.keys(this.keys) as K[]) this.maps.set(key, new Map());
    for (const item of this.items) this.index(item);
  }

  private index(item: T): void {
    for (const key of Object.keys(this.keys) as K[]) {
      const map = this.maps.get(key);
      if (!map) continue;
      for (const value of this.keys[key](item)) {
        const list = map.get(value);
        if (list) list.push(item);
        else map.set(value, [item]);
      }
    }
  }
}

/**
 * The schema as far as a sequence of statements reveals it: tables and their column types,
 * foreign keys, indexes, partitions and inheritance children, views and what they read.
 * Feed it every statement in order (`learn`) and pass it to `statementLocks`.
 */
export class SchemaFacts {
  private readonly tables = new KeyedList<TableFact, "ref">({ ref: (t) => [refKey(t.ref)] });
  private readonly foreignKeys = new KeyedList<ForeignKeyFact, "table" | "references">({
    table: (fk) => [refKey(fk.table)],
    references: (fk) => [refKey(fk.references)],
  });
  private readonly indexes = new KeyedList<{ index: RelationRef; table: RelationRef }, "index" | "table">({
    index: (i) => [refKey(i.index)],
    table: (i) => [refKey(i.table)],
  });
  private readonly children = new KeyedList<ChildFact, "parent" | "child">({
    parent: (c) => [refKey(c.parent)],
    child: (c) => [refKey(c.child)],
  });
  private readonly views = new KeyedList<{ view: RelationRef; reads: RelationRef[] }, "view" | "reads">({
    view: (v) => [refKey(v.view)],
    reads: (v) => [...new Set(v.reads.map(refKey))],
  });

  static from(statements: readonly SqlStatement[]): SchemaFacts {
    const facts = new SchemaFacts();
    for (const statement of statements) facts.learn(statement);
    return facts;
  }

  // --- questions the model asks

  foreignKeysFrom(table: RelationRef): ForeignKeyFact[] {
    return [...this.foreignKeys.get("table", refKey(table))];
  }

  foreignKeysTo(table: RelationRef): ForeignKeyFact[] {
    return this.foreignKeys.get("references", refKey(table)).filter((fk) => !sameRelation(fk.table, table));
  }

  foreignKey(table: RelationRef, name: string): ForeignKeyFact | undefined {
    return this.foreignKeys.get("table", refKey(table)).find((fk) => fk.name === name);
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
    const create = unwrap(node, "CreateStmt");
    if (create) return this.learnCreateTable(create);
    const alter = unwrap(node, "AlterTableStmt");
    if (alter) return this.learnAlterTable(alter);
    const index = unwrap(node, "IndexStmt");
    if (index) return this.learnIndex(index);
    const drop = unwrap(node, "DropStmt");
    if (drop) return this.learnDrop(drop);
    const view = unwrap(node, "ViewStmt");
    if (view) return this.learnView(refOf(view.view), view.query);
    const tableAs = unwrap(node, "CreateTableAsStmt");
    if (tableAs?.objtype === "OBJECT_MATVIEW") return this.learnView(refOf(tableAs.into?.rel), tableAs.query);
    const rename = unwrap(node, "RenameStmt");
    if (rename) return this.learnRename(rename.renameType, refOf(rename.relation), rename.newname);
    const schema = unwrap(node, "CreateSchemaStmt");
    for (const element of schema?.schemaElts ?? []) this.learnNode(element);
  }

  private table(ref: RelationRef): TableFact | undefined {
    return this.tables.get("ref", refKey(ref))[0];
  }

  private addColumn(table: RelationRef, column: ColumnDef): void {
    const fact = this.table(table);
    if (fact && column.colname) fact.columns.set(column.colname, columnType(column.typeName));
    for (const constraint of constraintsOf(column.constraints)) {
      this.learnConstraint(table, constraint, column.colname ? [column.colname] : []);
    }
  }

  private learnCreateTable(create: CreateStmt): void {
    const table = refOf(create.relation);
    if (!table) return;
    this.tables.push({ ref: table, partitioned: create.partspec !== undefined, columns: new Map() });
    for (const element of create.tableElts ?? []) {
      const column = unwrap(element, "ColumnDef");
      if (column) this.addColumn(table, column);
      const constraint = unwrap(element, "Constraint");
      if (constraint) this.learnConstraint(table, constraint, []);
      const like = refOf(unwrap(element, "TableLikeClause")?.relation);
      const source = like && this.table(like);
      if (source) for (const [name, type] of source.columns) this.table(table)?.columns.set(name, type);
    }
    for (const parent of (create.inhRelations ?? []).map((n) => refOf(unwrap(n, "RangeVar")))) {
      if (!parent) continue;
      const isDefault = create.partbound?.is_default === true;
      this.children.push({ child: table, parent, partition: create.partbound !== undefined, isDefault });
      const columns = this.table(parent)?.columns;
      if (columns) for (const [name, type] of columns) this.table(table)?.columns.set(name, type);
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
    for (const cmd of alterCommands(alter)) {
      const column = unwrap(cmd.def, "ColumnDef");
      const partition = refOf(unwrap(cmd.def, "PartitionCmd")?.name);
      switch (cmd.subtype) {
        case "AT_AddColumn":
          if (column) this.addColumn(table, column);
          break;
        case "AT_AlterColumnType":
          if (column && cmd.name) this.table(table)?.columns.set(cmd.name, columnType(column.typeName));
          break;
        case "AT_DropColumn":
          if (cmd.name) this.dropColumn(table, cmd.name);
          break;
        case "AT_AddConstraint": {
          const constraint = unwrap(cmd.def, "Constraint");
          if (constraint) this.learnConstraint(table, constraint, []);
          break;
        }
        case "AT_DropConstraint":
          this.foreignKeys.removeWhere((fk) => sameRelation(fk.table, table) && fk.name === cmd.name);
          this.indexes.removeWhere((i) => sameRelation(i.table, table) && i.index.relation === cmd.name);
          break;
        case "AT_AttachPartition":
          if (partition) this.children.push({ child: partition, parent: table, partition: true, isDefault: unwrap(cmd.def, "PartitionCmd")?.bound?.is_default === true });
          break;
        case "AT_DetachPartition":
          if (partition) this.children.removeWhere((c) => sameRelation(c.child, partition));
          break;
        case "AT_AddInherit": {
          const parent = refOf(unwrap(cmd.def, "RangeVar"));
          if (parent) this.children.push({ child: table, parent, partition: false, isDefault: false });
          break;
        }
        case "AT_DropInherit":
          this.children.removeWhere((c) => sameRelation(c.child, table));
          break;
        default:
          break;
      }
    }
  }

  private dropColumn(table: RelationRef, column: string): void {
    this.table(table)?.columns.delete(column);
    this.foreignKeys.removeWhere((fk) => sameRelation(fk.table, table) && fk.columns.includes(column));
  }

  private learnIndex(index: IndexStmt): void {
    const table = refOf(index.relation);
    if (!table) return;
    const columns = (index.indexParams ?? []).map((p) => unwrap(p, "IndexElem")?.name ?? "expr");
    const name = index.idxname ?? `${table.relation}_${columns.join("_")}_idx`;
    this.indexes.push({ index: table.schema ? { relation: name, schema: table.schema } : { relation: name }, table });
  }

  private learnView(view: RelationRef | undefined, query: Node | undefined): void {
    if (!view) return;
    const reads = readRelations(query).map((r) => r.ref);
    this.views.removeWhere((v) => sameRelation(v.view, view));
    this.views.push({ view, reads });
  }

  private learnDrop(drop: DropStmt): void {
    for (const ref of dropTargets(drop)) {
      switch (drop.removeType) {
        case "OBJECT_TABLE":
        case "OBJECT_FOREIGN_TABLE":
          this.tables.removeWhere((t) => sameRelation(t.ref, ref));
          this.foreignKeys.removeWhere((fk) => sameRelation(fk.table, ref) || sameRelation(fk.references, ref));
          this.indexes.removeWhere((i) => sameRelation(i.table, ref));
          this.children.removeWhere((c) => sameRelation(c.child, ref) || sameRelation(c.parent, ref));
          this.views.removeWhere((v) => sameRelation(v.view, ref));
          break;
        case "OBJECT_VIEW":
        case "OBJECT_MATVIEW":
          this.views.removeWhere((v) => sameRelation(v.view, ref));
          break;
        case "OBJECT_INDEX":
          this.indexes.removeWhere((i) => sameRelation(i.index, ref));
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

  private renameIndex(from: RelationRef, to: string): void {
    const entry = this.indexes.get("index", refKey(from))[0];
    if (!entry) return;
    entry.index = from.schema ? { relation: to, schema: from.schema } : { relation: to };
    this.indexes.rebuild();
  }

}

// ---------------------------------------------------------------------------------------------
// Accumulating one statement's locks

interface LockOptions {
  reason?: string;
  created?: boolean;
  conditional?: boolean;
  unused?: boolean;
  indexes?: LockMode;
}

class LockSet {
  private readonly locks = new Map<string, RelationLock>();
  rewrites = false;
  scans = false;
  transactional = true;
  readonly notes: string[] = [];

  constructor(readonly facts: SchemaFacts | undefined) {}

  /** Adds a lock, or strengthens the one already there (the first added stays first). */
  add(ref: RelationRef | undefined, mode: LockMode, options: LockOptions = {}): void {
    if (!ref) return;
    const key = refKey(ref);
    const existing = this.locks.get(key);
    if (!existing) {
      this.locks.set(key, { ...ref, mode, ...definedOnly(options) });
      return;
    }
    const stronger = LOCK_MODES.indexOf(mode) > LOCK_MODES.indexOf(existing.mode);
    const equal = mode === existing.mode;
    // The stronger lock decides whether the merged one is conditional; equal ones are conditional only if both are.
    let conditional = existing.conditional === true;
    if (stronger) conditional = options.conditional === true;
    else if (equal) conditional &&= options.conditional === true;
    const merged: RelationLock = { ...existing, mode: strongerLock(existing.mode, mode) };
    delete merged.conditional;
    if (conditional) merged.conditional = true;
    if (options.created) merged.created = true;
    if (!merged.reason && options.reason) merged.reason = options.reason;
    if (options.indexes) merged.indexes = merged.indexes ? strongerLock(merged.indexes, options.indexes) : options.indexes;
    this.locks.set(key, merged);
  }

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  result(): StatementLocks {
    const result: StatementLocks = { locks: [...this.locks.values()], rewrites: this.rewrites, scans: this.scans, transactional: this.transactional };
    if (this.notes.length > 0) result.notes = [...this.notes];
    return result;
  }
}

function definedOnly(options: LockOptions): LockOptions {
  const out: LockOptions = {};
  if (options.reason) out.reason = options.reason;
  if (options.created) out.created = true;
  if (options.conditional) out.conditional = true;
  if (options.unused) out.unused = true;
  if (options.indexes) out.indexes = options.indexes;
  return out;
}

/** Locks every partition and inheritance child of `table` too (statements without ONLY recurse). */
function addDescendants(out: LockSet, table: RelationRef | undefined, mode: LockMode, conditional = false): void {
  if (!table || !out.facts) return;
  for (const child of out.facts.descendantsOf(table)) {
    const reason = `${child.partition ? "partition" : "child table"} of ${child.parent.relation}`;
    out.add(child.child, mode, { reason, conditional });
  }
}

// ---------------------------------------------------------------------------------------------
// Queries and DML: SELECT, INSERT, UPDATE, DELETE, MERGE, COPY

interface ReadRelation {
  ref: RelationRef;
  mode: LockMode;
  rangeVar: RangeVar;
}

/** The relations a query reads, with ROW SHARE for those under FOR UPDATE/SHARE. CTE names are not relations. */
function readRelations(query: unknown): ReadRelation[] {
  const ctes = new Set(findAll(query, "ctename").filter((n): n is string => typeof n === "string"));
  const found: ReadRelation[] = [];
  const visit = (value: unknown, mode: LockMode): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item, mode);
      return;
    }
    if (!isObject(value)) return;
    for (const [key, body] of Object.entries(value)) {
      if (key === "lockingClause" || key === "relation") continue; // handled by their owners
      if (key === "RangeVar" && isObject(body)) {
        const rangeVar = body as RangeVar;
        const ref = refOf(rangeVar);
        if (ref && !(rangeVar.schemaname === undefined && ctes.has(ref.relation))) found.push({ ref, mode, rangeVar });
      } else if (key === "SelectStmt") {
        visitSelect(body as SelectStmt, mode);
      } else {
        visit(body, mode);
      }
    }
  };
  const visitSelect = (select: SelectStmt, mode: LockMode): void => {
    const locking = (select.lockingClause ?? []).map((n) => unwrap(n, "LockingClause")).filter((c) => c !== undefined);
    const { fromClause, larg, rarg, ...rest } = select;
    if (larg) visitSelect(larg, mode); // UNION / INTERSECT / EXCEPT branches
    if (rarg) visitSelect(rarg, mode);
    visit(rest, mode);
    if (locking.length === 0) return visit(fromClause, mode);
    const named = new Set(locking.flatMap((c) => (c.lockedRels ?? []).map((r) => unwrap(r, "RangeVar")?.relname ?? "")));
    const everything = locking.some((c) => (c.lockedRels ?? []).length === 0);
    const start = found.length;
    visit(fromClause, everything ? "RowShareLock" : mode);
    if (everything) return;
    for (const read of found.slice(start)) {
      const name = read.rangeVar.alias?.aliasname ?? read.rangeVar.relname ?? "";
      if (named.has(name)) read.mode = "RowShareLock";
    }
  };
  visit(query, "AccessShareLock");
  return found;
}

function addReads(out: LockSet, query: unknown): void {
  for (const read of readRelations(query)) {
    out.add(read.ref, read.mode);
    if (recurses(read.rangeVar)) addDescendants(out, read.ref, read.mode, true);
  }
}

/** Nested data-modifying statements (in CTEs) lock their own targets. */
function addNestedWrites(out: LockSet, query: unknown): void {
  for (const kind of ["InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"] as const) {
    for (const body of findAll(query, kind)) addNode(out, { [kind]: body } as Node);
  }
}

const FK_TRIGGER_MODE: Record<string, LockMode> = { a: "RowShareLock", r: "RowShareLock", c: "RowExclusiveLock", n: "RowExclusiveLock", d: "RowExclusiveLock" };

/** Rows inserted into (or keys updated in) a referencing table are checked against the referenced table. */
function addForeignKeyChecks(out: LockSet, table: RelationRef, changedColumns: string[] | "all"): void {
  for (const fk of out.facts?.foreignKeysFrom(table) ?? []) {
    if (changedColumns !== "all" && !fk.columns.some((c) => changedColumns.includes(c))) continue;
    out.add(fk.references, "RowShareLock", { reason: `foreign key check from ${table.relation} (${fk.name})`, conditional: true });
  }
}

/** Deleting rows of (or changing keys in) a referenced table runs the foreign keys' actions on the referencing tables. */
function addReferencingActions(out: LockSet, table: RelationRef, action: "delete" | { updated: string[] | "all" }, seen = new Set<string>()): void {
  seen.add(refKey(table));
  for (const fk of out.facts?.foreignKeysTo(table) ?? []) {
    if (action !== "delete" && action.updated !== "all" && !fk.referencedColumns.some((c) => action.updated.includes(c)) && fk.referencedColumns.length > 0) continue;
    const kind = action === "delete" ? fk.onDelete : fk.onUpdate;
    const mode = FK_TRIGGER_MODE[kind] ?? "RowShareLock";
    out.add(fk.table, mode, { reason: `references ${table.relation} (${fk.name}): checked or changed with it`, conditional: true });
    if (kind === "c" && action === "delete" && !seen.has(refKey(fk.table))) addReferencingActions(out, fk.table, "delete", seen);
  }
}

function updatedColumns(targetList: readonly Node[] | undefined): string[] {
  return (targetList ?? []).map((t) => unwrap(t, "ResTarget")?.name ?? "").filter((n) => n !== "");
}

function addDmlTarget(out: LockSet, rangeVar: RangeVar | undefined): RelationRef | undefined {
  const target = refOf(rangeVar);
  out.add(target, "RowExclusiveLock");
  if (recurses(rangeVar)) addDescendants(out, target, "RowExclusiveLock", true);
  return target;
}

function insertLocks(out: LockSet, insert: NodeBody<"InsertStmt">): void {
  const target = addDmlTarget(out, insert.relation);
  addReads(out, insert); // its `relation` (the target) is skipped by readRelations
  addNestedWrites(out, insert.withClause);
  if (target) addForeignKeyChecks(out, target, "all");
  if (target && insert.onConflictClause?.action === "ONCONFLICT_UPDATE") {
    addReferencingActions(out, target, { updated: updatedColumns(insert.onConflictClause.targetList) });
  }
}

function updateLocks(out: LockSet, update: NodeBody<"UpdateStmt">): void {
  const target = addDmlTarget(out, update.relation);
  addReads(out, update); // its `relation` (the target) is skipped by readRelations
  addNestedWrites(out, update.withClause);
  if (!update.whereClause) out.scans = true;
  if (!target) return;
  const columns = updatedColumns(update.targetList);
  addForeignKeyChecks(out, target, columns);
  addReferencingActions(out, target, { updated: columns });
}

function deleteLocks(out: LockSet, del: NodeBody<"DeleteStmt">): void {
  const target = addDmlTarget(out, del.relation);
  addReads(out, del); // its `relation` (the target) is skipped by readRelations
  addNestedWrites(out, del.withClause);
  if (!del.whereClause) out.scans = true;
  if (target) addReferencingActions(out, target, "delete");
}

function mergeLocks(out: LockSet, merge: NodeBody<"MergeStmt">): void {
  const target = addDmlTarget(out, merge.relation);
  addReads(out, merge); // its `relation` (the target) is skipped by readRelations
  addNestedWrites(out, merge.withClause);
  if (!target) return;
  const commands = (merge.mergeWhenClauses ?? []).map((c) => unwrap(c, "MergeWhenClause")?.commandType);
  if (commands.includes("CMD_INSERT") || commands.includes("CMD_UPDATE")) addForeignKeyChecks(out, target, "all");
  if (commands.includes("CMD_UPDATE")) addReferencingActions(out, target, { updated: "all" });
  if (commands.includes("CMD_DELETE")) addReferencingActions(out, target, "delete");
}

function selectLocks(out: LockSet, select: SelectStmt): void {
  const into = select.intoClause?.rel;
  if (into) out.add(refOf(into), "AccessExclusiveLock", { created: true });
  addReads(out, { SelectStmt: select });
  addNestedWrites(out, select.withClause);
}

function copyLocks(out: LockSet, copy: NodeBody<"CopyStmt">): void {
  const table = refOf(copy.relation);
  if (copy.is_from) {
    addDmlTarget(out, copy.relation);
    if (table) addForeignKeyChecks(out, table, "all");
  } else if (table) {
    out.add(table, "AccessShareLock");
  }
  addReads(out, copy.query);
}

// ---------------------------------------------------------------------------------------------
// CREATE TABLE, CREATE TABLE AS, CREATE VIEW, CREATE MATERIALIZED VIEW

function constraintsOf(nodes: readonly Node[] | undefined): Constraint[] {
  return (nodes ?? []).map((n) => unwrap(n, "Constraint")).filter((c): c is Constraint => c !== undefined);
}

function addReferencedTable(out: LockSet, constraint: Constraint, from: RelationRef | undefined, what: string): void {
  const references = refOf(constraint.pktable);
  if (!references || (from && sameRelation(references, from))) return;
  out.add(references, "ShareRowExclusiveLock", { reason: `referenced by ${what}` });
}

function createTableLocks(out: LockSet, create: CreateStmt): void {
  const table = refOf(create.relation);
  out.add(table, "AccessExclusiveLock", { created: true });
  const parents = (create.inhRelations ?? []).map((n) => refOf(unwrap(n, "RangeVar")));
  for (const parent of parents) {
    if (!parent) continue;
    if (!create.partbound) {
      out.add(parent, "ShareUpdateExclusiveLock", { reason: "parent of the new table (INHERITS)" });
      continue;
    }
    out.add(parent, "AccessExclusiveLock", { reason: "partitioned table the new partition joins" });
    const fallback = out.facts?.defaultPartitionOf(parent);
    if (fallback) {
      out.add(fallback, "AccessExclusiveLock", { reason: `default partition of ${parent.relation}: scanned for rows that belong to the new partition` });
      out.scans = true;
    } else if (!out.facts) {
      out.note(`If ${parent.relation} has a default partition, it is locked ACCESS EXCLUSIVE and scanned too.`);
    }
  }
  for (const element of create.tableElts ?? []) {
    const column = unwrap(element, "ColumnDef");
    for (const constraint of constraintsOf(column?.constraints)) {
      if (constraint.contype === "CONSTR_FOREIGN") addReferencedTable(out, constraint, table, `the new table's foreign key`);
    }
    const constraint = unwrap(element, "Constraint");
    if (constraint?.contype === "CONSTR_FOREIGN") addReferencedTable(out, constraint, table, `the new table's foreign key`);
    const like = refOf(unwrap(element, "TableLikeClause")?.relation);
    if (like) out.add(like, "AccessShareLock", { reason: "copied by LIKE" });
  }
}

function createTableAsLocks(out: LockSet, create: NodeBody<"CreateTableAsStmt">): void {
  out.add(refOf(create.into?.rel), "AccessExclusiveLock", { created: true });
  addReads(out, create.query);
}

function viewLocks(out: LockSet, view: NodeBody<"ViewStmt">): void {
  // CREATE OR REPLACE VIEW usually replaces an existing view: ACCESS EXCLUSIVE on it.
  out.add(refOf(view.view), "AccessExclusiveLock", view.replace ? {} : { created: true });
  addReads(out, view.query);
}

// ---------------------------------------------------------------------------------------------
// ALTER TABLE (and ALTER INDEX / VIEW / MATERIALIZED VIEW / SEQUENCE, which share its node)

const SUE: LockMode = "ShareUpdateExclusiveLock";
const SRE: LockMode = "ShareRowExclusiveLock";

/**
 * The lock each ALTER TABLE subcommand takes on the table (Postgres's AlterTableGetLockLevel,
 * checked against pg_locks on Postgres 18). Anything not listed takes ACCESS EXCLUSIVE.
 * ADD CONSTRAINT and SET (…) depend on their argument: see `alterCommandMode`.
 */
const ALTER_TABLE_MODES: Partial<Record<AlterTableType, LockMode>> = {
  AT_SetStatistics: SUE,
  AT_SetOptions: SUE,
  AT_ResetOptions: SUE,
  AT_ValidateConstraint: SUE,
  AT_ClusterOn: SUE,
  AT_DropCluster: SUE,
  AT_SetRelOptions: SUE,
  AT_ResetRelOptions: SUE,
  AT_ReplaceRelOptions: SUE,
  AT_AttachPartition: SUE,
  AT_DetachPartitionFinalize: SUE,
  AT_ReAddStatistics: SUE,
  AT_EnableTrig: SRE,
  AT_EnableAlwaysTrig: SRE,
  AT_EnableReplicaTrig: SRE,
  AT_DisableTrig: SRE,
  AT_EnableTrigAll: SRE,
  AT_DisableTrigAll: SRE,
  AT_EnableTrigUser: SRE,
  AT_DisableTrigUser: SRE,
};

/** Subcommands that do not recurse to partitions and inheritance children. */
const NON_RECURSIVE = new Set<AlterTableType>([
  "AT_ChangeOwner",
  "AT_EnableRowSecurity",
  "AT_DisableRowSecurity",
  "AT_ForceRowSecurity",
  "AT_NoForceRowSecurity",
  "AT_ReplicaIdentity",
  "AT_SetRelOptions",
  "AT_ResetRelOptions",
  "AT_ReplaceRelOptions",
  "AT_ClusterOn",
  "AT_DropCluster",
  "AT_SetTableSpace",
  "AT_SetAccessMethod",
  "AT_SetLogged",
  "AT_SetUnLogged",
  "AT_AttachPartition",
  "AT_DetachPartition",
  "AT_DetachPartitionFinalize",
  "AT_AddInherit",
  "AT_DropInherit",
  "AT_AddOf",
  "AT_DropOf",
  "AT_GenericOptions",
  "AT_EnableRule",
  "AT_EnableAlwaysRule",
  "AT_EnableReplicaRule",
  "AT_DisableRule",
]);

/** Storage parameters that take ACCESS EXCLUSIVE; every other one (fillfactor, autovacuum_*, …) takes SHARE UPDATE EXCLUSIVE. */
const EXCLUSIVE_OPTIONS = new Set(["user_catalog_table", "security_barrier", "security_invoker", "check_option"]);

/** Subcommands that rewrite the table whatever their arguments. */
const REWRITING = new Set<AlterTableType>(["AT_SetLogged", "AT_SetUnLogged", "AT_SetAccessMethod", "AT_SetTableSpace", "AT_SetExpression"]);

function alterCommands(alter: AlterTableStmt): AlterTableCmd[] {
  return (alter.cmds ?? []).map((c) => unwrap(c, "AlterTableCmd")).filter((c): c is AlterTableCmd => c !== undefined);
}

function alterCommandMode(cmd: AlterTableCmd, objtype: ObjectType | undefined): LockMode {
  switch (cmd.subtype) {
    case "AT_AddConstraint":
      return unwrap(cmd.def, "Constraint")?.contype === "CONSTR_FOREIGN" ? SRE : "AccessExclusiveLock";
    case "AT_DetachPartition":
      return unwrap(cmd.def, "PartitionCmd")?.concurrent ? SUE : "AccessExclusiveLock";
    case "AT_SetRelOptions":
    case "AT_ResetRelOptions":
    case "AT_ReplaceRelOptions": {
      const names = defElems(unwrap(cmd.def, "List")?.items).map((d) => d.defname ?? "");
      const exclusive = objtype === "OBJECT_VIEW" || names.some((n) => EXCLUSIVE_OPTIONS.has(n));
      return exclusive ? "AccessExclusiveLock" : SUE;
    }
    default:
      return (cmd.subtype && ALTER_TABLE_MODES[cmd.subtype]) ?? "AccessExclusiveLock";
  }
}

/** Functions whose value differs per row: a column added with one as its default is written into every row. */
export const VOLATILE_FUNCTIONS: ReadonlySet<string> = new Set([
  "clock_timestamp",
  "timeofday",
  "random",
  "random_normal",
  "gen_random_uuid",
  "uuidv4",
  "uuidv7",
  "uuid_generate_v1",
  "uuid_generate_v1mc",
  "uuid_generate_v4",
  "nextval",
  "setseed",
  "txid_current",
]);

function hasVolatileCall(expr: Node | undefined): boolean {
  return findAll(expr, "FuncCall").some((call) => {
    const names = strings((call as { funcname?: Node[] }).funcname);
    return VOLATILE_FUNCTIONS.has((names[names.length - 1] ?? "").toLowerCase());
  });
}

/**
 * Whether ADD COLUMN rewrites the table: a volatile default (including serial's nextval and
 * identity), or a stored generated column. A constant default, now() and other STABLE calls are
 * stored once in the catalog (Postgres 11+). Functions not known to be volatile are assumed not
 * to be, so a user-defined VOLATILE default is missed.
 */
function addColumnRewrites(column: ColumnDef): boolean {
  if (SERIAL_TYPES.has(typeNameOf(column.typeName))) return true;
  return constraintsOf(column.constraints).some((c) => {
    if (c.contype === "CONSTR_IDENTITY") return true;
    if (c.contype === "CONSTR_GENERATED") return c.generated_kind !== "v";
    if (c.contype === "CONSTR_DEFAULT") return hasVolatileCall(c.raw_expr);
    return false;
  });
}

/**
 * ADD COLUMN constraints that read every row: CHECK, UNIQUE, PRIMARY KEY, NOT NULL without a
 * default, and a FOREIGN KEY when the column gets a default (a column of NULLs needs no check).
 */
function addColumnScans(column: ColumnDef): boolean {
  const constraints = constraintsOf(column.constraints);
  const hasDefault = constraints.some((c) => c.contype === "CONSTR_DEFAULT" || c.contype === "CONSTR_IDENTITY" || c.contype === "CONSTR_GENERATED");
  return constraints.some((c) => {
    if (c.contype === "CONSTR_NOTNULL") return !hasDefault;
    if (c.contype === "CONSTR_FOREIGN") return hasDefault && c.skip_validation !== true;
    if (c.contype === "CONSTR_CHECK") return c.skip_validation !== true;
    return c.contype === "CONSTR_PRIMARY" || c.contype === "CONSTR_UNIQUE" || c.contype === "CONSTR_EXCLUSION";
  });
}

function usingIsPlainColumn(using: Node | undefined, column: string): boolean {
  if (!using) return true;
  const fields = strings(unwrap(using, "ColumnRef")?.fields);
  return fields.length > 0 && fields[fields.length - 1] === column;
}

function alterColumnType(out: LockSet, table: RelationRef, cmd: AlterTableCmd): void {
  const column = cmd.name ?? "";
  const def = unwrap(cmd.def, "ColumnDef");
  const from = out.facts?.columnTypeOf(table, column);
  if (!usingIsPlainColumn(def?.raw_default, column)) out.rewrites = true;
  else if (from) out.rewrites ||= typeChangeRewrites(from, columnType(def?.typeName));
  else {
    out.rewrites = true;
    out.note(
      `${table.relation}.${column}'s current type is not known: assumed the type change rewrites the table ` +
        "(no rewrite for varchar(n) → varchar(m ≥ n) or text, numeric(p,s) → numeric(p2 ≥ p, s), cidr → inet).",
    );
  }
  // A foreign key on the column (or pointing at it) is dropped and re-created with the new type.
  const facts = out.facts;
  if (!facts) {
    out.note(`If ${table.relation}.${column} is in a foreign key, the table at its other end is locked ACCESS EXCLUSIVE too.`);
    return;
  }
  for (const fk of facts.foreignKeysFrom(table).filter((f) => f.columns.includes(column))) {
    out.add(fk.references, "AccessExclusiveLock", { reason: `referenced by ${fk.name}, which is re-created for the new type` });
  }
  for (const fk of facts.foreignKeysTo(table).filter((f) => f.referencedColumns.includes(column))) {
    out.add(fk.table, "AccessExclusiveLock", { reason: `its foreign key ${fk.name} is re-created for the new type` });
  }
}

function addConstraint(out: LockSet, table: RelationRef, constraint: Constraint): void {
  switch (constraint.contype) {
    case "CONSTR_FOREIGN":
      addReferencedTable(out, constraint, table, "the new foreign key");
      if (constraint.skip_validation !== true) out.scans = true;
      return;
    case "CONSTR_CHECK":
    case "CONSTR_NOTNULL":
      if (constraint.skip_validation !== true) out.scans = true;
      return;
    case "CONSTR_PRIMARY":
      out.scans = true; // an index build, or with USING INDEX a NOT NULL check of the key columns
      if (constraint.indexname) out.note("ADD PRIMARY KEY USING INDEX scans the table unless its columns are already NOT NULL.");
      return;
    case "CONSTR_UNIQUE":
    case "CONSTR_EXCLUSION":
      if (!constraint.indexname) out.scans = true;
      return;
    default:
      return;
  }
}

function dropConstraint(out: LockSet, table: RelationRef, cmd: AlterTableCmd): void {
  const name = cmd.name ?? "";
  const fk = out.facts?.foreignKey(table, name);
  if (fk) out.add(fk.references, "AccessExclusiveLock", { reason: `referenced by the dropped foreign key ${fk.name}` });
  else if (!out.facts) out.note(`If ${name} is a foreign key, the table it references is locked ACCESS EXCLUSIVE too (its triggers are removed).`);
  if (cmd.behavior === "DROP_CASCADE") out.note(`CASCADE also drops foreign keys that depend on ${name}, locking their tables ACCESS EXCLUSIVE.`);
}

function dropColumn(out: LockSet, table: RelationRef, cmd: AlterTableCmd): void {
  const column = cmd.name ?? "";
  const facts = out.facts;
  if (!facts) {
    out.note(`If ${table.relation}.${column} is in a foreign key, the table at its other end is locked ACCESS EXCLUSIVE too.`);
    return;
  }
  for (const fk of facts.foreignKeysFrom(table).filter((f) => f.columns.includes(column))) {
    out.add(fk.references, "AccessExclusiveLock", { reason: `referenced by ${fk.name}, dropped with the column` });
  }
  if (cmd.behavior !== "DROP_CASCADE") return;
  for (const fk of facts.foreignKeysTo(table).filter((f) => f.referencedColumns.includes(column))) {
    out.add(fk.table, "AccessExclusiveLock", { reason: `its foreign key ${fk.name} is dropped by CASCADE` });
  }
}

function attachPartition(out: LockSet, parent: RelationRef, cmd: AlterTableCmd): void {
  const partition = refOf(unwrap(cmd.def, "PartitionCmd")?.name);
  out.add(partition, "AccessExclusiveLock", { reason: `partition being attached to ${parent.relation}: its rows are checked against the bound` });
  out.scans = true;
  out.note("ATTACH PARTITION skips the scan when a validated CHECK constraint on the partition implies the bound.");
  const fallback = out.facts?.defaultPartitionOf(parent);
  if (fallback) out.add(fallback, "AccessExclusiveLock", { reason: `default partition of ${parent.relation}: checked for rows of the new bound` });
}

function detachPartition(out: LockSet, parent: RelationRef, cmd: AlterTableCmd): void {
  const partitionCmd = unwrap(cmd.def, "PartitionCmd");
  const partition = refOf(partitionCmd?.name);
  if (partitionCmd?.concurrent) {
    out.transactional = false;
    out.add(partition, SUE, { reason: `partition being detached from ${parent.relation}` });
    return;
  }
  out.add(partition, "AccessExclusiveLock", { reason: `partition being detached from ${parent.relation}` });
  const fallback = out.facts?.defaultPartitionOf(parent);
  if (fallback && partition && !sameRelation(fallback, partition)) {
    out.add(fallback, "AccessExclusiveLock", { reason: `default partition of ${parent.relation}` });
  }
}

function validateConstraint(out: LockSet, table: RelationRef, cmd: AlterTableCmd): void {
  out.scans = true;
  const fk = out.facts?.foreignKey(table, cmd.name ?? "");
  if (fk) out.add(fk.references, "RowShareLock", { reason: `referenced by ${fk.name}, which is being validated` });
}

/** The effects of one subcommand beyond the table's own lock. */
function alterTableCommand(out: LockSet, table: RelationRef, cmd: AlterTableCmd): void {
  const column = unwrap(cmd.def, "ColumnDef");
  if (cmd.subtype && REWRITING.has(cmd.subtype)) out.rewrites = true;
  switch (cmd.subtype) {
    case "AT_AddColumn":
      if (!column) return;
      out.rewrites ||= addColumnRewrites(column);
      out.scans ||= addColumnScans(column);
      for (const c of constraintsOf(column.constraints)) {
        if (c.contype === "CONSTR_FOREIGN") addReferencedTable(out, c, table, "the new column's foreign key");
      }
      return;
    case "AT_AlterColumnType":
      return alterColumnType(out, table, cmd);
    case "AT_SetNotNull":
      out.scans = true;
      out.note("SET NOT NULL skips the scan when a validated CHECK (column IS NOT NULL) constraint exists.");
      return;
    case "AT_AddConstraint": {
      const constraint = unwrap(cmd.def, "Constraint");
      if (constraint) addConstraint(out, table, constraint);
      return;
    }
    case "AT_AddIndexConstraint":
      return;
    case "AT_ValidateConstraint":
      return validateConstraint(out, table, cmd);
    case "AT_DropConstraint":
      return dropConstraint(out, table, cmd);
    case "AT_DropColumn":
      return dropColumn(out, table, cmd);
    case "AT_AttachPartition":
      return attachPartition(out, table, cmd);
    case "AT_DetachPartition":
      return detachPartition(out, table, cmd);
    case "AT_AddInherit":
      out.add(refOf(unwrap(cmd.def, "RangeVar")), SUE, { reason: "new parent (INHERIT)" });
      return;
    case "AT_DropInherit":
      out.add(refOf(unwrap(cmd.def, "RangeVar")), "AccessShareLock", { reason: "former parent (NO INHERIT)" });
      return;
    default:
      return;
  }
}

function alterTableLocks(out: LockSet, alter: AlterTableStmt): void {
  const table = refOf(alter.relation);
  if (!table) return;
  if (alter.objtype === "OBJECT_TYPE") return; // ALTER TYPE of a composite type: no table
  const cmds = alterCommands(alter);
  let mode: LockMode = "AccessShareLock";
  let childMode: LockMode | undefined;
  for (const cmd of cmds) {
    const cmdMode = alterCommandMode(cmd, alter.objtype);
    mode = strongerLock(mode, cmdMode);
    if (cmd.subtype && !NON_RECURSIVE.has(cmd.subtype)) childMode = childMode ? strongerLock(childMode, cmdMode) : cmdMode;
  }
  out.add(table, mode);
  for (const cmd of cmds) alterTableCommand(out, table, cmd);
  if (childMode && recurses(alter.relation)) addDescendants(out, table, childMode);
}

// ---------------------------------------------------------------------------------------------
// Indexes: CREATE INDEX, DROP INDEX, REINDEX

function indexRef(table: RelationRef | undefined, name: string | undefined): RelationRef | undefined {
  if (!name) return undefined;
  return table?.schema ? { relation: name, schema: table.schema } : { relation: name };
}

function createIndexLocks(out: LockSet, index: IndexStmt): void {
  const table = refOf(index.relation);
  // ON ONLY a partitioned table creates an invalid index on the parent alone: nothing is built.
  const parentOnly = table !== undefined && !recurses(index.relation) && out.facts?.isPartitioned(table) === true;
  out.scans = !parentOnly;
  if (index.concurrent) {
    out.transactional = false;
    out.add(table, SUE);
  } else {
    out.add(table, "ShareLock");
  }
  out.add(indexRef(table, index.idxname), "AccessExclusiveLock", { created: true });
  if (!table) return;
  if (out.facts?.isPartitioned(table) && index.concurrent) {
    out.note("CREATE INDEX CONCURRENTLY fails on a partitioned table: build each partition's index concurrently, then the parent's ON ONLY and ATTACH them.");
  }
  if (recurses(index.relation)) addDescendants(out, table, index.concurrent ? SUE : "ShareLock");
}

/**
 * DROP INDEX locks the index and its table ACCESS EXCLUSIVE. The statement does not name the
 * table: with facts it is resolved; without, only the index is listed (its ACCESS EXCLUSIVE
 * already says that reads and writes of the table wait) and a note says the table is locked too.
 */
function dropIndex(out: LockSet, drop: DropStmt, index: RelationRef): void {
  const table = out.facts?.tableOfIndex(index);
  if (drop.concurrent) {
    out.transactional = false;
    out.add(index, "AccessExclusiveLock", { unused: true, reason: "taken last, once the index is invalid and no query uses it" });
    out.add(table, SUE, { reason: "table of the dropped index" });
    return;
  }
  out.add(index, "AccessExclusiveLock");
  if (table) out.add(table, "AccessExclusiveLock", { reason: "table of the dropped index" });
  else out.note(`The table of ${index.relation} is locked ACCESS EXCLUSIVE too; the statement does not name it.`);
}

/** REINDEX INDEX: ACCESS EXCLUSIVE on the index and SHARE on its table (resolved from facts only). */
function reindexLocks(out: LockSet, reindex: NodeBody<"ReindexStmt">): void {
  const concurrent = optionOn(reindex.params, "concurrently");
  const target = refOf(reindex.relation);
  out.scans = true;
  if (concurrent) out.transactional = false;
  switch (reindex.kind) {
    case "REINDEX_OBJECT_INDEX": {
      const table = target && out.facts?.tableOfIndex(target);
      out.add(target, concurrent ? SUE : "AccessExclusiveLock");
      if (table) out.add(table, concurrent ? SUE : "ShareLock", { reason: "table of the rebuilt index" });
      else out.note(`The table of ${target?.relation ?? "the index"} is locked ${concurrent ? "SHARE UPDATE EXCLUSIVE" : "SHARE"} too; the statement does not name it.`);
      if (table && out.facts?.isPartitioned(table)) out.transactional = false;
      return;
    }
    case "REINDEX_OBJECT_TABLE": {
      const indexMode: LockMode = concurrent ? SUE : "AccessExclusiveLock";
      out.add(target, concurrent ? SUE : "ShareLock", { indexes: indexMode });
      for (const index of target ? (out.facts?.indexesOf(target) ?? []) : []) {
        out.add(index, indexMode, { reason: `index of ${target?.relation ?? ""}, rebuilt` });
      }
      if (target && out.facts?.isPartitioned(target)) out.transactional = false;
      return;
    }
    default:
      out.transactional = false; // REINDEX SCHEMA / DATABASE / SYSTEM
      out.note("REINDEX SCHEMA/DATABASE/SYSTEM locks every table it reaches, one transaction at a time.");
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// DROP

const DROPPED_RELATIONS = new Set<ObjectType>(["OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_SEQUENCE", "OBJECT_FOREIGN_TABLE", "OBJECT_INDEX"]);
/** Objects that hang off a table: DROP TRIGGER t ON orders locks orders. */
const TABLE_OBJECTS = new Set<ObjectType>(["OBJECT_TRIGGER", "OBJECT_POLICY", "OBJECT_RULE"]);

function dropTargets(drop: DropStmt): RelationRef[] {
  return (drop.objects ?? []).map((o) => refOfNames(listNames(o))).filter((r): r is RelationRef => r !== undefined);
}

/**
 * DROP TABLE locks the table, and through facts: the tables its foreign keys reference (their
 * triggers are removed), its partitions (dropped with it), its partition parent, and with CASCADE
 * the tables whose foreign keys point at it and the views that read it.
 */
function dropTable(out: LockSet, drop: DropStmt, table: RelationRef): void {
  out.add(table, "AccessExclusiveLock");
  const facts = out.facts;
  if (!facts) {
    out.note(`Tables referenced by ${table.relation}'s foreign keys (and, for a partition, its parent) are locked ACCESS EXCLUSIVE too; the statement does not name them.`);
    return;
  }
  for (const fk of facts.foreignKeysFrom(table)) {
    out.add(fk.references, "AccessExclusiveLock", { reason: `referenced by ${table.relation}'s foreign key ${fk.name}, whose triggers are removed` });
  }
  const parent = facts.parentOf(table);
  if (parent?.partition) out.add(parent.parent, "AccessExclusiveLock", { reason: `partitioned table that ${table.relation} leaves` });
  for (const child of facts.descendantsOf(table).filter((c) => c.partition)) {
    out.add(child.child, "AccessExclusiveLock", { reason: `partition of ${child.parent.relation}, dropped with it` });
  }
  if (drop.behavior !== "DROP_CASCADE") return;
  for (const fk of facts.foreignKeysTo(table)) {
    out.add(fk.table, "AccessExclusiveLock", { reason: `its foreign key ${fk.name} is dropped by CASCADE` });
  }
  for (const view of facts.viewsReading(table)) out.add(view, "AccessExclusiveLock", { reason: "reads the table; dropped by CASCADE" });
}

function dropTableObject(out: LockSet, drop: DropStmt, names: string[]): void {
  const table = refOfNames(names.slice(0, -1));
  out.add(table, "AccessExclusiveLock");
  // A row trigger on a partitioned table was cloned to every partition; dropping it drops the clones.
  if (drop.removeType === "OBJECT_TRIGGER" && table && out.facts?.isPartitioned(table)) addDescendants(out, table, "AccessExclusiveLock", true);
}

function dropLocks(out: LockSet, drop: DropStmt): void {
  const type = drop.removeType;
  if (!type) return;
  if (drop.concurrent) out.transactional = false;
  if (TABLE_OBJECTS.has(type)) {
    for (const object of drop.objects ?? []) dropTableObject(out, drop, listNames(object));
    return;
  }
  if (type === "OBJECT_STATISTIC_EXT") {
    out.note("DROP STATISTICS locks its table SHARE UPDATE EXCLUSIVE; the statement does not name it.");
    return;
  }
  if (!DROPPED_RELATIONS.has(type)) {
    if (drop.behavior === "DROP_CASCADE") out.note("CASCADE may drop tables or columns that depend on the dropped objects, and lock them ACCESS EXCLUSIVE.");
    return;
  }
  for (const ref of dropTargets(drop)) {
    if (type === "OBJECT_INDEX") dropIndex(out, drop, ref);
    else if (type === "OBJECT_TABLE" || type === "OBJECT_FOREIGN_TABLE") dropTable(out, drop, ref);
    else {
      out.add(ref, "AccessExclusiveLock");
      if (drop.behavior === "DROP_CASCADE") for (const view of out.facts?.viewsReading(ref) ?? []) out.add(view, "AccessExclusiveLock", { reason: "dropped by CASCADE" });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// TRUNCATE, LOCK TABLE, VACUUM / ANALYZE, CLUSTER, REFRESH

/**
 * TRUNCATE takes ACCESS EXCLUSIVE on each table (and its partitions). With CASCADE every table
 * whose foreign key points at a truncated table is truncated too, transitively: the target's
 * reason says so, and facts name them. TRUNCATE gives the table new, empty storage: nothing is
 * copied, so it is not counted as a rewrite.
 */
function truncateLocks(out: LockSet, truncate: NodeBody<"TruncateStmt">): void {
  const cascade = truncate.behavior === "DROP_CASCADE";
  const rangeVars = (truncate.relations ?? []).map((n) => unwrap(n, "RangeVar")).filter((r): r is RangeVar => r !== undefined);
  for (const rangeVar of rangeVars) {
    const table = refOf(rangeVar);
    const reason = cascade ? "CASCADE: every table with a foreign key to it is truncated and locked ACCESS EXCLUSIVE too" : undefined;
    out.add(table, "AccessExclusiveLock", reason ? { reason } : {});
    if (recurses(rangeVar)) addDescendants(out, table, "AccessExclusiveLock");
  }
  if (!cascade || !out.facts) return;
  const queue = rangeVars.map(refOf).filter((r): r is RelationRef => r !== undefined);
  const seen = new Set(queue.map(refKey));
  for (let table = queue.shift(); table; table = queue.shift()) {
    for (const fk of out.facts.foreignKeysTo(table)) {
      if (seen.has(refKey(fk.table))) continue;
      seen.add(refKey(fk.table));
      queue.push(fk.table);
      out.add(fk.table, "AccessExclusiveLock", { reason: `references ${table.relation} (${fk.name}): truncated by CASCADE` });
    }
  }
}

function lockTableLocks(out: LockSet, lock: NodeBody<"LockStmt">): void {
  const mode = LOCK_MODES[(lock.mode ?? 8) - 1] ?? "AccessExclusiveLock";
  for (const rangeVar of (lock.relations ?? []).map((n) => unwrap(n, "RangeVar"))) {
    const ref = refOf(rangeVar);
    out.add(ref, mode);
    if (!ref || !recurses(rangeVar)) continue;
    addDescendants(out, ref, mode);
    for (const source of out.facts?.viewSources(ref) ?? []) out.add(source, mode, { reason: `read by the view ${ref.relation}` });
  }
}

function vacuumLocks(out: LockSet, vacuum: NodeBody<"VacuumStmt">): void {
  const full = vacuum.is_vacuumcmd === true && optionOn(vacuum.options, "full");
  if (vacuum.is_vacuumcmd) out.transactional = false;
  if (full) out.rewrites = true;
  const mode: LockMode = full ? "AccessExclusiveLock" : SUE;
  const rels = (vacuum.rels ?? []).map((n) => unwrap(n, "VacuumRelation")?.relation);
  if (rels.length === 0) out.note("Without a table name it processes every table of the database.");
  for (const rangeVar of rels) {
    const ref = refOf(rangeVar);
    out.add(ref, mode);
    if (recurses(rangeVar)) addDescendants(out, ref, mode);
  }
}

function clusterLocks(out: LockSet, cluster: NodeBody<"ClusterStmt">): void {
  if (!cluster.relation) {
    out.transactional = false;
    out.note("CLUSTER without a table re-clusters every previously clustered table, each ACCESS EXCLUSIVE.");
    return;
  }
  out.add(refOf(cluster.relation), "AccessExclusiveLock");
  out.rewrites = true;
}

function refreshLocks(out: LockSet, refresh: NodeBody<"RefreshMatViewStmt">): void {
  if (refresh.concurrent) {
    out.add(refOf(refresh.relation), "ExclusiveLock");
    out.scans = true; // the new contents are diffed against the old, row by row
  } else {
    out.add(refOf(refresh.relation), "AccessExclusiveLock");
    out.rewrites = true;
  }
}

// ---------------------------------------------------------------------------------------------
// Renames, comments, triggers, policies, rules, grants, statistics, sequences

const RENAMED_RELATIONS = new Set<ObjectType>(["OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_SEQUENCE", "OBJECT_FOREIGN_TABLE", "OBJECT_INDEX"]);
const RENAMED_ON_TABLE = new Set<ObjectType>(["OBJECT_COLUMN", "OBJECT_TABCONSTRAINT", "OBJECT_TRIGGER", "OBJECT_RULE", "OBJECT_POLICY"]);

function renameLocks(out: LockSet, rename: NodeBody<"RenameStmt">): void {
  const type = rename.renameType;
  if (!type || !(RENAMED_RELATIONS.has(type) || RENAMED_ON_TABLE.has(type))) return;
  const ref = refOf(rename.relation);
  // Renaming an index takes only SHARE UPDATE EXCLUSIVE (Postgres 12+).
  out.add(ref, type === "OBJECT_INDEX" ? SUE : "AccessExclusiveLock");
  if (type === "OBJECT_COLUMN" && recurses(rename.relation)) addDescendants(out, ref, "AccessExclusiveLock");
}

function setSchemaLocks(out: LockSet, move: NodeBody<"AlterObjectSchemaStmt">): void {
  if (move.objectType && RENAMED_RELATIONS.has(move.objectType)) out.add(refOf(move.relation), "AccessExclusiveLock");
}

const COMMENTED_RELATIONS = new Set<ObjectType>(["OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_INDEX", "OBJECT_SEQUENCE", "OBJECT_FOREIGN_TABLE"]);
const COMMENTED_ON_TABLE = new Set<ObjectType>(["OBJECT_TABCONSTRAINT", "OBJECT_TRIGGER", "OBJECT_RULE", "OBJECT_POLICY"]);

/**
 * COMMENT ON and SECURITY LABEL ON a relation or one of its columns: SHARE UPDATE EXCLUSIVE on the
 * relation. On a constraint, trigger, rule or policy: the object itself is locked, its table only
 * ACCESS SHARE.
 */
function commentLocks(out: LockSet, objtype: ObjectType | undefined, object: Node | undefined): void {
  if (!objtype) return;
  const names = listNames(object);
  if (COMMENTED_RELATIONS.has(objtype)) out.add(refOfNames(names), SUE);
  else if (objtype === "OBJECT_COLUMN") out.add(refOfNames(names.slice(0, -1)), SUE);
  else if (COMMENTED_ON_TABLE.has(objtype)) out.add(refOfNames(names.slice(0, -1)), "AccessShareLock");
}

function createTriggerLocks(out: LockSet, trigger: NodeBody<"CreateTrigStmt">): void {
  const table = refOf(trigger.relation);
  out.add(table, SRE);
  // A row trigger on a partitioned table is cloned to every partition.
  if (trigger.row && recurses(trigger.relation)) addDescendants(out, table, SRE);
}

function grantLocks(out: LockSet, grant: NodeBody<"GrantStmt">): void {
  if (grant.objtype !== "OBJECT_TABLE") return;
  if (grant.targtype !== "ACL_TARGET_OBJECT") return;
  // Postgres 18 takes ACCESS SHARE on each table; 15–17 take no table lock.
  for (const object of grant.objects ?? []) out.add(refOf(unwrap(object, "RangeVar")), "AccessShareLock");
}

// ---------------------------------------------------------------------------------------------
// Statements that cannot run in a transaction block, and statements whose locks are unknowable

function notInTransaction(out: LockSet): void {
  out.transactional = false;
}

function bodyUnknown(out: LockSet): void {
  out.note("Locks whatever its body does; the body is not analysed.");
}

// ---------------------------------------------------------------------------------------------
// Dispatch: one function per statement family

type Family<K extends NodeKind> = (out: LockSet, body: NodeBody<K>) => void;

const FAMILIES: { [K in NodeKind]?: Family<K> } = {
  SelectStmt: selectLocks,
  InsertStmt: insertLocks,
  UpdateStmt: updateLocks,
  DeleteStmt: deleteLocks,
  MergeStmt: mergeLocks,
  CopyStmt: copyLocks,
  CreateStmt: createTableLocks,
  CreateTableAsStmt: createTableAsLocks,
  ViewStmt: viewLocks,
  AlterTableStmt: alterTableLocks,
  IndexStmt: createIndexLocks,
  ReindexStmt: reindexLocks,
  DropStmt: dropLocks,
  TruncateStmt: truncateLocks,
  LockStmt: lockTableLocks,
  VacuumStmt: vacuumLocks,
  ClusterStmt: clusterLocks,
  RefreshMatViewStmt: refreshLocks,
  RenameStmt: renameLocks,
  AlterObjectSchemaStmt: setSchemaLocks,
  CommentStmt: (out, c) => commentLocks(out, c.objtype, c.object),
  SecLabelStmt: (out, s) => commentLocks(out, s.objtype, s.object),
  CreateTrigStmt: createTriggerLocks,
  CreatePolicyStmt: (out, p) => out.add(refOf(p.table), "AccessExclusiveLock"),
  AlterPolicyStmt: (out, p) => out.add(refOf(p.table), "AccessExclusiveLock"),
  RuleStmt: (out, r) => out.add(refOf(r.relation), "AccessExclusiveLock"),
  GrantStmt: grantLocks,
  CreateStatsStmt: (out, s) => {
    for (const r of s.relations ?? []) out.add(refOf(unwrap(r, "RangeVar")), SUE);
  },
  CreateSeqStmt: (out, s) => out.add(refOf(s.sequence), "AccessExclusiveLock", { created: true }),
  AlterSeqStmt: (out, s) => out.add(refOf(s.sequence), SRE),
  ExplainStmt: (out, e) => {
    if (e.query) addNode(out, e.query);
  },
  CreateSchemaStmt: (out, s) => {
    for (const element of s.schemaElts ?? []) addNode(out, element);
  },
  CreatedbStmt: notInTransaction,
  DropdbStmt: notInTransaction,
  AlterSystemStmt: notInTransaction,
  CreateTableSpaceStmt: notInTransaction,
  DropTableSpaceStmt: notInTransaction,
  DiscardStmt: (out, d) => {
    if (d.target === "DISCARD_ALL") notInTransaction(out);
  },
  DoStmt: bodyUnknown,
  CallStmt: bodyUnknown,
};

function addNode(out: LockSet, node: Node): void {
  const kind = nodeKind(node);
  if (!kind) return;
  const family = FAMILIES[kind] as Family<NodeKind> | undefined;
  family?.(out, unwrap(node, kind) as NodeBody<NodeKind>);
}

/**
 * The locks one statement takes. Pure: reads the AST, and the facts when given. Statements that
 * lock no table (SET, RESET, BEGIN, COMMIT, SHOW, CREATE EXTENSION, CREATE TYPE, CREATE FUNCTION, …)
 * return no locks.
 */
export function statementLocks(statement: SqlStatement, facts?: SchemaFacts): StatementLocks {
  const out = new LockSet(facts);
  addNode(out, statement.node);
  return out.result();
}

/**
 * The locks of a migration's statements in order, each one seeing the facts learnt from the
 * statements before it (pass the facts of the existing schema, if known, as a start).
 */
export function locksInOrder(statements: readonly SqlStatement[], facts = new SchemaFacts()): StatementLocks[] {
  return statements.map((statement) => {
    const locks = statementLocks(statement, facts);
    facts.learn(statement);
    return locks;
  });
}

/**
 * What ordinary traffic the statement blocks while it holds its locks: reads (plain SELECT) and
 * writes (INSERT/UPDATE/DELETE). Decided by the strongest lock on a relation that already exists;
 * created relations, and indexes no query can use any more, block nobody.
 */
export function statementBlocks(locks: StatementLocks): { reads: boolean; writes: boolean } {
  let strongest: LockMode | undefined;
  for (const lock of locks.locks) {
    if (lock.created || lock.unused) continue;
    const mode = lock.indexes ? strongerLock(lock.mode, lock.indexes) : lock.mode;
    strongest = strongest ? strongerLock(strongest, mode) : mode;
  }
  return strongest ? blockedTraffic(strongest) : { reads: false, writes: false };
}

/** "ACCESS EXCLUSIVE on orders", "SHARE on billing.invoices". */
export function describeLock(lock: RelationLock): string {
  const name = lock.schema ? `${lock.schema}.${lock.relation}` : lock.relation;
  return `${LOCK_MODE_SQL[lock.mode]} on ${name}`;
}
