import type {
  ColumnDef,
  CompositeTypeStmt,
  Constraint,
  CreateDomainStmt,
  CreateEnumStmt,
  CreateFunctionStmt,
  CreateRangeStmt,
  CreateSchemaStmt,
  CreateSeqStmt,
  CreateStmt,
  CreateTableAsStmt,
  CreateTrigStmt,
  IndexStmt,
  Node,
  RangeVar,
  RenameStmt,
  ViewStmt,
} from "libpg-query";
import { alterTable, columnConstraints, columnDefOf, constraintOf, nodeOf, typeNameOf } from "./ast.js";
import {
  droppedObjects,
  dropOf,
  isEmptySection,
  downRaises,
  isOpaque,
  isSqlMigration,
  objectKind,
  objectNameParts,
  stringList,
  type ObjectKind,
} from "./general-helpers.js";
import { defineRule, type AnalyzedStatement } from "./types.js";

/**
 * The down migration does not undo what the up did, where the SQL says so plainly: something the
 * up creates that the down leaves in place, a rename the down does not reverse, and a down that
 * drops something the up never created (the headline case: the up adds column a, the down drops
 * column b). Names compare without schema and case; IF EXISTS and CASCADE do not matter.
 */

type Family = "relation" | "type" | "function" | "schema" | "trigger" | "extension" | "column" | "constraint";

interface ObjectExpectation {
  type: "object";
  kind: ObjectKind;
  name: string;
  schema?: string;
  /** Indexes and triggers: the table they belong to. */
  table?: string;
  /** Indexes: the columns they cover (dropping one drops the index). */
  columns?: string[];
  /** CREATE OR REPLACE: the down may restore the old definition instead of dropping. */
  replace: boolean;
  /** An index a constraint took over (ADD CONSTRAINT … USING INDEX): it goes with the constraint. */
  constraint?: string;
}

interface ColumnExpectation {
  type: "column";
  table: string;
  column: string;
}

interface ConstraintExpectation {
  type: "constraint";
  table: string;
  name: string;
  columns: string[];
}

interface RenameExpectation {
  type: "rename";
  family: Family;
  from: string;
  to: string;
  table?: string;
}

type Expectation = ObjectExpectation | ColumnExpectation | ConstraintExpectation | RenameExpectation;

const lower = (s: string | undefined): string | undefined => (s ? s.toLowerCase() : undefined);

function lastName(nodes: Node[] | undefined): { name?: string; schema?: string } {
  const parts = stringList(nodes).map((p) => p.toLowerCase());
  const name = parts.at(-1);
  const schema = parts.at(-2);
  return { ...(name ? { name } : {}), ...(schema ? { schema } : {}) };
}

function fromRange(range: RangeVar | undefined): { name?: string; schema?: string } {
  const name = lower(range?.relname);
  const schema = lower(range?.schemaname);
  return { ...(name ? { name } : {}), ...(schema ? { schema } : {}) };
}

function familyOf(kind: ObjectKind): Family {
  return kind === "table" || kind === "index" || kind === "view" || kind === "sequence" ? "relation" : kind;
}

