import type { ColumnDef, Constraint, DropStmt, Node, ObjectType, RangeVar, RenameStmt } from "libpg-query";
import { alterCommandsOf, bodiesOf, bodyOf, constraintsOf, nodeKind, strings } from "./nodes.js";
import { readRelations } from "./query-reads.js";

/**
 * What a statement does to the schema, read from its tree once (eugene's StatementSummary): the
 * objects it creates, drops and renames, the columns and constraints it adds. The engine keeps it on
 * the analysed statement; rules, rollback checks and the report read it instead of the tree.
 *
 * Names are as the parser gives them (unquoted identifiers already folded to lower case), except
 * in `drops` and `renames`, which are lower-cased so that a quoted "Orders" and orders compare.
 */

/** The kinds of object the rules tell apart. */
export type ObjectKind = "table" | "index" | "view" | "sequence" | "type" | "function" | "schema" | "trigger" | "extension";

export interface CreatedObject {
  kind: ObjectKind;
  /** Absent only for an index left for Postgres to name (`CREATE INDEX ON t (c)`). */
  name?: string;
  schema?: string;
  /** Indexes and triggers: the table they belong to. */
  table?: string;
  /** Indexes: the plain columns they cover (expressions left out). */
  columns?: string[];
  unique?: boolean;
  /** CREATE OR REPLACE. */
  replace: boolean;
  ifNotExists: boolean;
  /** CREATE MATERIALIZED VIEW (kind "view"): dropped with DROP MATERIALIZED VIEW, which DROP VIEW refuses. */
  materialized?: boolean;
  /**
   * What it cannot outlive, lower-case names: the relations a view's query reads, the function a
   * trigger runs. DROP … CASCADE of one of them drops it too (Postgres' pg_depend).
   */
  dependsOn?: string[];
}

export interface DroppedObject {
  /** Undefined for object types the rules do not tell apart (DROP POLICY, DROP CAST, …). */
  kind: ObjectKind | "column" | "constraint" | undefined;
  /** Unqualified, lower-case. */
  name: string;
  /** Triggers (`DROP TRIGGER t ON table`), columns and constraints: the table, lower-case. */
  table?: string;
  /** DROP … CASCADE: what depends on it goes too. */
  cascade?: boolean;
}

/** Renames compare by family: an index and a table share the relation namespace. */
export type RenameFamily = "relation" | "type" | "function" | "schema" | "trigger" | "extension" | "column" | "constraint";

export interface Rename {
  family: RenameFamily;
  /** Lower-case. */
  from: string;
  to: string;
  /** Columns, constraints and triggers: the table, lower-case. */
  table?: string;
}

/** A column a statement creates: in CREATE TABLE, or ALTER TABLE … ADD COLUMN. */
export interface NewColumn {
  column: ColumnDef;
  name: string;
  table: string | undefined;
  /** The table is created by this statement (CREATE TABLE) rather than altered. */
  newTable: boolean;
  /** Table-level constraints of the CREATE TABLE (for PRIMARY KEY (a, b)). */
  tableConstraints: Constraint[];
}

export interface AddedConstraint {
  table: string;
  constraint: Constraint;
}

export interface StatementEffects {
  creates: CreatedObject[];
  drops: DroppedObject[];
  renames: Rename[];
  /** Columns (of CREATE TABLE or ADD COLUMN) and ADD CONSTRAINT's constraints; `inOrder`: an ALTER TABLE's additions as written. */
  adds: { columns: NewColumn[]; constraints: AddedConstraint[]; inOrder: Array<NewColumn | AddedConstraint> };
  /** DO and CALL: what they do is in code the analyser does not read. */
  opaque: boolean;
}

const KIND_OF_OBJECT_TYPE: Partial<Record<ObjectType, ObjectKind>> = {
  OBJECT_TABLE: "table",
  OBJECT_FOREIGN_TABLE: "table",
  OBJECT_INDEX: "index",
  OBJECT_VIEW: "view",
  OBJECT_MATVIEW: "view",
  OBJECT_SEQUENCE: "sequence",
  OBJECT_TYPE: "type",
  OBJECT_DOMAIN: "type",
  OBJECT_FUNCTION: "function",
  OBJECT_PROCEDURE: "function",
  OBJECT_ROUTINE: "function",
  OBJECT_AGGREGATE: "function",
  OBJECT_SCHEMA: "schema",
  OBJECT_TRIGGER: "trigger",
  OBJECT_EXTENSION: "extension",
};

export function objectKind(type: ObjectType | undefined): ObjectKind | undefined {
  return type ? KIND_OF_OBJECT_TYPE[type] : undefined;
}

/** Kinds that live in pg_class or pg_type, one namespace: a new one of these is a new relation to the rules. */
const RELATION_KINDS: ReadonlySet<ObjectKind> = new Set(["table", "index", "view", "sequence", "type"]);

export function renameFamily(kind: ObjectKind): RenameFamily {
  return kind === "table" || kind === "index" || kind === "view" || kind === "sequence" ? "relation" : kind;
}

