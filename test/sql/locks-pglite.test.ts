import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCK_MODES, type LockMode } from "../../src/sql/lock-modes.js";
import { SchemaFacts, statementLocks, type StatementLocks } from "../../src/sql/locks.js";
import { loadSqlParser, parseSql, type SqlStatement } from "../../src/sql/parse.js";
import { SourceText } from "../../src/sql/source-text.js";
import { BASE_SCHEMA, CLUSTER_SETUP, CLUSTER_TEARDOWN, LOCK_FIXTURES, type DocumentedLocks, type LockFixture } from "../fixtures/locks/statements.js";

/**
 * The lock model against real Postgres (PGlite = Postgres 18 in WASM). For each fixture:
 * setup, then `BEGIN; <statement>; <pg_locks of this backend>; ROLLBACK`, and the model's answer
 * (given the facts learnt from the setup SQL) is compared with what Postgres took:
 *
 * - every relation the model names must show in pg_locks with exactly that mode as its strongest
 *   lock; a `conditional` lock (foreign-key check, partition routing) may be weaker or absent; a
 *   `created` relation must be new and hold that mode; `indexes` must match every index of the table;
 * - every table, partitioned table, materialized view or view that Postgres locks more strongly
 *   than ACCESS SHARE must be in the model. Indexes, sequences, TOAST tables and system catalogs
 *   are ignored unless the model names them: they follow from their table's lock (or take a
 *   lock nobody queues on), and catalogs are locked by nearly every statement;
 * - `rewrites` must match a change of relfilenode of a pre-existing table or materialized view
 *   inside the transaction (TRUNCATE's new empty storage is not a rewrite: documented per fixture);
 * - for DDL, `scans` must match a sequential scan (pg_stat_get_xact_numscans) of a relation the
 *   statement holds more strongly than ACCESS SHARE. DML and queries are left out (on these tiny
 *   tables the planner scans for any WHERE), and so is TRUNCATE (it rebuilds indexes over the new
 *   empty storage, which counts as a scan).
 *
 * Statements Postgres refuses in a transaction block must be refused (SQLSTATE 25001), and the
 * model must give the locks the fixture documents.
 */

interface Observed {
  oid: number;
  relation: string;
  schema: string;
  relkind: string;
  mode?: LockMode;
  existedBefore: boolean;
  tableOid?: number;
  rewritten: boolean;
  scanned: boolean;
}

interface CompareOptions {
  newEmptyStorage?: boolean;
  checkScans: boolean;
}

const TABLE_KINDS = new Set(["r", "p", "m", "v", "f"]);
const rank = (mode: LockMode | undefined): number => (mode ? LOCK_MODES.indexOf(mode) : -1);
const keyOf = (relation: string, schema: string | undefined): string => `${schema ?? "public"}.${relation}`;

/** What is wrong with the model's answer, given what Postgres did. Empty when they agree. */
function compareWithPostgres(model: StatementLocks, observed: Observed[], options: CompareOptions): string[] {
  const problems: string[] = [];
  const byKey = new Map(observed.map((o) => [keyOf(o.relation, o.schema), o]));
  const named = new Set<string>();
  for (const lock of model.locks) {
    const key = keyOf(lock.relation, lock.schema);
    named.add(key);
    const seen = byKey.get(key);
    if (lock.created) {
      if (!seen || seen.existedBefore) problems.push(`${key}: the model says it is created, Postgres did not create it`);
      else if (seen.mode !== lock.mode) problems.push(`${key}: created, model ${lock.mode}, Postgres ${seen.mode ?? "no lock"}`);
      continue;
    }
    if (lock.conditional) {
      if (rank(seen?.mode) > rank(lock.mode)) problems.push(`${key}: model at most ${lock.mode}, Postgres ${seen?.mode ?? "no lock"}`);
    } else if (seen?.mode !== lock.mode) {
      problems.push(`${key}: model ${lock.mode}, Postgres ${seen?.mode ?? "no lock"}`);
    }
    if (lock.indexes && seen) {
      for (const index of observed.filter((o) => o.tableOid === seen.oid && o.existedBefore)) {
        if (index.mode !== lock.indexes)
          problems.push(`${keyOf(index.relation, index.schema)} (index of ${key}): model ${lock.indexes}, Postgres ${index.mode ?? "no lock"}`);
      }
    }
  }
  for (const o of observed) {
    const key = keyOf(o.relation, o.schema);
    if (TABLE_KINDS.has(o.relkind) && rank(o.mode) > rank("AccessShareLock") && !named.has(key)) {
      problems.push(`${key}: Postgres took ${o.mode ?? ""}, the model does not name it`);
    }
  }
  const rewritten = observed.filter((o) => o.rewritten).map((o) => o.relation);
  if (options.newEmptyStorage) {
    if (model.rewrites || rewritten.length === 0)
      problems.push(`expected new empty storage without a rewrite; model rewrites=${model.rewrites}, new storage: ${rewritten.join(", ") || "none"}`);
  } else if (model.rewrites !== rewritten.length > 0) {
    problems.push(`model rewrites=${model.rewrites}, Postgres rewrote: ${rewritten.join(", ") || "nothing"}`);
  }
  if (options.checkScans) {
    const scanned = observed.filter((o) => o.scanned).map((o) => o.relation);
    if (model.scans && scanned.length === 0) problems.push("model scans=true, Postgres scanned nothing under a lock");
    if (!model.scans && !model.rewrites && scanned.length > 0) problems.push(`model scans=false, Postgres scanned: ${scanned.join(", ")}`);
  }
  return problems;
}