/** What a CREATE statement creates: kind, name, schema, and whether it was OR REPLACE. */
function createdObject(node: Node): Omit<ObjectExpectation, "type"> | undefined {
  const make = (kind: ObjectKind, where: { name?: string; schema?: string }, replace = false, extra: Partial<ObjectExpectation> = {}) =>
    where.name ? { kind, name: where.name, ...(where.schema ? { schema: where.schema } : {}), replace, ...extra } : undefined;
  const create = nodeOf<CreateStmt>(node, "CreateStmt");
  if (create) return make("table", fromRange(create.relation));
  const createAs = nodeOf<CreateTableAsStmt>(node, "CreateTableAsStmt");
  if (createAs) return make(createAs.objtype === "OBJECT_MATVIEW" ? "view" : "table", fromRange(createAs.into?.rel));
  const index = nodeOf<IndexStmt>(node, "IndexStmt");
  if (index) {
    const table = lower(index.relation?.relname);
    const columns = (index.indexParams ?? []).map((p) => lower(nodeOf<{ name?: string }>(p, "IndexElem")?.name)).filter((c): c is string => !!c);
    const schema = lower(index.relation?.schemaname);
    return make("index", { ...(index.idxname ? { name: index.idxname.toLowerCase() } : {}), ...(schema ? { schema } : {}) }, false, {
      ...(table ? { table } : {}),
      columns,
    });
  }
  const view = nodeOf<ViewStmt>(node, "ViewStmt");
  if (view) return make("view", fromRange(view.view), view.replace === true);
  const sequence = nodeOf<CreateSeqStmt>(node, "CreateSeqStmt");
  if (sequence) return make("sequence", fromRange(sequence.sequence));
  const enumType = nodeOf<CreateEnumStmt>(node, "CreateEnumStmt");
  if (enumType) return make("type", lastName(enumType.typeName));
  const rangeType = nodeOf<CreateRangeStmt>(node, "CreateRangeStmt");
  if (rangeType) return make("type", lastName(rangeType.typeName));
  const composite = nodeOf<CompositeTypeStmt>(node, "CompositeTypeStmt");
  if (composite) return make("type", fromRange(composite.typevar));
  const domain = nodeOf<CreateDomainStmt>(node, "CreateDomainStmt");
  if (domain) return make("type", lastName(domain.domainname));
  const routine = nodeOf<CreateFunctionStmt>(node, "CreateFunctionStmt");
  if (routine) return make("function", lastName(routine.funcname), routine.replace === true);
  const schema = nodeOf<CreateSchemaStmt>(node, "CreateSchemaStmt");
  // CREATE SCHEMA IF NOT EXISTS usually means "shared, maybe there already": not ours to drop.
  if (schema && !schema.if_not_exists) return make("schema", { ...(schema.schemaname ? { name: schema.schemaname.toLowerCase() } : {}) });
  const trigger = nodeOf<CreateTrigStmt>(node, "CreateTrigStmt");
  if (trigger) {
    const table = lower(trigger.relation?.relname);
    return make("trigger", { ...(trigger.trigname ? { name: trigger.trigname.toLowerCase() } : {}) }, trigger.replace === true, table ? { table } : {});
  }
  return undefined;
}

const SERIAL = new Set(["serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"]);

/** An added column whose inline constraints or serial type make objects PostgreSQL names itself. */
function createsAutoNamed(column: ColumnDef): boolean {
  if (SERIAL.has(typeNameOf(column.typeName) ?? "")) return true;
  return columnConstraints(column).some((c) => !["CONSTR_NOTNULL", "CONSTR_NULL", "CONSTR_DEFAULT", "CONSTR_GENERATED", "CONSTR_IDENTITY"].includes(c.contype ?? ""));
}

function constraintColumns(constraint: Constraint): string[] {
  return [...stringList(constraint.keys), ...stringList(constraint.fk_attrs)].map((c) => c.toLowerCase());
}

/** A rename: its family, old and new name, and the table for columns, constraints, triggers. */
function renameOf(node: Node): RenameExpectation | undefined {
  const rename = nodeOf<RenameStmt>(node, "RenameStmt");
  const to = lower(rename?.newname);
  if (!rename || !to) return undefined;
  const table = lower(rename.relation?.relname);
  const withTable = (family: Family, from: string | undefined): RenameExpectation | undefined =>
    from ? { type: "rename", family, from: from.toLowerCase(), to, ...(table ? { table } : {}) } : undefined;
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
      if (!kind) return undefined;
      const from = rename.relation?.relname ?? (rename.object ? objectNameParts(rename.object).at(-1) : undefined);
      return from ? { type: "rename", family: familyOf(kind), from: from.toLowerCase(), to } : undefined;
    }
  }
}

/** What the up does that a down must undo, statement by statement. */
class UpEffects {
  readonly expectations: Array<{ statement: AnalyzedStatement; expectation: Expectation }> = [];
  /** Every name the up creates (objects, constraints, indexes), before and after renames. */
  readonly createdNames = new Set<string>();
  readonly createdTables = new Set<string>();
  /**
   * Tables on which the up creates something PostgreSQL names itself (an unnamed index or
   * constraint, an inline REFERENCES/UNIQUE/CHECK, a serial's sequence): those names start with `table_`.
   */
  readonly autoNamedTables = new Set<string>();
  readonly addedColumns = new Set<string>();
  /** Names the up dropped: creating one again afterwards redefines an existing object. */
  private readonly droppedNames = new Set<string>();
  opaque = false;

