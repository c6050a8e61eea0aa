import type { ColumnDef, Constraint } from "libpg-query";
import { SERIAL_TYPES, typeNameOf } from "../sql/column-types.js";
import { renameFamily, type CreatedObject, type ObjectKind, type Rename, type RenameFamily, type StatementEffects } from "../sql/effects.js";
import { constraintsOf, strings } from "../sql/nodes.js";
import { isEmptySection, downRaises, isSqlMigration } from "./general-helpers.js";
import { misspeltNameFix } from "./misspelt-name-fix.js";
import { defineRule, type AnalyzedStatement } from "./types.js";

/**
 * The down migration does not undo what the up did, where the SQL says so plainly: something the
 * up creates that the down leaves in place, a rename the down does not reverse, and a down that
 * drops something the up never created (the headline case: the up adds column a, the down drops
 * column b). Names compare without schema and case; IF EXISTS and CASCADE do not matter.
 */

type Family = RenameFamily;

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
  /** A materialized view: undone with DROP MATERIALIZED VIEW (DROP VIEW refuses one). */
  materialized?: boolean;
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

interface RenameExpectation extends Rename {
  type: "rename";
}

type Expectation = ObjectExpectation | ColumnExpectation | ConstraintExpectation | RenameExpectation;

const familyOf = renameFamily;

/**
 * What the up creates that its down must drop, names lower-case. Not an extension (shared by the
 * database), nor a schema created IF NOT EXISTS ("shared, maybe there already": not ours to drop),
 * nor an index left for Postgres to name (the down cannot name it either).
 */
function createdObject(effects: StatementEffects): Omit<ObjectExpectation, "type"> | undefined {
  const created: CreatedObject | undefined = effects.creates[0];
  if (!created?.name || created.kind === "extension" || (created.kind === "schema" && created.ifNotExists)) return undefined;
  return {
    kind: created.kind,
    name: created.name.toLowerCase(),
    ...(created.schema ? { schema: created.schema.toLowerCase() } : {}),
    replace: created.replace,
    ...(created.materialized ? { materialized: true } : {}),
    ...(created.table ? { table: created.table.toLowerCase() } : {}),
    ...(created.kind === "index" ? { columns: (created.columns ?? []).map((c) => c.toLowerCase()) } : {}),
  };
}

/** An added column whose inline constraints or serial type make objects PostgreSQL names itself. */
function createsAutoNamed(column: ColumnDef): boolean {
  if (SERIAL_TYPES.has(typeNameOf(column.typeName))) return true;
  return constraintsOf(column.constraints).some(
    (c) => !["CONSTR_NOTNULL", "CONSTR_NULL", "CONSTR_DEFAULT", "CONSTR_GENERATED", "CONSTR_IDENTITY"].includes(c.contype ?? ""),
  );
}

function constraintColumns(constraint: Constraint): string[] {
  return [...strings(constraint.keys), ...strings(constraint.fk_attrs)].map((c) => c.toLowerCase());
}

/** What the up does that a down must undo, statement by statement. */
class UpEffects {
  expectations: Array<{ statement: AnalyzedStatement; expectation: Expectation }> = [];
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
  /** How many of `expectations` are renames. */
  private renamesExpected = 0;
  opaque = false;