/** What is wrong with the model's answer for a statement that cannot run in a transaction block. */
function compareWithDocs(model: StatementLocks, documented: DocumentedLocks): string[] {
  const problems: string[] = [];
  if (model.transactional) problems.push("model says transactional, Postgres refuses it in a transaction block");
  if (model.rewrites !== documented.rewrites) problems.push(`model rewrites=${model.rewrites}, documented ${documented.rewrites}`);
  const describe = (l: { relation: string; mode: LockMode; created?: boolean }): string => `${l.relation}=${l.mode}${l.created ? " (created)" : ""}`;
  const modelLocks = model.locks.map(describe).sort();
  const docLocks = documented.locks.map(describe).sort();
  if (modelLocks.join(", ") !== docLocks.join(", "))
    problems.push(`model [${modelLocks.join(", ")}], documented [${docLocks.join(", ")}] (${documented.source})`);
  return problems;
}

function parseOne(sql: string): SqlStatement {
  const { statements, errors } = parseSql(new SourceText("fixture.sql", sql));
  if (errors.length > 0 || statements.length !== 1 || !statements[0]) throw new Error(`fixture must be one statement: ${sql}`);
  return statements[0];
}

function describeModel(model: StatementLocks): string {
  const locks = model.locks.map((l) => `${l.relation}=${l.mode}${l.created ? " (created)" : ""}${l.conditional ? " (conditional)" : ""}`);
  return `[${locks.join(", ")}] rewrites=${model.rewrites} scans=${model.scans}`;
}

function describeObserved(observed: Observed[]): string {
  const locks = observed.filter((o) => o.mode).map((o) => `${o.relation}(${o.relkind})=${o.mode ?? ""}`);
  const rewritten = observed.filter((o) => o.rewritten).map((o) => o.relation);
  const scanned = observed.filter((o) => o.scanned).map((o) => o.relation);
  return `[${locks.sort().join(", ")}] rewritten=[${rewritten.join(", ")}] scanned=[${scanned.join(", ")}]`;
}

const SNAPSHOT = `
SELECT c.oid::int AS oid, c.relname, n.nspname, c.relkind, c.relfilenode::int AS filenode,
       pg_stat_get_xact_numscans(c.oid)::int AS scans, i.indrelid::int AS table_oid
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_index i ON i.indexrelid = c.oid
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`;
const LOCKS = "SELECT relation::int AS oid, relation::regclass::text AS name, mode FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation'";

interface SnapshotRow {
  oid: number;
  relname: string;
  nspname: string;
  relkind: string;
  filenode: number;
  scans: number;
  table_oid: number | null;
}

const DML = new Set(["SelectStmt", "InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt", "CopyStmt", "ExplainStmt"]);

