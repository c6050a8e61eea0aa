import type { AlterTableCmd, AlterTableStmt, ColumnDef, Constraint, Node, ObjectType } from "libpg-query";
import { columnType, SERIAL_TYPES, typeChangeRewrites, typeNameOf } from "./column-types.js";
import { strongerLock, type LockMode } from "./lock-modes.js";
import { addDescendants, type LockSet } from "./lock-set.js";
import { ALTER_TABLE_MODES, EXCLUSIVE_OPTIONS, NON_RECURSIVE, REWRITING } from "./lock-tables.js";
import { addReferencedTable } from "./locks-create.js";
import { alterCommandsOf, bodyOf, constraintsOf, defElems, recurses, refOf, sameRelation, strings, type RelationRef } from "./nodes.js";
import { functionVolatility, volatileCall, type VolatileCall, type Volatility } from "./volatility.js";

/** Locks of ALTER TABLE (and ALTER INDEX / VIEW / MATERIALIZED VIEW / SEQUENCE, which share its node). */

const SUE: LockMode = "ShareUpdateExclusiveLock";
const SRE: LockMode = "ShareRowExclusiveLock";

function alterCommandMode(cmd: AlterTableCmd, objtype: ObjectType | undefined): LockMode {
  switch (cmd.subtype) {
    case "AT_AddConstraint":
      return bodyOf(cmd.def, "Constraint")?.contype === "CONSTR_FOREIGN" ? SRE : "AccessExclusiveLock";
    case "AT_DetachPartition":
      return bodyOf(cmd.def, "PartitionCmd")?.concurrent ? SUE : "AccessExclusiveLock";
    case "AT_SetRelOptions":
    case "AT_ResetRelOptions":
    case "AT_ReplaceRelOptions": {
      const names = defElems(bodyOf(cmd.def, "List")?.items).map((d) => d.defname ?? "");
      const exclusive = objtype === "OBJECT_VIEW" || names.some((n) => EXCLUSIVE_OPTIONS.has(n));
      return exclusive ? "AccessExclusiveLock" : SUE;
    }
    default:
      return (cmd.subtype && ALTER_TABLE_MODES[cmd.subtype]) ?? "AccessExclusiveLock";
  }
}

/**
 * Whether ADD COLUMN rewrites the table: a volatile default (including serial's nextval and
 * identity), or a stored generated column. A constant default, now() and other STABLE calls are
 * stored once in the catalog (Postgres 11+). A function not known to be IMMUTABLE or STABLE (built
 * in, or created so by the analysed migrations) is taken as volatile, CREATE FUNCTION's default:
 * the default call is recorded in `volatileDefaults` with whether that is known or assumed.
 */
function addColumnRewrites(out: LockSet, column: ColumnDef): boolean {
  if (SERIAL_TYPES.has(typeNameOf(column.typeName))) return true;
  return constraintsOf(column.constraints).some((c) => {
    if (c.contype === "CONSTR_IDENTITY") return true;
    if (c.contype === "CONSTR_GENERATED") return c.generated_kind !== "v";
    if (c.contype !== "CONSTR_DEFAULT") return false;
    const call = defaultCall(out, c.raw_expr);
    if (!call) return false;
    out.volatileDefaults.push({ column: column.colname ?? "?", ...call });
    if (!call.known)
      out.note(`${call.fn}() is not known to be IMMUTABLE or STABLE: assumed VOLATILE (CREATE FUNCTION's default), so the default is written into every row.`);
    return true;
  });
}

/** The keys of a call `f()`: a name and nothing to walk (no arguments, FILTER, OVER or ORDER BY). */
const BARE_CALL_KEYS = new Set(["funcname", "funcformat", "location"]);

/**
 * volatileCall of a DEFAULT, without the walk of its tree for the two commonest shapes: a constant
 * calls nothing, and `f()` calls f alone.
 */
function defaultCall(out: LockSet, expr: Node | undefined): VolatileCall | undefined {
  const created = (name: string): Volatility | undefined => out.facts?.functionVolatility(name);
  if (bodyOf(expr, "A_Const")) return undefined;
  const call = bodyOf(expr, "FuncCall");
  if (!call || !Object.keys(call).every((key) => BARE_CALL_KEYS.has(key))) return volatileCall(expr, created);
  const fn = strings(call.funcname).at(-1)?.toLowerCase();
  if (!fn) return undefined;
  const { volatility, known } = functionVolatility(fn, created);
  return volatility === "volatile" ? { fn, known } : undefined;
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
  const fields = strings(bodyOf(using, "ColumnRef")?.fields);
  return fields.length > 0 && fields[fields.length - 1] === column;
}

function alterColumnType(out: LockSet, table: RelationRef, cmd: AlterTableCmd): void {
  const column = cmd.name ?? "";
  const def = bodyOf(cmd.def, "ColumnDef");
  const from = out.facts?.columnTypeOf(table, column);
  const to = columnType(def?.typeName);
  const computed = !usingIsPlainColumn(def?.raw_default, column);
  const rewrites = computed || !from || typeChangeRewrites(from, to, { utcSession: out.facts?.timeZoneIsUtc() === true });
  out.typeChanges.push({ table, column, ...(from ? { from } : {}), to, computed, rewrites });
  out.rewrites ||= rewrites;
  if (!computed && !from) {
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
  const partition = refOf(bodyOf(cmd.def, "PartitionCmd")?.name);
  out.add(partition, "AccessExclusiveLock", { reason: `partition being attached to ${parent.relation}: its rows are checked against the bound` });
  out.scans = true;
  out.note("ATTACH PARTITION skips the scan when a validated CHECK constraint on the partition implies the bound.");
  const fallback = out.facts?.defaultPartitionOf(parent);
  if (fallback) out.add(fallback, "AccessExclusiveLock", { reason: `default partition of ${parent.relation}: checked for rows of the new bound` });
}

function detachPartition(out: LockSet, parent: RelationRef, cmd: AlterTableCmd): void {
  const partitionCmd = bodyOf(cmd.def, "PartitionCmd");
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
  const column = bodyOf(cmd.def, "ColumnDef");
  if (cmd.subtype && REWRITING.has(cmd.subtype)) out.rewrites = true;
  switch (cmd.subtype) {
    case "AT_AddColumn":
      if (!column) return;
      // Called for every column (not short-circuited): each volatile default is recorded.
      if (addColumnRewrites(out, column)) out.rewrites = true;
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
      const constraint = bodyOf(cmd.def, "Constraint");
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
      out.add(refOf(bodyOf(cmd.def, "RangeVar")), SUE, { reason: "new parent (INHERIT)" });
      return;
    case "AT_DropInherit":
      out.add(refOf(bodyOf(cmd.def, "RangeVar")), "AccessShareLock", { reason: "former parent (NO INHERIT)" });
      return;
    default:
      return;
  }
}

export function alterTableLocks(out: LockSet, alter: AlterTableStmt): void {
  const table = refOf(alter.relation);
  if (!table) return;
  if (alter.objtype === "OBJECT_TYPE") return; // ALTER TYPE of a composite type: no table
  const cmds = alterCommandsOf(alter);
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