/** The parts of a possibly qualified name in a DROP's or a rename's object: ["public", "orders"]. */
export function objectNameParts(object: Node): string[] {
  const list = bodyOf(object, "List");
  if (list) return strings(list.items);
  const single = bodyOf(object, "String")?.sval;
  if (single !== undefined) return [single];
  const type = bodyOf(object, "TypeName");
  if (type) return strings(type.names);
  const routine = bodyOf(object, "ObjectWithArgs");
  if (routine) return strings(routine.objname);
  return [];
}

/** The words SQL uses for an object type: "TABLE", "MATERIALIZED VIEW". */
export function objectTypeWords(type: ObjectType | undefined): string {
  return (type ?? "OBJECT_TABLE")
    .replace(/^OBJECT_/, "")
    .replace("MATVIEW", "MATERIALIZED VIEW")
    .replace(/_/g, " ");
}

/** What a DROP statement drops, names lower-case. */
export function droppedObjects(drop: DropStmt): DroppedObject[] {
  const kind = objectKind(drop.removeType);
  const objects: DroppedObject[] = [];
  for (const object of drop.objects ?? []) {
    const parts = objectNameParts(object).map((p) => p.toLowerCase());
    const name = parts.at(-1);
    if (!name) continue;
    const cascade = drop.behavior === "DROP_CASCADE" ? { cascade: true } : {};
    if (kind === "trigger") {
      const table = parts.at(-2);
      objects.push(table ? { kind, name, table, ...cascade } : { kind, name, ...cascade });
    } else objects.push({ kind, name, ...cascade });
  }
  return objects;
}

function named(names: readonly string[]): { name?: string; schema?: string } {
  const name = names.at(-1);
  const schema = names.at(-2);
  return { ...(name ? { name } : {}), ...(schema ? { schema } : {}) };
}

function ranged(range: RangeVar | undefined): { name?: string; schema?: string } {
  return { ...(range?.relname ? { name: range.relname } : {}), ...(range?.schemaname ? { schema: range.schemaname } : {}) };
}

function created(
  kind: ObjectKind,
  where: { name?: string; schema?: string },
  flags: { replace?: boolean; ifNotExists?: boolean },
  extra: Partial<CreatedObject> = {},
): CreatedObject[] {
  if (!where.name && kind !== "index") return [];
  return [{ kind, ...where, replace: flags.replace === true, ifNotExists: flags.ifNotExists === true, ...extra }];
}

/** The relations a view's query reads, unqualified and lower-case. */
function readNames(query: Node | undefined): string[] {
  return [...new Set(readRelations(query).map((read) => read.ref.relation.toLowerCase()))];
}

/** The kinds createsOf reads: any other statement creates nothing, told at one look at its kind. */
const CREATING = new Set<string | undefined>([
  "CreateStmt",
  "CreateTableAsStmt",
  "IndexStmt",
  "ViewStmt",
  "CreateSeqStmt",
  "CreateEnumStmt",
  "CreateRangeStmt",
  "CompositeTypeStmt",
  "CreateDomainStmt",
  "CreateFunctionStmt",
  "CreateSchemaStmt",
  "CreateTrigStmt",
  "CreateExtensionStmt",
]);

function createsOf(node: Node): CreatedObject[] {
  if (!CREATING.has(nodeKind(node))) return [];
  const create = bodyOf(node, "CreateStmt");
  if (create) return created("table", ranged(create.relation), { ifNotExists: create.if_not_exists === true });
  const createAs = bodyOf(node, "CreateTableAsStmt");
  if (createAs)
    return created(
      createAs.objtype === "OBJECT_MATVIEW" ? "view" : "table",
      ranged(createAs.into?.rel),
      { ifNotExists: createAs.if_not_exists === true },
      createAs.objtype === "OBJECT_MATVIEW" ? { materialized: true, dependsOn: readNames(createAs.query) } : {},
    );
  const index = bodyOf(node, "IndexStmt");
  if (index) {
    const columns = bodiesOf(index.indexParams, "IndexElem").flatMap((e) => (e.name ? [e.name] : []));
    const where = { ...(index.idxname ? { name: index.idxname } : {}), ...(index.relation?.schemaname ? { schema: index.relation.schemaname } : {}) };
    return created(
      "index",
      where,
      { ifNotExists: index.if_not_exists === true },
      { ...(index.relation?.relname ? { table: index.relation.relname } : {}), columns, unique: index.unique === true },
    );
  }
  const view = bodyOf(node, "ViewStmt");
  if (view) return created("view", ranged(view.view), { replace: view.replace === true }, { dependsOn: readNames(view.query) });
  const sequence = bodyOf(node, "CreateSeqStmt");
  if (sequence) return created("sequence", ranged(sequence.sequence), { ifNotExists: sequence.if_not_exists === true });
  const enumType = bodyOf(node, "CreateEnumStmt");
  if (enumType) return created("type", named(strings(enumType.typeName)), {});
  const rangeType = bodyOf(node, "CreateRangeStmt");
  if (rangeType) return created("type", named(strings(rangeType.typeName)), {});
  const composite = bodyOf(node, "CompositeTypeStmt");
  if (composite) return created("type", ranged(composite.typevar), {});
  const domain = bodyOf(node, "CreateDomainStmt");
  if (domain) return created("type", named(strings(domain.domainname)), {});
  const routine = bodyOf(node, "CreateFunctionStmt");
  if (routine) return created("function", named(strings(routine.funcname)), { replace: routine.replace === true });
  const schema = bodyOf(node, "CreateSchemaStmt");
  if (schema) return created("schema", schema.schemaname ? { name: schema.schemaname } : {}, { ifNotExists: schema.if_not_exists === true });
  const trigger = bodyOf(node, "CreateTrigStmt");
  if (trigger)
    return created(
      "trigger",
      trigger.trigname ? { name: trigger.trigname } : {},
      { replace: trigger.replace === true },
      {
        ...(trigger.relation?.relname ? { table: trigger.relation.relname } : {}),
        dependsOn: strings(trigger.funcname)
          .slice(-1)
          .map((f) => f.toLowerCase()),
      },
    );
  const extension = bodyOf(node, "CreateExtensionStmt");
  if (extension) return created("extension", extension.extname ? { name: extension.extname } : {}, { ifNotExists: extension.if_not_exists === true });
  return [];
}