  add(statement: AnalyzedStatement): void {
    const node = statement.node;
    if (isOpaque(node)) this.opaque = true;
    const drop = dropOf(statement);
    if (drop) for (const object of droppedObjects(drop)) this.droppedNames.add(object.name);
    const created = createdObject(node);
    if (created) {
      if (this.droppedNames.has(created.name)) created.replace = true;
      this.createdNames.add(created.name);
      if (created.kind === "table") {
        this.createdTables.add(created.name);
        this.autoNamedTables.add(created.name);
      }
      // Dependents of a table created here go with its DROP TABLE: only the table is expected.
      if (!(created.table && this.createdTables.has(created.table))) this.expect(statement, { type: "object", ...created });
    } else {
      const unnamedIndexOn = lower(nodeOf<IndexStmt>(node, "IndexStmt")?.relation?.relname);
      if (unnamedIndexOn) this.autoNamedTables.add(unnamedIndexOn);
    }
    this.alter(statement);
    const rename = renameOf(node);
    if (rename) this.rename(statement, rename);
  }

  private expect(statement: AnalyzedStatement, expectation: Expectation): void {
    this.expectations.push({ statement, expectation });
  }

  private alter(statement: AnalyzedStatement): void {
    const { table: rawTable, commands } = alterTable(statement.node);
    const table = lower(rawTable);
    if (!table) return;
    const newTable = this.createdTables.has(table);
    for (const command of commands) {
      if (command.subtype === "AT_AddColumn") {
        const def = columnDefOf(command.def);
        const column = lower(def?.colname);
        if (!def || !column) continue;
        if (createsAutoNamed(def)) this.autoNamedTables.add(table);
        this.addedColumns.add(`${table}.${column}`);
        if (!newTable) this.expect(statement, { type: "column", table, column });
      } else if (command.subtype === "AT_AddConstraint") {
        const constraint = constraintOf(command.def);
        const name = lower(constraint?.conname);
        if (!name) this.autoNamedTables.add(table);
        if (!constraint || !name) continue;
        this.createdNames.add(name);
        if (constraint.indexname) {
          // ADD CONSTRAINT … USING INDEX: the index now belongs to the constraint.
          const index = constraint.indexname.toLowerCase();
          for (const entry of this.expectations) {
            if (entry.expectation.type === "object" && entry.expectation.kind === "index" && entry.expectation.name === index) entry.expectation.constraint = name;
          }
        }
        if (!newTable) this.expect(statement, { type: "constraint", table, name, columns: constraintColumns(constraint) });
      }
    }
  }

  private rename(statement: AnalyzedStatement, rename: RenameExpectation): void {
    let renamedOurs = false;
    for (const { expectation } of this.expectations) {
      if (expectation.type === "object" && familyOf(expectation.kind) === rename.family && expectation.name === rename.from) {
        expectation.name = rename.to;
        renamedOurs = true;
      } else if (expectation.type === "column" && rename.family === "column" && expectation.column === rename.from && expectation.table === rename.table) {
        expectation.column = rename.to;
        renamedOurs = true;
      } else if (expectation.type === "constraint" && rename.family === "constraint" && expectation.name === rename.from) {
        expectation.name = rename.to;
        renamedOurs = true;
      }
      if (rename.family === "relation" && "table" in expectation && expectation.table === rename.from) expectation.table = rename.to;
    }
    if (rename.family === "relation" && this.createdTables.has(rename.from)) {
      this.createdTables.add(rename.to);
      this.autoNamedTables.add(rename.to);
      renamedOurs = true;
    }
    if (rename.family === "column" && rename.table && this.createdTables.has(rename.table)) renamedOurs = true;
    if (renamedOurs) {
      this.createdNames.add(rename.to);
      if (rename.family === "column" && rename.table) this.addedColumns.add(`${rename.table}.${rename.to}`);
      return;
    }
    this.expect(statement, rename);
  }
}

interface DownDrop {
  statement: AnalyzedStatement;
  kind: ObjectKind | "column" | "constraint";
  family: Family;
  name: string;
  table?: string;
  label: string;
}

/** What the down does: its drops, renames and (re)creations. */
class DownEffects {
  readonly drops: DownDrop[] = [];
  readonly renames: RenameExpectation[] = [];
  readonly createdNames = new Set<string>();
  readonly addedColumns = new Set<string>();
  opaque = false;

