import type { Node } from "libpg-query";
import type { ColumnType } from "./column-types.js";
import { LOCK_MODES, strongerLock, type LockMode } from "./lock-modes.js";
import { refKey, type RelationRef } from "./nodes.js";
import type { SchemaFacts } from "./schema-facts.js";

/** What the lock model says about one statement, and the set that accumulates it. */

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

/** One ALTER COLUMN … TYPE, as the lock model judged it. */
export interface ColumnTypeChange {
  table: RelationRef;
  column: string;
  /** The column's type before, when the facts know it (set earlier in the analysed migrations). */
  from?: ColumnType;
  to: ColumnType;
  /** USING computes new values (anything but the column itself): always a rewrite. */
  computed: boolean;
  rewrites: boolean;
}

/** ADD COLUMN … DEFAULT calling a function that is volatile, or not known to be IMMUTABLE or STABLE. */
export interface VolatileDefault {
  column: string;
  fn: string;
  /** True when known volatile (built in, or created without IMMUTABLE/STABLE); false when the function was never seen. */
  known: boolean;
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
  /** ALTER COLUMN … TYPE subcommands, each with its verdict. */
  typeChanges?: ColumnTypeChange[];
  /** ADD COLUMN subcommands whose DEFAULT calls a volatile (or unknown) function: each rewrites the table. */
  volatileDefaults?: VolatileDefault[];
}

interface LockOptions {
  reason?: string;
  created?: boolean;
  conditional?: boolean;
  unused?: boolean;
  indexes?: LockMode;
}

const NO_OPTIONS: LockOptions = {};

/** Above this many relations, `add` finds a relation's lock through a map instead of a scan of the list. */
const SCAN_LIMIT = 8;

function sameRef(lock: RelationLock, ref: RelationRef): boolean {
  return lock.relation === ref.relation && (lock.schema ?? "public") === (ref.schema ?? "public");
}

export class LockSet {
  /**
   * The locks in the order first added. Most statements lock one to three relations: a scan of
   * this list finds a relation without building its key; the map is made only for long lists.
   */
  private readonly locks: RelationLock[] = [];
  private byKey: Map<string, number> | undefined;
  rewrites = false;
  scans = false;
  transactional = true;
  readonly notes: string[] = [];
  readonly typeChanges: ColumnTypeChange[] = [];
  readonly volatileDefaults: VolatileDefault[] = [];

  constructor(
    readonly facts: SchemaFacts | undefined,
    /** Adds the locks of a nested statement (a data-modifying CTE, EXPLAIN ANALYZE, CREATE SCHEMA's elements). */
    readonly visit: (out: LockSet, node: Node) => void,
  ) {}

  /** Adds a lock, or strengthens the one already there (the first added stays first). */
  add(ref: RelationRef | undefined, mode: LockMode, options: LockOptions = NO_OPTIONS): void {
    if (!ref) return;
    const at = this.indexOf(ref);
    if (at < 0) {
      this.locks.push(newLock(ref, mode, options));
      if (this.byKey) this.byKey.set(refKey(ref), this.locks.length - 1);
      else if (this.locks.length > SCAN_LIMIT) this.byKey = new Map(this.locks.map((lock, i) => [refKey(lock), i]));
      return;
    }
    const existing = this.locks[at] as RelationLock;
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
    this.locks[at] = merged;
  }

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  /** The statement's locks. The set is done with: its lists are handed over, not copied. */
  result(): StatementLocks {
    const result: StatementLocks = { locks: this.locks, rewrites: this.rewrites, scans: this.scans, transactional: this.transactional };
    if (this.notes.length > 0) result.notes = this.notes;
    if (this.typeChanges.length > 0) result.typeChanges = this.typeChanges;
    if (this.volatileDefaults.length > 0) result.volatileDefaults = this.volatileDefaults;
    return result;
  }

  private indexOf(ref: RelationRef): number {
    if (this.byKey) return this.byKey.get(refKey(ref)) ?? -1;
    for (let i = 0; i < this.locks.length; i++) if (sameRef(this.locks[i] as RelationLock, ref)) return i;
    return -1;
  }
}

/** A new lock: the relation as given, its mode, then only the options that are set (in this order). */
function newLock(ref: RelationRef, mode: LockMode, options: LockOptions): RelationLock {
  const lock: RelationLock = { ...ref, mode };
  if (options === NO_OPTIONS) return lock;
  if (options.reason) lock.reason = options.reason;
  if (options.created) lock.created = true;
  if (options.conditional) lock.conditional = true;
  if (options.unused) lock.unused = true;
  if (options.indexes) lock.indexes = options.indexes;
  return lock;
}

/** Locks every partition and inheritance child of `table` too (statements without ONLY recurse). */
export function addDescendants(out: LockSet, table: RelationRef | undefined, mode: LockMode, conditional = false): void {
  if (!table || !out.facts) return;
  for (const child of out.facts.descendantsOf(table)) {
    const reason = `${child.partition ? "partition" : "child table"} of ${child.parent.relation}`;
    out.add(child.child, mode, { reason, conditional });
  }
}
