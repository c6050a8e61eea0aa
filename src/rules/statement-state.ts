import type { MigrationSection } from "../migrations/model.js";
import { createdRelationNames, type StatementEffects } from "../sql/effects.js";
import type { StatementLocks } from "../sql/locks.js";
import type { SqlStatement } from "../sql/parse.js";
import { settingChange, transactionKind, type SettingChange } from "../sql/statements.js";

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
  /** Replaced, never changed in place: each statement is handed the list as it is (most share one). */
  held: readonly string[] = [];

  /**
   * The section is sent as one query of several statements: Postgres wraps every statement in an
   * implicit transaction block. A COMMIT ends the block, and the next statement opens another, so
   * this holds for the whole section.
   */
  readonly implicit: boolean;

  constructor(
    section: MigrationSection,
    readonly created: CreatedRelations,
    statementCount: number,
  ) {
    this.frameworkOpen = section.inTransaction;
    this.implicit = section.oneQuery === true && statementCount > 1;
  }

  get inTransaction(): boolean {
    return this.inExplicit || this.frameworkOpen || this.implicit;
  }

  /** In the implicit block of a multi-statement query, with no BEGIN of the SQL's or the framework's around it. */
  get inImplicitOnly(): boolean {
    return this.implicit && !this.inExplicit && !this.frameworkOpen;
  }

  /** Updates the state with a statement that has just run. */
  after(statement: SqlStatement, locks: StatementLocks, effects: StatementEffects): void {
    const transaction = transactionKind(statement.node);
    const setting = transaction === undefined ? settingChange(statement.node) : undefined;
    if (transaction !== undefined) this.transaction(transaction);
    else if (setting) this.variable(setting);
    for (const lock of locks.locks) {
      if (lock.created) this.created.add(lock.relation);
      else if (lock.mode === "AccessExclusiveLock" && this.inTransaction && !this.held.includes(lock.relation)) {
        this.held = [...this.held, lock.relation];
      }
    }
    for (const name of createdRelationNames(effects)) this.created.add(name);
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

  private variable(set: SettingChange): void {
    const which = set.name === "lock_timeout" ? "lock" : set.name === "statement_timeout" ? "statement" : undefined;
    if (set.resetAll) {
      this.lockTimeout = false;
      this.statementTimeout = false;
      return;
    }
    if (!which) return;
    // Outside a transaction block SET LOCAL does nothing: Postgres warns "SET LOCAL can only be
    // used in transaction blocks" and the setting keeps its value (proven in statement-state-pglite).
    if (set.local && !this.inTransaction) return;
    if (which === "lock") this.lockTimeout = set.on;
    else this.statementTimeout = set.on;
    if (set.local && set.on) this.localTimeouts.add(which);
  }
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
    return new CreatedBefore(this.order, this.order.size);
  }
}

/** The relations created before a statement: the first `size` of `order` (one small object, no closure). */
class CreatedBefore {
  constructor(
    private readonly order: ReadonlyMap<string, number>,
    private readonly size: number,
  ) {}

  has(name: string): boolean {
    return (this.order.get(name) ?? Number.POSITIVE_INFINITY) < this.size;
  }
}