  add(statement: AnalyzedStatement): void {
    const effects = statement.effects;
    if (effects.opaque) this.opaque = true;
    // Indexed loops over the effects of every statement: the CLI runs without the optimising
    // compiler, where each for-of allocates an iterator (most of these lists are empty).
    for (let i = 0; i < effects.drops.length; i++) {
      const object = effects.drops[i]!;
      if (object.kind === "column" || object.kind === "constraint") continue;
      this.droppedNames.add(object.name);
      // Renamed aside and then dropped here: nothing is left for the down to rename back. (Most
      // ups rename nothing: then no drop copies the list of expectations, which grows with the up.)
      if (this.renamesExpected === 0) continue;
      this.expectations = this.expectations.filter(({ expectation }) => !(expectation.type === "rename" && expectation.to === object.name));
      this.renamesExpected = this.expectations.reduce((count, { expectation }) => count + (expectation.type === "rename" ? 1 : 0), 0);
    }
    const created = createdObject(effects);
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
      const unnamedIndexOn = effects.creates.find((c) => c.kind === "index" && !c.name)?.table?.toLowerCase();
      if (unnamedIndexOn) this.autoNamedTables.add(unnamedIndexOn);
    }
    this.alter(statement);
    for (let i = 0; i < effects.renames.length; i++) this.rename(statement, { type: "rename", ...effects.renames[i]! });
  }

  private expect(statement: AnalyzedStatement, expectation: Expectation): void {
    if (expectation.type === "rename") this.renamesExpected++;
    this.expectations.push({ statement, expectation });
  }

  private alter(statement: AnalyzedStatement): void {
    const inOrder = statement.effects.adds.inOrder;
    for (let i = 0; i < inOrder.length; i++) {
      const added = inOrder[i]!;
      const table = added.table?.toLowerCase();
      if (!table) continue;
      const newTable = this.createdTables.has(table);
      if ("column" in added) {
        const column = added.name.toLowerCase();
        if (!column) continue;
        if (createsAutoNamed(added.column)) this.autoNamedTables.add(table);
        this.addedColumns.add(`${table}.${column}`);
        if (!newTable) this.expect(statement, { type: "column", table, column });
      } else {
        const constraint = added.constraint;
        const name = constraint.conname?.toLowerCase();
        if (!name) {
          this.autoNamedTables.add(table);
          continue;
        }
        this.createdNames.add(name);
        if (constraint.indexname) {
          // ADD CONSTRAINT … USING INDEX: the index now belongs to the constraint.
          const index = constraint.indexname.toLowerCase();
          for (const entry of this.expectations) {
            if (entry.expectation.type === "object" && entry.expectation.kind === "index" && entry.expectation.name === index)
              entry.expectation.constraint = name;
          }
        }
        if (!newTable) this.expect(statement, { type: "constraint", table, name, columns: constraintColumns(constraint) });
      }
    }
  }

  private rename(statement: AnalyzedStatement, rename: RenameExpectation): void {
    // The old name is free again: creating it afterwards redefines what was there (the enum dance).
    if (rename.family !== "column" && rename.family !== "constraint") this.droppedNames.add(rename.from);
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
  /** The drops by family and name: every expectation of the up looks its name up. */
  private readonly dropsByName = new Map<string, DownDrop[]>();
  readonly renames: RenameExpectation[] = [];
  readonly createdNames = new Set<string>();
  readonly addedColumns = new Set<string>();
  /** What the down's DROP … CASCADE statements take along with what they name. */
  readonly cascaded = new Set<string>();
  opaque = false;

  constructor(private readonly droppedWith: (name: string) => ReadonlySet<string>) {}

  add(statement: AnalyzedStatement): void {
    const effects = statement.effects;
    if (effects.opaque) this.opaque = true;
    const created = createdObject(effects);
    if (created) this.createdNames.add(created.name);
    this.renames.push(...effects.renames.map((rename): RenameExpectation => ({ type: "rename", ...rename })));
    // Renamed by the down itself (the enum dance: RENAME TO x__, CREATE the old one, DROP x__):
    // dropping that name later drops what the down set aside, not something that existed before.
    for (const rename of effects.renames) if (rename.family !== "column" && rename.family !== "constraint") this.createdNames.add(rename.to);
    for (const object of effects.drops) {
      if (object.cascade && object.kind !== "column" && object.kind !== "constraint") for (const name of this.droppedWith(object.name)) this.cascaded.add(name);
      if (!object.kind || object.kind === "extension") continue;
      const { kind, name, table } = object;
      if (kind === "column") this.drop({ statement, kind, family: "column", name, ...(table ? { table } : {}), label: `column ${table ?? ""}.${name}` });
      else if (kind === "constraint")
        this.drop({ statement, kind, family: "constraint", name, ...(table ? { table } : {}), label: `constraint ${name} on ${table ?? ""}` });
      else this.drop({ statement, kind, family: familyOf(kind), name, ...(table ? { table } : {}), label: `${kind} ${name}` });
    }
    for (const added of effects.adds.inOrder) {
      const table = added.table?.toLowerCase();
      if (!table) continue;
      if ("column" in added) this.addedColumns.add(`${table}.${added.name.toLowerCase()}`);
      else if (added.constraint.conname) this.createdNames.add(added.constraint.conname.toLowerCase());
    }
  }

  private drop(drop: DownDrop): void {
    this.drops.push(drop);
    const key = `${drop.family}\0${drop.name}`;
    const named = this.dropsByName.get(key);
    if (named) named.push(drop);
    else this.dropsByName.set(key, [drop]);
  }

  dropped(family: Family, name: string, table?: string): boolean {
    if (family !== "column" && family !== "constraint" && this.cascaded.has(name)) return true;
    const named = this.dropsByName.get(`${family}\0${name}`);
    return named !== undefined && named.some((d) => table === undefined || d.table === undefined || d.table === table);
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
      if (down.renames.some((r) => r.family === expectation.family && r.from === expectation.to && r.to === expectation.from)) return true;
      // Or the down builds the old name anew (CREATE TABLE comment_reply … after the up renamed it away).
      if (expectation.family === "column") return expectation.table !== undefined && down.addedColumns.has(`${expectation.table}.${expectation.from}`);
      return expectation.family !== "constraint" && down.createdNames.has(expectation.from);
  }
}

