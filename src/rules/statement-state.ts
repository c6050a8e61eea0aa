import type { Node } from "libpg-query";
import type { MigrationSection } from "../migrations/model.js";
import type { StatementLocks } from "../sql/locks.js";
import type { SqlStatement } from "../sql/parse.js";

/**
 * What holds at each statement of a section as it runs: the transaction (the framework's, or
 * the SQL's own BEGIN … COMMIT), timeouts set, ACCESS EXCLUSIVE locks still held, and what the
 * migration created before it.
 */
export class SectionState {
  inExplicit = false;
  /** The framework's transaction is still open (an explicit COMMIT inside it ends it). */
  frameworkOpen: boolean;
  lockTimeout = false;
  statementTimeout = false;
  /** Timeouts set with SET LOCAL vanish at the end of the transaction. */
  private localTimeouts = new Set<"lock" | "statement">();
  held: string[] = [];

  constructor(
    section: MigrationSection,
    readonly created: CreatedRelations,
  ) {
    this.frameworkOpen = section.inTransaction;
  }

  get inTransaction(): boolean {
    return this.inExplicit || this.frameworkOpen;
  }

  /** Updates the state with a statement that has just run. */
  after(statement: SqlStatement, locks: StatementLocks): void {
    const node = statement.node as Record<string, unknown>;
    if ("TransactionStmt" in node) this.transaction(String((node.TransactionStmt as { kind?: string }).kind ?? ""));
    else if ("VariableSetStmt" in node) this.variable(node.VariableSetStmt as VariableSet);
    for (const lock of locks.locks) {
      if (lock.created) this.created.add(lock.relation);
      else if (lock.mode === "AccessExclusiveLock" && this.inTransaction && !this.held.includes(lock.relation)) {
        this.held.push(lock.relation);
      }
    }
    for (const name of createdNames(statement.node)) this.created.add(name);
    if (!this.inTransaction) this.held = [];
  }

  private transaction(kind: string): void {
    if (kind === "TRANS_STMT_BEGIN" || kind === "TRANS_STMT_START") {
      this.inExplicit = true;
    } else if (kind === "TRANS_STMT_COMMIT" || kind === "TRANS_STMT_ROLLBACK" || kind === "TRANS_STMT_COMMIT_PREPARED") {
      if (this.inExplicit) this.inExplicit = false;
      else this.frameworkOpen = false;
      this.held = [];
      if (this.localTimeouts.has("lock")) this.lockTimeout = false;
      if (this.localTimeouts.has("statement")) this.statementTimeout = false;
      this.localTimeouts.clear();
    }
  }

  private variable(set: VariableSet): void {
    const which = set.name === "lock_timeout" ? "lock" : set.name === "statement_timeout" ? "statement" : undefined;
    if (set.kind === "VAR_RESET_ALL") {
      this.lockTimeout = false;
      this.statementTimeout = false;
      return;
    }
    if (!which) return;
    const on = set.kind === "VAR_SET_VALUE" && !isZero(set.args);
    if (which === "lock") this.lockTimeout = on;
    else this.statementTimeout = on;
    if (set.is_local && on) this.localTimeouts.add(which);
  }
}

interface VariableSet {
  kind?: string;
  name?: string;
  is_local?: boolean;
  args?: unknown[];
}

function isZero(args: unknown[] | undefined): boolean {
  const first = args?.[0] as { A_Const?: { ival?: { ival?: number }; sval?: { sval?: string } } } | undefined;
  const value = first?.A_Const;
  if (!value) return false;
  if (value.ival) return (value.ival.ival ?? 0) === 0;
  return /^\s*0\s*(ms|s|min)?\s*$/i.test(value.sval?.sval ?? "");
}

/** Names a statement creates (tables, indexes, views, types, sequences), unqualified. */
export function createdNames(node: Node): string[] {
  const n = node as unknown as Record<string, Record<string, unknown> | undefined>;
  const rel = (r: unknown) => (r as { relname?: string } | undefined)?.relname;
  const names: Array<string | undefined> = [];
  if (n.CreateStmt) names.push(rel(n.CreateStmt.relation));
  if (n.IndexStmt) names.push(n.IndexStmt.idxname as string | undefined);
  if (n.CreateTableAsStmt) names.push(rel((n.CreateTableAsStmt.into as { rel?: unknown } | undefined)?.rel));
  if (n.ViewStmt) names.push(rel(n.ViewStmt.view));
  if (n.CreateSeqStmt) names.push(rel(n.CreateSeqStmt.sequence));
  if (n.CreateEnumStmt) {
    const typeName = (n.CreateEnumStmt.typeName as Array<{ String?: { sval?: string } }> | undefined) ?? [];
    names.push(typeName.at(-1)?.String?.sval);
  }
  return names.filter((name): name is string => typeof name === "string" && name !== "");
}

/**
 * The relations a migration creates, in the order it creates them. Each statement sees a view of
 * what existed before it: a snapshot is a count, not a copy, so walking long migrations stays linear.
 */
export class CreatedRelations {
  private readonly order = new Map<string, number>();

  add(name: string): void {
    if (!this.order.has(name)) this.order.set(name, this.order.size);
  }

  /** What had been created at this moment. */
  snapshot(): { has(name: string): boolean } {
    const size = this.order.size;
    return { has: (name) => (this.order.get(name) ?? Number.POSITIVE_INFINITY) < size };
  }
}
