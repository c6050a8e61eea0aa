import { LOCK_MODES, strongerLock, type LockMode } from "../sql/lock-modes.js";
import type { ReplayEngine } from "./engine.js";

/**
 * What one statement really does to the relations, read from Postgres while the migration's
 * transaction is still open: the caller sends BEGIN, then each statement through
 * `traceStatement`, then COMMIT or ROLLBACK. Locks are held until the transaction ends, so
 * pg_locks of this backend after a statement shows every lock the statement took (and those of the
 * statements before it); a relfilenode that changed shows a rewrite.
 *
 * What this cannot see:
 * - Statements Postgres refuses inside a transaction block (CREATE/DROP INDEX CONCURRENTLY,
 *   REINDEX CONCURRENTLY, ALTER TABLE … DETACH PARTITION CONCURRENTLY, VACUUM, CREATE DATABASE …)
 *   fail with SQLSTATE 25001 here. The caller runs them outside a transaction, where their locks
 *   are gone when they return: PGlite has a single backend, so nothing can watch them while they
 *   run. Their locks have to come from the static model (src/sql/locks.ts).
 * - A statement that fails releases nothing useful to read: the error aborts the transaction.
 *   `traceStatement` lets the error through unchanged.
 * - Lock waits and queues: there is no other session (PGlite), so nothing ever waits.
 * - Outside a transaction block every statement commits at once and `held` is empty.
 *
 * Only relations in user schemas count: system catalogs (every statement locks some, including
 * the tracing queries themselves and their lock on the pg_locks view), TOAST tables (locked with
 * their table), and temporary tables (no other session can wait on them) are left out. Relation
 * locks only: advisory, transaction-id and object locks are not reported.
 */

/** pg_class.relkind in words. */
export type RelationKind =
  "table" | "partitioned table" | "foreign table" | "view" | "materialized view" | "sequence" | "index" | "partitioned index" | "composite type";

const RELATION_KINDS: Record<string, RelationKind> = {
  r: "table",
  p: "partitioned table",
  f: "foreign table",
  v: "view",
  m: "materialized view",
  S: "sequence",
  i: "index",
  I: "partitioned index",
  c: "composite type",
};

export interface RelationName {
  oid: number;
  schema: string;
  name: string;
}

/** A relation of a user schema, as the catalog had it when read. */
export interface RelationInfo extends RelationName {
  kind: RelationKind;
  /** pg_class.relfilenode: a new number means new storage (a rewrite, or TRUNCATE's empty file). 0 for relations without storage. */
  filenode: number;
  /** For an index: its table. */
  table?: RelationName;
}

/** User relations by OID. */
export type RelationCatalog = ReadonlyMap<number, RelationInfo>;

export interface HeldLock extends RelationName {
  kind: RelationKind;
  /** The strongest mode this transaction holds on the relation. */
  mode: LockMode;
  /** For an index: its table. */
  table?: RelationName;
  /** The relation no longer exists (this transaction dropped it); its name comes from an earlier catalog. */
  dropped?: true;
}

export interface TracedLock extends HeldLock {
  /** The statement created the relation, so nobody else could have been waiting on it. */
  created: boolean;
}

export interface StatementTrace {
  /** Locks the statement took that the transaction did not hold before, or held in a weaker mode. */
  locks: TracedLock[];
  /** Every relation lock the transaction holds after the statement. */
  held: HeldLock[];
  /**
   * Tables and materialized views that existed before the statement and got new storage: a
   * rewrite (ALTER COLUMN TYPE, a volatile DEFAULT, VACUUM FULL, CLUSTER) or TRUNCATE's empty file.
   */
  rewritten: RelationInfo[];
  /** Relations that did not exist before the statement (new tables, their indexes and sequences, new indexes). */
  created: RelationInfo[];
  /** Relations that existed before the statement and do not any more. */
  dropped: RelationInfo[];
  /**
   * Every user relation known so far in the transaction, dropped ones included: pass it to the
   * next `traceStatement` so locks on relations dropped earlier keep their names in `held`.
   */
  relations: RelationCatalog;
}

type Db = Pick<ReplayEngine, "query">;

/** Every OID and number is sent as text: the drivers of the two engines map oid and int8 differently. */
const CATALOG = `
SELECT c.oid::text AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind, c.relfilenode::text AS filenode,
       t.oid::text AS table_oid, tn.nspname AS table_schema, t.relname AS table_name
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_index x ON x.indexrelid = c.oid
LEFT JOIN pg_class t ON t.oid = x.indrelid
LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'`;

/** The relation locks of this backend, by OID and Postgres mode name. Named through the catalogs read around it. */
const LOCKS = `
SELECT l.relation::text AS oid, l.mode
FROM pg_locks l
WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted
  AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())`;