describe("lock model against PGlite (Postgres 18)", () => {
  let db: PGlite;
  let baseFacts: SqlStatement[] = [];
  /** The agreement, printed at the end: statements whose locks Postgres showed, and those it refuses in a transaction. */
  const tally = { observed: 0, agreed: 0, documented: 0, documentedAgreed: 0 };

  const reset = async (): Promise<void> => {
    await db.exec(`DROP SCHEMA public CASCADE; CREATE SCHEMA public; ${BASE_SCHEMA}`);
  };

  beforeAll(async () => {
    await loadSqlParser();
    baseFacts = parseSql(new SourceText("base.sql", BASE_SCHEMA)).statements;
    db = await PGlite.create();
    await db.exec("SET max_parallel_workers_per_gather = 0");
    // The tablespace directory lives in PGlite's in-memory file system (its FS type needs @types/emscripten).
    (db.Module.FS as unknown as { mkdirTree(path: string): void }).mkdirTree("/tmp/lock-ts");
    for (const sql of CLUSTER_SETUP) await db.exec(sql);
    await reset();
  }, 120_000);

  afterAll(async () => {
    process.stdout.write(
      `lock model vs PGlite (Postgres 18): ${tally.agreed} of ${tally.observed} statements agree on every relation lock, rewrite and scan; ` +
        `${tally.documentedAgreed} of ${tally.documented} statements that cannot run in a transaction agree with the documented locks\n`,
    );
    if (!db) return;
    await db.exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    for (const sql of CLUSTER_TEARDOWN) await db.exec(sql);
    await db.close();
  }, 60_000);

  const factsFor = (fixture: LockFixture): SchemaFacts => {
    const setup = fixture.setup ? parseSql(new SourceText("setup.sql", fixture.setup)).statements : [];
    return SchemaFacts.from([...baseFacts, ...setup]);
  };

  const observe = async (fixture: LockFixture): Promise<Observed[]> => {
    await db.exec("BEGIN");
    try {
      if (fixture.session) await db.exec(fixture.session);
      const before = (await db.query<SnapshotRow>(SNAPSHOT)).rows;
      await db.exec(fixture.sql);
      const locks = (await db.query<{ oid: number; name: string; mode: LockMode }>(LOCKS)).rows;
      const after = (await db.query<SnapshotRow>(SNAPSHOT)).rows;
      const beforeByOid = new Map(before.map((r) => [r.oid, r]));
      const afterByOid = new Map(after.map((r) => [r.oid, r]));
      const strongest = new Map<number, LockMode>();
      for (const lock of locks) {
        const current = strongest.get(lock.oid);
        if (!current || rank(lock.mode) > rank(current)) strongest.set(lock.oid, lock.mode);
      }
      const all = new Map([...before, ...after].map((r) => [r.oid, r]));
      return [...all.values()].map((row): Observed => {
        const old = beforeByOid.get(row.oid);
        const now = afterByOid.get(row.oid);
        const mode = strongest.get(row.oid);
        const storage = row.relkind === "r" || row.relkind === "m";
        const observed: Observed = {
          oid: row.oid,
          relation: old?.relname ?? row.relname,
          schema: old?.nspname ?? row.nspname,
          relkind: row.relkind,
          existedBefore: old !== undefined,
          rewritten: storage && old !== undefined && now !== undefined && now.filenode !== old.filenode,
          scanned: storage && old !== undefined && now !== undefined && now.scans > old.scans && rank(mode) > rank("AccessShareLock"),
        };
        if (mode) observed.mode = mode;
        if (row.table_oid !== null) observed.tableOid = row.table_oid;
        return observed;
      });
    } finally {
      await db.exec("ROLLBACK");
    }
  };

  it("has enough distinct statements, one statement each, with unique names", () => {
    expect(LOCK_FIXTURES.length).toBeGreaterThanOrEqual(70);
    expect(new Set(LOCK_FIXTURES.map((f) => f.name)).size).toBe(LOCK_FIXTURES.length);
    expect(new Set(LOCK_FIXTURES.map((f) => `${f.setup ?? ""}|${f.session ?? ""}|${f.sql}`)).size).toBe(LOCK_FIXTURES.length);
    for (const fixture of LOCK_FIXTURES) parseOne(fixture.sql);
  });

  it("catches a wrong model (meta-test of the comparison)", () => {
    const observed: Observed[] = [
      { oid: 1, relation: "orders", schema: "public", relkind: "r", mode: "AccessExclusiveLock", existedBefore: true, rewritten: false, scanned: false },
      { oid: 2, relation: "accounts", schema: "public", relkind: "r", mode: "ShareRowExclusiveLock", existedBefore: true, rewritten: false, scanned: false },
      {
        oid: 3,
        relation: "orders_pkey",
        schema: "public",
        relkind: "i",
        mode: "AccessExclusiveLock",
        existedBefore: true,
        tableOid: 1,
        rewritten: false,
        scanned: false,
      },
    ];
    const right: StatementLocks = {
      locks: [
        { relation: "orders", mode: "AccessExclusiveLock" },
        { relation: "accounts", mode: "ShareRowExclusiveLock" },
      ],
      rewrites: false,
      scans: false,
      transactional: true,
    };
    expect(compareWithPostgres(right, observed, { checkScans: true })).toEqual([]);
    const wrongMode: StatementLocks = {
      ...right,
      locks: [
        { relation: "orders", mode: "ShareLock" },
        { relation: "accounts", mode: "ShareRowExclusiveLock" },
      ],
    };
    expect(compareWithPostgres(wrongMode, observed, { checkScans: true })).toEqual(["public.orders: model ShareLock, Postgres AccessExclusiveLock"]);
    const missing: StatementLocks = { ...right, locks: [{ relation: "orders", mode: "AccessExclusiveLock" }] };
    expect(compareWithPostgres(missing, observed, { checkScans: true })).toEqual([
      "public.accounts: Postgres took ShareRowExclusiveLock, the model does not name it",
    ]);
    expect(compareWithPostgres({ ...right, rewrites: true }, observed, { checkScans: true })).toHaveLength(1);
    expect(compareWithPostgres({ ...right, scans: true }, observed, { checkScans: true })).toHaveLength(1);
    const wrongIndexes: StatementLocks = {
      ...right,
      locks: [
        { relation: "orders", mode: "AccessExclusiveLock", indexes: "ShareLock" },
        { relation: "accounts", mode: "ShareRowExclusiveLock" },
      ],
    };
    expect(compareWithPostgres(wrongIndexes, observed, { checkScans: true })).toHaveLength(1);
    expect(compareWithDocs(right, { locks: [{ relation: "orders", mode: "AccessExclusiveLock" }], rewrites: false, source: "test" })).toHaveLength(2);
  });

  for (const fixture of LOCK_FIXTURES) {
    it(fixture.name, async () => {
      const statement = parseOne(fixture.sql);
      const model = statementLocks(statement, factsFor(fixture));
      if (fixture.setup) await db.exec(fixture.setup);
      try {
        if (fixture.documented) {
          await db.exec("BEGIN");
          const refused = await db.exec(fixture.sql).then(
            () => "accepted",
            (error: unknown) => (error as { code?: string }).code ?? "error",
          );
          await db.exec("ROLLBACK");
          expect(refused, `${fixture.sql}: Postgres should refuse it in a transaction block`).toBe("25001");
          const problems = compareWithDocs(model, fixture.documented);
          tally.documented++;
          if (problems.length === 0) tally.documentedAgreed++;
          expect(problems, `${fixture.sql}\n  model: ${describeModel(model)}`).toEqual([]);
          return;
        }
        const observed = await observe(fixture);
        // TRUNCATE rebuilds the indexes over the new, empty storage: pg_stat counts that as a scan.
        const options: CompareOptions = { checkScans: !DML.has(statement.kind) && !fixture.newEmptyStorage };
        if (fixture.newEmptyStorage) options.newEmptyStorage = true;
        const problems = compareWithPostgres(model, observed, options);
        tally.observed++;
        if (problems.length === 0 && model.transactional) tally.agreed++;
        expect(problems, `${fixture.sql}\n  model:    ${describeModel(model)}\n  postgres: ${describeObserved(observed)}`).toEqual([]);
        expect(model.transactional, `${fixture.sql}: ran in a transaction block`).toBe(true);
      } finally {
        if (fixture.setup) await reset();
      }
    });
  }
});
