import type { AlterTableCmd, Constraint } from "libpg-query";
import { FRAMEWORKS } from "../migrations/frameworks/index.js";
import type { FrameworkId, Migration } from "../migrations/model.js";
import { LOCK_MODE_SQL, LOCK_MODES, type LockMode } from "../sql/lock-modes.js";
import type { RelationLock } from "../sql/locks.js";
import { alterCommandsOf, bodyOf, constraintsOf } from "../sql/nodes.js";
import { transactionKind as transactionKindOf } from "../sql/statements.js";
import type { AnalyzedStatement, Fix, SectionAnalysis } from "./types.js";

/**
 * Helpers shared by the locking rules: which tables already exist, what a lock blocks in words,
 * severities and estimates for configured tables, fixes, and the framework's transaction opt-out.
 */

/** The table when it existed before this migration (not created earlier in it), else undefined. */
export function existing(statement: AnalyzedStatement, name: string | undefined): string | undefined {
  return name && !statement.createdRelations.has(name) ? name : undefined;
}

export function atLeast(mode: LockMode, min: LockMode): boolean {
  return LOCK_MODES.indexOf(mode) >= LOCK_MODES.indexOf(min);
}

/** What ordinary traffic waits while a lock of this mode is held, as a phrase. */
export function blockedPhrase(mode: LockMode): string {
  if (mode === "AccessExclusiveLock") return "every read and write";
  if (atLeast(mode, "ShareLock")) return "every INSERT, UPDATE and DELETE";
  if (mode === "ShareUpdateExclusiveLock") return "every other schema change, VACUUM or index build";
  return "every ACCESS EXCLUSIVE request";
}

export function lockSql(mode: LockMode): string {
  return LOCK_MODE_SQL[mode];
}

/**
 * The strongest lock of at least `min` the statement takes on a relation that existed before the
 * migration (not created by this statement nor earlier in the migration), per the lock model.
 */
export function strongestExistingLock(statement: AnalyzedStatement, min: LockMode): RelationLock | undefined {
  let strongest: RelationLock | undefined;
  for (const lock of statement.locks.locks) {
    if (lock.created || statement.createdRelations.has(lock.relation) || !atLeast(lock.mode, min)) continue;
    if (!strongest || LOCK_MODES.indexOf(lock.mode) > LOCK_MODES.indexOf(strongest.mode)) strongest = lock;
  }
  return strongest;
}

/** Tables whose ACCESS EXCLUSIVE lock, taken earlier in the transaction, is held while the statement runs (existing tables only). */
export function heldExisting(statement: AnalyzedStatement): string[] {
  return statement.heldAccessExclusive.filter((t) => !statement.createdRelations.has(t));
}

/** The text of the statement on one line, shortened: "ALTER TABLE orders ADD COLUMN …". */
export function summary(statement: AnalyzedStatement, max = 60): string {
  const flat = statement.text
    .replace(/--[^\n]*/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

/**
 * A fix that replaces the statement's lines with `text` + ";". Only when the statement starts its
 * line (so the replaced lines hold nothing else before it) and carries no comment inside.
 */
export function statementFix(statement: AnalyzedStatement, title: string, text: string): Fix | undefined {
  if (statement.column !== 1 || /--|\/\*/.test(statement.text) || text === statement.text) return undefined;
  return { title, line: statement.line, endLine: statement.endLine, replacement: `${text};` };
}

/** The ALTER TABLE subcommands of the statement (none for anything else). */
export function alterCommands(statement: AnalyzedStatement): { table: string | undefined; commands: AlterTableCmd[] } {
  const alter = bodyOf(statement.node, "AlterTableStmt");
  return { table: alter?.relation?.relname, commands: alterCommandsOf(alter) };
}

/** The constraint an `ADD CONSTRAINT` subcommand adds. */
export function addedConstraint(command: AlterTableCmd): Constraint | undefined {
  return command.subtype === "AT_AddConstraint" ? bodyOf(command.def, "Constraint") : undefined;
}

/** The constraints written inline on an `ADD COLUMN` subcommand, with the column's name. */
export function addedColumn(command: AlterTableCmd): { column: string; constraints: Constraint[] } | undefined {
  if (command.subtype !== "AT_AddColumn") return undefined;
  const column = bodyOf(command.def, "ColumnDef");
  if (!column) return undefined;
  return { column: column.colname ?? "?", constraints: constraintsOf(column.constraints) };
}

/**
 * How a command adds a key constraint of `contype` that builds its own index (not `USING INDEX`):
 * "ADD CONSTRAINT name UNIQUE", "ADD UNIQUE", or "ADD COLUMN c … UNIQUE"; undefined when it adds none.
 */
export function addedKeyConstraint(command: AlterTableCmd, contype: "CONSTR_PRIMARY" | "CONSTR_UNIQUE", keyword: string): string | undefined {
  const constraint = addedConstraint(command);
  if (constraint?.contype === contype && !constraint.indexname) {
    return constraint.conname ? `ADD CONSTRAINT ${constraint.conname} ${keyword}` : `ADD ${keyword}`;
  }
  const column = addedColumn(command);
  if (column?.constraints.some((c) => c.contype === contype)) return `ADD COLUMN ${column.column} … ${keyword}`;
  return undefined;
}

/** Whether the constraint is checked against existing rows when added (the parser marks NOT VALID and NOT ENFORCED alike). */
export function validatedOnAdd(constraint: Constraint): boolean {
  return constraint.skip_validation !== true;
}

/** Added NOT VALID, to be validated later (as opposed to NOT ENFORCED, which is never validated). */
export function addedNotValid(constraint: Constraint): boolean {
  return constraint.skip_validation === true && (constraint.is_enforced === true || constraint.contype === "CONSTR_NOTNULL");
}

/** The up sections' statements, in order (a down is not forward DDL). */
export function upStatements(sections: readonly SectionAnalysis[]): AnalyzedStatement[] {
  return sections.filter((s) => s.section.direction === "up").flatMap((s) => s.statements);
}

/** COMMIT, ROLLBACK, BEGIN and friends: a transaction boundary. */
export function transactionKind(statement: AnalyzedStatement): string | undefined {
  return transactionKindOf(statement.node);
}

/**
 * For the CONCURRENTLY advice of a statement that runs in a transaction block: how this one gets
 * out of it (out of the file's own BEGIN … COMMIT, or the runner's way out, which the fix carries
 * only where it lives in the same file: fix-check.ts). Empty outside a transaction.
 */
export function leaveTransactionAdvice(migration: Migration, statement: AnalyzedStatement): string {
  if (!statement.inTransaction) return "";
  if (statement.inExplicitTransaction)
    return " Here it runs inside the migration's BEGIN … COMMIT block: move it out of that block, into a migration of its own.";
  return ` This migration runs in a transaction: ${noTransactionOptOut(migration.framework)}.`;
}

/** How to run a migration of this framework outside a transaction: the framework's own advice. */
export function noTransactionOptOut(framework: FrameworkId): string {
  return FRAMEWORKS[framework].texts.leaveTransaction;
}