  add(statement: AnalyzedStatement): void {
    const node = statement.node;
    if (isOpaque(node)) this.opaque = true;
    const created = createdObject(node);
    if (created) this.createdNames.add(created.name);
    const rename = renameOf(node);
    if (rename) this.renames.push(rename);
    const drop = dropOf(statement);
    if (drop) {
      for (const object of droppedObjects(drop)) {
        if (!object.kind || object.kind === "extension") continue;
        this.drops.push({
          statement,
          kind: object.kind,
          family: familyOf(object.kind),
          name: object.name,
          ...(object.table ? { table: object.table } : {}),
          label: `${object.kind} ${object.name}`,
        });
      }
    }
    const { table: rawTable, commands } = alterTable(node);
    const table = lower(rawTable);
    if (!table) return;
    for (const command of commands) {
      const name = lower(command.name);
      if (command.subtype === "AT_DropColumn" && name) this.drops.push({ statement, kind: "column", family: "column", name, table, label: `column ${table}.${name}` });
      if (command.subtype === "AT_DropConstraint" && name) this.drops.push({ statement, kind: "constraint", family: "constraint", name, table, label: `constraint ${name} on ${table}` });
      if (command.subtype === "AT_AddColumn") {
        const column = lower(columnDefOf(command.def)?.colname);
        if (column) this.addedColumns.add(`${table}.${column}`);
      }
      if (command.subtype === "AT_AddConstraint") {
        const constraint = lower(constraintOf(command.def)?.conname);
        if (constraint) this.createdNames.add(constraint);
      }
    }
  }

  dropped(family: Family, name: string, table?: string): boolean {
    return this.drops.some((d) => d.family === family && d.name === name && (table === undefined || d.table === undefined || d.table === table));
  }

  droppedTable(table: string | undefined): boolean {
    return table !== undefined && this.dropped("relation", table);
  }
}

function handled(expectation: Expectation, down: DownEffects): boolean {
  switch (expectation.type) {
    case "object": {
      const { kind, name, schema, table, columns, replace, constraint } = expectation;
      if (down.dropped(familyOf(kind), name)) return true;
      if (constraint && down.dropped("constraint", constraint)) return true;
      if (replace && down.createdNames.has(name)) return true;
      if (schema && down.dropped("schema", schema)) return true;
      if (down.droppedTable(table)) return true;
      return (columns ?? []).some((column) => table !== undefined && down.dropped("column", column, table));
    }
    case "column":
      return down.dropped("column", expectation.column, expectation.table) || down.droppedTable(expectation.table);
    case "constraint":
      return (
        down.dropped("constraint", expectation.name) ||
        down.droppedTable(expectation.table) ||
        expectation.columns.some((column) => down.dropped("column", column, expectation.table))
      );
    case "rename":
      return down.renames.some((r) => r.family === expectation.family && r.from === expectation.to && r.to === expectation.from);
  }
}

function label(expectation: Exclude<Expectation, RenameExpectation>): string {
  switch (expectation.type) {
    case "object":
      return expectation.kind === "trigger" && expectation.table ? `trigger ${expectation.name} on ${expectation.table}` : `${expectation.kind} ${expectation.name}`;
    case "column":
      return `column ${expectation.table}.${expectation.column}`;
    case "constraint":
      return `constraint ${expectation.name} on ${expectation.table}`;
  }
}

/** The statement that undoes an expectation, for the help text. */
function undo(expectation: Expectation): string {
  switch (expectation.type) {
    case "object": {
      const words: Record<ObjectKind, string> = {
        table: "TABLE",
        index: "INDEX",
        view: "VIEW",
        sequence: "SEQUENCE",
        type: "TYPE",
        function: "FUNCTION",
        schema: "SCHEMA",
        trigger: "TRIGGER",
        extension: "EXTENSION",
      };
      const on = expectation.kind === "trigger" && expectation.table ? ` ON ${expectation.table}` : "";
      return `DROP ${words[expectation.kind]} IF EXISTS ${expectation.name}${on};`;
    }
    case "column":
      return `ALTER TABLE ${expectation.table} DROP COLUMN IF EXISTS ${expectation.column};`;
    case "constraint":
      return `ALTER TABLE ${expectation.table} DROP CONSTRAINT IF EXISTS ${expectation.name};`;
    case "rename":
      if (expectation.family === "column") return `ALTER TABLE ${expectation.table ?? "…"} RENAME COLUMN ${expectation.to} TO ${expectation.from};`;
      if (expectation.family === "constraint") return `ALTER TABLE ${expectation.table ?? "…"} RENAME CONSTRAINT ${expectation.to} TO ${expectation.from};`;
      return `… RENAME TO ${expectation.from} (on ${expectation.to});`;
  }
}

const them = (count: number) => (count === 1 ? "it" : "them");