function renamesOf(rename: RenameStmt | undefined): Rename[] {
  const to = rename?.newname?.toLowerCase();
  if (!rename || !to) return [];
  const table = rename.relation?.relname?.toLowerCase();
  const withTable = (family: RenameFamily, from: string | undefined): Rename[] =>
    from ? [{ family, from: from.toLowerCase(), to, ...(table ? { table } : {}) }] : [];
  switch (rename.renameType) {
    case "OBJECT_COLUMN":
      return withTable("column", rename.subname);
    case "OBJECT_TABCONSTRAINT":
      return withTable("constraint", rename.subname);
    case "OBJECT_TRIGGER":
      return withTable("trigger", rename.subname);
    case "OBJECT_SCHEMA":
      return withTable("schema", rename.subname);
    default: {
      const kind = objectKind(rename.renameType);
      if (!kind) return [];
      const from = rename.relation?.relname ?? (rename.object ? objectNameParts(rename.object).at(-1) : undefined);
      return from ? [{ family: renameFamily(kind), from: from.toLowerCase(), to }] : [];
    }
  }
}

function newTableColumns(node: Node): NewColumn[] {
  const create = bodyOf(node, "CreateStmt");
  if (!create) return [];
  const table = create.relation?.relname;
  const tableConstraints = constraintsOf(create.tableElts);
  return bodiesOf(create.tableElts, "ColumnDef")
    .filter((column) => column.colname !== undefined)
    .map((column) => ({ column, name: column.colname ?? "", table, newTable: true, tableConstraints }));
}

/** Reads the statement's effects (once: the engine keeps them on the analysed statement). */
export function effectsOf(node: Node): StatementEffects {
  const effects: StatementEffects = {
    creates: createsOf(node),
    drops: [],
    renames: renamesOf(bodyOf(node, "RenameStmt")),
    adds: { columns: newTableColumns(node), constraints: [], inOrder: [] },
    opaque: bodyOf(node, "DoStmt") !== undefined || bodyOf(node, "CallStmt") !== undefined,
  };
  const drop = bodyOf(node, "DropStmt");
  if (drop) effects.drops.push(...droppedObjects(drop));
  const alter = bodyOf(node, "AlterTableStmt");
  const table = alter?.relation?.relname;
  for (const command of alterCommandsOf(alter)) {
    const name = command.name?.toLowerCase();
    switch (command.subtype) {
      case "AT_AddColumn": {
        const column = bodyOf(command.def, "ColumnDef");
        if (column?.colname === undefined) break;
        const added: NewColumn = { column, name: column.colname, table, newTable: false, tableConstraints: [] };
        effects.adds.columns.push(added);
        effects.adds.inOrder.push(added);
        break;
      }
      case "AT_AddConstraint": {
        const constraint = bodyOf(command.def, "Constraint");
        if (!constraint || !table) break;
        effects.adds.constraints.push({ table, constraint });
        effects.adds.inOrder.push({ table, constraint });
        break;
      }
      case "AT_DropColumn":
        if (name && table) effects.drops.push({ kind: "column", name, table: table.toLowerCase() });
        break;
      case "AT_DropConstraint":
        if (name && table) effects.drops.push({ kind: "constraint", name, table: table.toLowerCase() });
        break;
      default:
        break;
    }
  }
  return effects;
}

/** Relations (tables, indexes, views, sequences, types) the statement creates, by name as written. */
export function createdRelationNames(effects: StatementEffects): string[] {
  const names: string[] = [];
  // One pass, no intermediate list: asked after every statement, most of which create nothing.
  for (const created of effects.creates) if (created.name && RELATION_KINDS.has(created.kind)) names.push(created.name);
  return names;
}