/** Reads the user relations (tables, indexes, sequences, views, …) with their relfilenode. No locks taken on them. */
export async function relationCatalog(db: Db): Promise<Map<number, RelationInfo>> {
  const catalog = new Map<number, RelationInfo>();
  for (const row of await db.query(CATALOG)) {
    const kind = RELATION_KINDS[String(row.relkind)];
    if (!kind) continue;
    const info: RelationInfo = { oid: toNumber(row.oid), schema: String(row.schema), name: String(row.name), kind, filenode: toNumber(row.filenode) };
    if (row.table_oid != null) info.table = { oid: toNumber(row.table_oid), schema: String(row.table_schema), name: String(row.table_name) };
    catalog.set(info.oid, info);
  }
  return catalog;
}

/** relfilenode of every user table, materialized view and index, by OID. Read it before a statement and after to see what it rewrote. */
export async function relationFilenodes(db: Db): Promise<Map<number, number>> {
  const filenodes = new Map<number, number>();
  for (const info of (await relationCatalog(db)).values()) {
    if (info.kind === "table" || info.kind === "materialized view" || info.kind === "index") filenodes.set(info.oid, info.filenode);
  }
  return filenodes;
}

/** The Postgres name of a relation lock mode ("AccessExclusiveLock") as a LockMode, undefined for anything else. */
export function lockModeOf(postgresMode: string): LockMode | undefined {
  return (LOCK_MODES as readonly string[]).includes(postgresMode) ? (postgresMode as LockMode) : undefined;
}

/**
 * The relation locks this backend holds now, the strongest mode per relation, sorted by schema
 * and name. Relations the transaction dropped are named from `known` (an earlier catalog) and
 * marked `dropped`; those `known` does not name are left out (they include the transient tables
 * a rewrite creates and drops). System catalogs, TOAST and temporary tables are never reported.
 */
export async function heldLocks(db: Db, known?: RelationCatalog): Promise<HeldLock[]> {
  return locksNamedBy(db, await relationCatalog(db), known);
}

/** heldLocks, with the current catalog already read. */
async function locksNamedBy(db: Db, live: RelationCatalog, known: RelationCatalog | undefined): Promise<HeldLock[]> {
  const strongest = new Map<number, LockMode>();
  for (const row of await db.query(LOCKS)) {
    const mode = lockModeOf(String(row.mode));
    if (!mode) continue;
    const oid = toNumber(row.oid);
    const current = strongest.get(oid);
    strongest.set(oid, current ? strongerLock(current, mode) : mode);
  }
  const locks: HeldLock[] = [];
  for (const [oid, mode] of strongest) {
    const now = live.get(oid);
    const info = now ?? known?.get(oid);
    if (!info) continue;
    const lock: HeldLock = { oid, schema: info.schema, name: info.name, kind: info.kind, mode };
    if (info.table) lock.table = info.table;
    if (!now) lock.dropped = true;
    locks.push(lock);
  }
  return locks.sort(byName);
}

/**
 * Runs one statement (db.exec) inside the caller's open transaction and reports what it locked,
 * rewrote, created and dropped. `known` is the `relations` of the previous trace in the same
 * transaction, for the names of relations dropped earlier. Errors from the statement propagate
 * unchanged (the transaction is then aborted: the caller rolls back).
 */
export async function traceStatement(db: Pick<ReplayEngine, "exec" | "query">, sql: string, known?: RelationCatalog): Promise<StatementTrace> {
  const before = await relationCatalog(db);
  const remembered = new Map<number, RelationInfo>([...(known ?? []), ...before]);
  const heldBefore = await locksNamedBy(db, before, remembered);

  await db.exec(sql);

  const after = await relationCatalog(db);
  const relations = new Map<number, RelationInfo>([...remembered, ...after]);
  const held = await locksNamedBy(db, after, relations);

  const modeBefore = new Map(heldBefore.map((l) => [l.oid, l.mode]));
  const locks = held
    .filter((l) => {
      const previous = modeBefore.get(l.oid);
      return previous === undefined || strongerLock(previous, l.mode) !== previous;
    })
    .map((l): TracedLock => ({ ...l, created: !before.has(l.oid) }));

  const rewritten = [...before.values()].filter((old) => {
    const now = after.get(old.oid);
    return (old.kind === "table" || old.kind === "materialized view") && now !== undefined && now.filenode !== old.filenode;
  });
  const created = [...after.values()].filter((now) => !before.has(now.oid));
  const dropped = [...before.values()].filter((old) => !after.has(old.oid));

  return { locks, held, rewritten: rewritten.sort(byName), created: created.sort(byName), dropped: dropped.sort(byName), relations };
}

function byName(a: RelationName, b: RelationName): number {
  const x = `${a.schema}.${a.name}`;
  const y = `${b.schema}.${b.name}`;
  return x < y ? -1 : x > y ? 1 : a.oid - b.oid;
}

function toNumber(value: unknown): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`expected a number from the catalog, got ${String(value)}`);
  return n;
}