export default defineRule({
  id: "rollback-mismatch",
  meta: {
    severity: "warning",
    category: "rollback",
    description: "The down migration does not undo the up: it leaves created objects or renames in place, or drops something else.",
    messages: {
      notDropped: "The down migration does not drop {{objects}}, created here: a rollback leaves {{them}} behind, out of step with the code rolled back to.",
      notRestored:
        "The down migration neither drops nor restores {{objects}}, replaced here: after a rollback the new definition stays, out of step with the code rolled back to.",
      notRenamed: "The down migration does not rename {{to}} back to {{from}}: after a rollback, code that uses {{from}} fails.",
      unexpectedDrop:
        "This down migration drops {{objects}}, which the up migration did not create: a rollback destroys what existed before this migration, data included.",
    },
  },
  migration({ migration, sections, sources, report }) {
    if (!isSqlMigration(migration)) return;
    const ups = sections.filter((s) => s.section.direction === "up");
    const downs = sections.filter((s) => s.section.direction === "down");
    // No down, or an empty or raising one: missing-, empty- and irreversible-rollback say so.
    if (downs.length === 0 || downs.some((d) => isEmptySection(d, sources, migration.framework))) return;
    // A down that did not parse at all is syntax-error's (its statements are unknown).
    if (downs.some((d) => d.statements.length === 0)) return;
    if (downs.some((d) => downRaises(d.statements))) return;

    const up = new UpEffects();
    for (const section of ups) for (const statement of section.statements) up.add(statement);
    const down = new DownEffects();
    for (const section of downs) for (const statement of section.statements) down.add(statement);

    // What the up did that the down leaves in place. Not when the down runs code we cannot read,
    // nor when the migration is acknowledged as irreversible.
    if (!down.opaque && !migration.irreversible) {
      const byStatement = new Map<AnalyzedStatement, Expectation[]>();
      for (const { statement, expectation } of up.expectations) {
        if (handled(expectation, down)) continue;
        byStatement.set(statement, [...(byStatement.get(statement) ?? []), expectation]);
      }
      for (const [statement, missing] of byStatement) {
        const where = { path: statement.path, line: statement.line, endLine: statement.endLine };
        const help = `Undo it in the down migration, in reverse order: ${missing.map(undo).join(" ")}`;
        const renames = missing.filter((e): e is RenameExpectation => e.type === "rename");
        for (const rename of renames) report({ messageId: "notRenamed", data: { from: rename.from, to: rename.to }, help: `Add to the down migration: ${undo(rename)}`, ...where });
        const replaced = missing.filter((e): e is ObjectExpectation => e.type === "object" && e.replace);
        if (replaced.length > 0) {
          report({
            messageId: "notRestored",
            data: { objects: replaced.map(label).join(", ") },
            help: "In the down migration, drop it, or restore the previous definition (CREATE OR REPLACE with the old body).",
            ...where,
          });
        }
        const created = missing.filter((e): e is Exclude<Expectation, RenameExpectation> => e.type !== "rename" && !(e.type === "object" && e.replace));
        if (created.length > 0) report({ messageId: "notDropped", data: { objects: created.map(label).join(", "), them: them(created.length) }, help, ...where });
      }
    }

    // What the down drops that the up did not create. Not when the up runs code we cannot read.
    if (up.opaque) return;
    const autoNamed = (name: string) => [...up.autoNamedTables].some((table) => name.startsWith(`${table}_`));
    const unexpected = new Map<AnalyzedStatement, string[]>();
    for (const drop of down.drops) {
      let expected: boolean;
      if (drop.family === "column") {
        const key = `${drop.table}.${drop.name}`;
        expected = up.addedColumns.has(key) || down.addedColumns.has(key) || up.createdTables.has(drop.table ?? "");
      } else if (drop.family === "constraint") {
        expected = up.createdNames.has(drop.name) || down.createdNames.has(drop.name) || up.createdTables.has(drop.table ?? "") || autoNamed(drop.name);
      } else {
        expected =
          up.createdNames.has(drop.name) ||
          down.createdNames.has(drop.name) ||
          ((drop.kind === "index" || drop.kind === "sequence") && autoNamed(drop.name)) ||
          (drop.family === "trigger" && up.createdTables.has(drop.table ?? ""));
      }
      if (!expected) unexpected.set(drop.statement, [...(unexpected.get(drop.statement) ?? []), drop.label]);
    }
    for (const [statement, labels] of unexpected) {
      report({
        messageId: "unexpectedDrop",
        data: { objects: labels.join(", ") },
        help: "Drop only what the up migration created (check the names against the up). To undo another change of the up, reverse that change instead.",
        path: statement.path,
        line: statement.line,
        endLine: statement.endLine,
      });
    }
  },
});
