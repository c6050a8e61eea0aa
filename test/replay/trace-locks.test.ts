import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ReplayEngine, Row } from "../../src/replay/engine.js";
import { heldLocks, lockModeOf, relationFilenodes, traceStatement, type HeldLock, type StatementTrace } from "../../src/replay/trace-locks.js";

/**
 * The statement tracer against real Postgres (PGlite): what pg_locks and relfilenode show for one
 * statement inside an open transaction. Expected modes are PostgreSQL's documented ones
 * (https://www.postgresql.org/docs/current/sql-altertable.html, sql-createindex.html).
 */

type Db = Pick<ReplayEngine, "exec" | "query">;

/** The adapter, and the last error its exec threw (to check that errors come through unchanged). */
function engineOf(pglite: PGlite): Db & { lastError?: unknown } {
  const db: Db & { lastError?: unknown } = {
    exec: async (sql) => {
      try {
        await pglite.exec(sql);
      } catch (error) {
        db.lastError = error;
        throw error;
      }
    },
    query: async (sql, params) => (await pglite.query<Row>(sql, params ? [...params] : undefined)).rows,
  };
  return db;
}

const SCHEMA = `
CREATE TABLE t (id int PRIMARY KEY, x int);
INSERT INTO t SELECT g, g FROM generate_series(1, 50) g;
CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE c (id int, p int);
CREATE TABLE u (y int);
`;

/** "name=Mode" for each lock on a table (indexes and sequences left out), sorted. */
const tableLocks = (locks: HeldLock[]): string[] => locks.filter((l) => l.kind === "table").map((l) => `${l.name}=${l.mode}`);