function label(expectation: Exclude<Expectation, RenameExpectation>): string {
  switch (expectation.type) {
    case "object":
      if (expectation.kind === "trigger" && expectation.table) return `trigger ${expectation.name} on ${expectation.table}`;
      return `${expectation.materialized ? "materialized view" : expectation.kind} ${expectation.name}`;
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
      const word = expectation.materialized ? "MATERIALIZED VIEW" : words[expectation.kind];
      return `DROP ${word} IF EXISTS ${expectation.name}${on};`;
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

/** The names of what the up created of the same kind as `drop` (columns and constraints: on the same table). */
function sameKindNames(drop: DownDrop, expectations: readonly Expectation[]): string[] {
  return expectations.flatMap((e) => {
    if (drop.family === "column") return e.type === "column" && e.table === drop.table ? [e.column] : [];
    if (drop.family === "constraint") return e.type === "constraint" && (drop.table === undefined || e.table === drop.table) ? [e.name] : [];
    return e.type === "object" && familyOf(e.kind) === drop.family ? [e.name] : [];
  });
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
  migration({ migration, sections, sources, report, droppedWith }) {
    if (!isSqlMigration(migration)) return;
    const ups = sections.filter((s) => s.section.direction === "up");
    const downs = sections.filter((s) => s.section.direction === "down");
    // No down, or an empty or raising one: missing-, empty- and irreversible-rollback say so.
    if (downs.length === 0 || downs.some((d) => isEmptySection(d, sources, migration.framework))) return;
    // A down that did not parse at all is syntax-error's (its statements are unknown).
    if (downs.some((d) => d.statements.length === 0)) return;
    if (downs.some((d) => downRaises(d.statements))) return;

    const up = new UpEffects();
    for (const section of ups) for (let i = 0; i < section.statements.length; i++) up.add(section.statements[i]!);
    const down = new DownEffects(droppedWith);
    for (const section of downs) for (let i = 0; i < section.statements.length; i++) down.add(section.statements[i]!);
    // What the down leaves in place, worked out once for both checks below.
    let unhandled: Array<{ statement: AnalyzedStatement; expectation: Expectation }> | undefined;
    const leftUndone = () => (unhandled ??= up.expectations.filter(({ expectation }) => !handled(expectation, down)));

    // What the up did that the down leaves in place. Not when the down runs code we cannot read,
    // nor when the migration is acknowledged as irreversible.
    if (!down.opaque && !migration.irreversible) {
      const byStatement = new Map<AnalyzedStatement, Expectation[]>();
      for (const { statement, expectation } of leftUndone()) {
        const missing = byStatement.get(statement);
        if (missing) missing.push(expectation);
        else byStatement.set(statement, [expectation]);
      }
      for (const [statement, missing] of byStatement) {
        const where = { path: statement.path, line: statement.line, endLine: statement.endLine };
        const help = `Undo it in the down migration, in reverse order: ${missing.map(undo).join(" ")}`;
        const renames = missing.filter((e): e is RenameExpectation => e.type === "rename");
        for (const rename of renames)
          report({ messageId: "notRenamed", data: { from: rename.from, to: rename.to }, help: `Add to the down migration: ${undo(rename)}`, ...where });
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
        if (created.length > 0)
          report({ messageId: "notDropped", data: { objects: created.map(label).join(", "), them: them(created.length) }, help, ...where });
      }
    }

    // What the down drops that the up did not create. Not when the up runs code we cannot read.
    if (up.opaque) return;
    const autoNamed = (name: string) => {
      for (const table of up.autoNamedTables) if (name.startsWith(`${table}_`)) return true;
      return false;
    };
    const unexpected = new Map<AnalyzedStatement, DownDrop[]>();
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
      if (expected) continue;
      const drops = unexpected.get(drop.statement);
      if (drops) drops.push(drop);
      else unexpected.set(drop.statement, [drop]);
    }
    const leftInPlace = leftUndone().map((e) => e.expectation);
    for (const [statement, drops] of unexpected) {
      const [only] = drops;
      const source = sources.get(statement.path);
      // One name the up never created, close to one it created and the down leaves: a typo, fixed on its line.
      const fix = drops.length === 1 && only && source ? misspeltNameFix(statement, source, only.name, sameKindNames(only, leftInPlace)) : undefined;
      report({
        messageId: "unexpectedDrop",
        data: { objects: drops.map((drop) => drop.label).join(", ") },
        help: "Drop only what the up migration created (check the names against the up). To undo another change of the up, reverse that change instead.",
        // An error, not a rollback gap: running this down loses data that no migration can bring back.
        severity: "error",
        path: statement.path,
        line: statement.line,
        endLine: statement.endLine,
        ...(fix ? { fix } : {}),
      });
    }
  },
});