describe("statement tracer (PGlite)", () => {
  let pglite: PGlite;
  let db: ReturnType<typeof engineOf>;

  beforeAll(async () => {
    pglite = await PGlite.create();
    db = engineOf(pglite);
  }, 120_000);

  afterAll(async () => {
    await pglite?.close();
  }, 60_000);

  beforeEach(async () => {
    await db.exec(`DROP SCHEMA public CASCADE; CREATE SCHEMA public; ${SCHEMA}`);
  });

  /** Runs the statements in one transaction, tracing each, and rolls back. */
  const trace = async (...statements: string[]): Promise<StatementTrace[]> => {
    const traces: StatementTrace[] = [];
    await db.exec("BEGIN");
    try {
      for (const sql of statements) traces.push(await traceStatement(db, sql, traces.at(-1)?.relations));
    } finally {
      await db.exec("ROLLBACK");
    }
    return traces;
  };

  const only = async (sql: string): Promise<StatementTrace> => (await trace(sql))[0] as StatementTrace;

  it("ADD COLUMN with a volatile default: ACCESS EXCLUSIVE, and the table is rewritten", async () => {
    const result = await only("ALTER TABLE t ADD COLUMN c int DEFAULT (random() * 10)::int");
    expect(tableLocks(result.locks)).toEqual(["t=AccessExclusiveLock"]);
    expect(result.rewritten.map((r) => r.name)).toEqual(["t"]);
    expect(result.created).toEqual([]);
  });

  it("ADD COLUMN with a constant default: ACCESS EXCLUSIVE, no rewrite", async () => {
    const result = await only("ALTER TABLE t ADD COLUMN d int DEFAULT 0");
    expect(tableLocks(result.locks)).toEqual(["t=AccessExclusiveLock"]);
    expect(result.rewritten).toEqual([]);
  });

  it("CREATE INDEX: SHARE on the table, no rewrite, the index is created", async () => {
    const result = await only("CREATE INDEX ON t (x)");
    expect(tableLocks(result.locks)).toEqual(["t=ShareLock"]);
    expect(result.rewritten).toEqual([]);
    expect(result.created).toEqual([
      expect.objectContaining({ schema: "public", name: "t_x_idx", kind: "index", table: expect.objectContaining({ name: "t" }) }),
    ]);
    expect(result.locks.find((l) => l.name === "t_x_idx")).toMatchObject({ created: true, table: { schema: "public", name: "t" } });
    expect(result.locks.find((l) => l.name === "t")).toMatchObject({ created: false });
  });

  it("a NOT VALID foreign key: SHARE ROW EXCLUSIVE on both tables", async () => {
    const result = await only("ALTER TABLE c ADD CONSTRAINT fk FOREIGN KEY (p) REFERENCES p (id) NOT VALID");
    expect(tableLocks(result.locks)).toEqual(["c=ShareRowExclusiveLock", "p=ShareRowExclusiveLock"]);
    expect(result.rewritten).toEqual([]);
  });

  it("two statements in one transaction: the second reports only what it added, held has both", async () => {
    const [first, second] = await trace(
      "ALTER TABLE p ADD COLUMN d int DEFAULT 0",
      "ALTER TABLE c ADD CONSTRAINT fk FOREIGN KEY (p) REFERENCES p (id) NOT VALID",
    );
    expect(tableLocks(first?.locks ?? [])).toEqual(["p=AccessExclusiveLock"]);
    // p is already held ACCESS EXCLUSIVE: the foreign key's SHARE ROW EXCLUSIVE on it adds nothing.
    expect(tableLocks(second?.locks ?? [])).toEqual(["c=ShareRowExclusiveLock"]);
    expect(tableLocks(second?.held ?? [])).toEqual(["c=ShareRowExclusiveLock", "p=AccessExclusiveLock"]);
  });

  it("a stronger lock on a relation already held is reported as added", async () => {
    const [, second] = await trace("CREATE INDEX ON t (x)", "ALTER TABLE t ADD COLUMN d int");
    expect(tableLocks(second?.locks ?? [])).toEqual(["t=AccessExclusiveLock"]);
  });

  it("ALTER COLUMN TYPE: rewrite, and no lock on the transient table Postgres builds and drops", async () => {
    const result = await only("ALTER TABLE t ALTER COLUMN x TYPE bigint");
    expect(result.rewritten.map((r) => r.name)).toEqual(["t"]);
    expect(result.locks.map((l) => `${l.name}=${l.mode}`)).toEqual(["t=AccessExclusiveLock", "t_pkey=AccessExclusiveLock"]);
  });

  it("DROP TABLE: the lock on the dropped table keeps its name, in this statement and the next", async () => {
    const [drop, next] = await trace("DROP TABLE u", "CREATE TABLE v (a int)");
    expect(drop?.locks).toEqual([
      { oid: expect.any(Number), schema: "public", name: "u", kind: "table", mode: "AccessExclusiveLock", dropped: true, created: false },
    ]);
    expect(drop?.dropped.map((r) => r.name)).toEqual(["u"]);
    expect(tableLocks(next?.held ?? [])).toEqual(["u=AccessExclusiveLock", "v=AccessExclusiveLock"]);
    expect(next?.locks.map((l) => `${l.name} created=${l.created}`)).toEqual(["v created=true"]);
  });

  it("lets a failing statement's error through unchanged", async () => {
    await db.exec("BEGIN");
    try {
      const failing = traceStatement(db, "ALTER TABLE missing ADD COLUMN a int");
      await expect(failing).rejects.toMatchObject({ code: "42P01" });
      await failing.catch((error: unknown) => expect(error).toBe(db.lastError));
    } finally {
      await db.exec("ROLLBACK");
    }
  });

  it("cannot trace CREATE INDEX CONCURRENTLY: Postgres refuses it in a transaction block", async () => {
    await db.exec("BEGIN");
    try {
      await expect(traceStatement(db, "CREATE INDEX CONCURRENTLY ON t (x)")).rejects.toMatchObject({ code: "25001" });
    } finally {
      await db.exec("ROLLBACK");
    }
  });

  it("heldLocks reports user relations only, never catalogs or the pg_locks view", async () => {
    await db.exec("BEGIN");
    try {
      await db.query("SELECT count(*) FROM pg_class");
      await db.query("SELECT * FROM t WHERE id = 1");
      const held = await heldLocks(db);
      expect(held.map((l) => `${l.schema}.${l.name}=${l.mode}`)).toEqual(["public.t=AccessShareLock", "public.t_pkey=AccessShareLock"]);
      expect(held[1]).toMatchObject({ kind: "index", table: { schema: "public", name: "t" } });
    } finally {
      await db.exec("ROLLBACK");
    }
  });

  it("relationFilenodes covers tables, materialized views and indexes, and sees new storage", async () => {
    const oids = Object.fromEntries(
      (await db.query("SELECT relname, oid::text AS oid FROM pg_class WHERE relname IN ('t', 't_pkey', 'p')")).map((r) => [String(r.relname), Number(r.oid)]),
    );
    await db.exec("BEGIN");
    try {
      const before = await relationFilenodes(db);
      expect([...before.keys()]).toEqual(expect.arrayContaining([oids.t, oids.t_pkey, oids.p]));
      await db.exec("TRUNCATE t");
      const after = await relationFilenodes(db);
      expect(after.get(oids.t as number)).not.toBe(before.get(oids.t as number));
      expect(after.get(oids.p as number)).toBe(before.get(oids.p as number));
    } finally {
      await db.exec("ROLLBACK");
    }
  });

  it("maps Postgres lock mode names, and nothing else", () => {
    expect(lockModeOf("AccessExclusiveLock")).toBe("AccessExclusiveLock");
    expect(lockModeOf("ShareUpdateExclusiveLock")).toBe("ShareUpdateExclusiveLock");
    expect(lockModeOf("SIReadLock")).toBeUndefined();
  });
});
