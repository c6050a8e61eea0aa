import { describe, expect, it } from "vitest";
import {
  columnType,
  describeLock,
  locksInOrder,
  SchemaFacts,
  statementBlocks,
  statementLocks,
  typeChangeRewrites,
  type StatementLocks,
} from "../../src/sql/locks.js";
import { loadSqlParser, parseSql, type SqlStatement } from "../../src/sql/parse.js";
import { SourceText } from "../../src/sql/source-text.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

const parse = (sql: string): SqlStatement[] => parseSql(new SourceText("m.sql", sql)).statements;
const one = (sql: string): SqlStatement => {
  const statement = parse(sql)[0];
  if (!statement) throw new Error(`no statement in ${sql}`);
  return statement;
};
const locksOf = (sql: string, schema?: string): StatementLocks => statementLocks(one(sql), schema === undefined ? undefined : SchemaFacts.from(parse(schema)));
/** "relation=Mode" for each lock, in order. */
const modes = (sql: string, schema?: string): string[] => locksOf(sql, schema).locks.map((l) => `${l.schema ? `${l.schema}.` : ""}${l.relation}=${l.mode}`);

const SCHEMA = `
CREATE TABLE accounts (id int PRIMARY KEY, email varchar(50) UNIQUE);
CREATE TABLE orders (id int PRIMARY KEY, account_id int REFERENCES accounts (id) ON DELETE CASCADE, note varchar(40), total numeric(10,2));
CREATE TABLE lines (id int, order_id int REFERENCES orders (id));
CREATE INDEX orders_account_idx ON orders (account_id);
CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE events_a PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_other PARTITION OF events DEFAULT;
CREATE VIEW account_emails AS SELECT id, email FROM accounts;
`;

describe("statementLocks without schema facts", () => {
  it("gives ALTER TABLE subcommands their modes, the strongest winning", () => {
    expect(modes("ALTER TABLE orders ADD COLUMN c int")).toEqual(["orders=AccessExclusiveLock"]);
    expect(modes("ALTER TABLE orders VALIDATE CONSTRAINT c")).toEqual(["orders=ShareUpdateExclusiveLock"]);
    expect(modes("ALTER TABLE orders SET (fillfactor = 70)")).toEqual(["orders=ShareUpdateExclusiveLock"]);
    expect(modes("ALTER TABLE orders SET (user_catalog_table = true)")).toEqual(["orders=AccessExclusiveLock"]);
    expect(modes("ALTER TABLE orders DISABLE TRIGGER t")).toEqual(["orders=ShareRowExclusiveLock"]);
    expect(modes("ALTER TABLE orders ALTER COLUMN c SET STATISTICS 100, ENABLE TRIGGER t")).toEqual(["orders=ShareRowExclusiveLock"]);
    expect(modes("ALTER TABLE orders ALTER COLUMN c SET STATISTICS 100, DROP COLUMN d")).toEqual(["orders=AccessExclusiveLock"]);
  });

  it("locks the referenced table of a new foreign key, with a reason", () => {
    const locks = locksOf("ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (account_id) REFERENCES billing.accounts (id) NOT VALID");
    expect(locks.locks).toEqual([
      { relation: "orders", mode: "ShareRowExclusiveLock" },
      { relation: "accounts", schema: "billing", mode: "ShareRowExclusiveLock", reason: "referenced by the new foreign key" },
    ]);
    expect(locks.scans).toBe(false);
    expect(locksOf("ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (account_id) REFERENCES accounts (id)").scans).toBe(true);
    expect(modes("CREATE TABLE payments (id int, account_id int REFERENCES accounts (id), order_id int, FOREIGN KEY (order_id) REFERENCES orders)")).toEqual([
      "payments=AccessExclusiveLock",
      "accounts=ShareRowExclusiveLock",
      "orders=ShareRowExclusiveLock",
    ]);
    expect(locksOf("CREATE TABLE payments (id int)").locks[0]?.created).toBe(true);
  });

  it("names the partition parent and the partition", () => {
    expect(modes("CREATE TABLE e2 PARTITION OF events FOR VALUES FROM (1) TO (2)")).toEqual(["e2=AccessExclusiveLock", "events=AccessExclusiveLock"]);
    expect(modes("ALTER TABLE events ATTACH PARTITION e2 FOR VALUES FROM (1) TO (2)")).toEqual(["events=ShareUpdateExclusiveLock", "e2=AccessExclusiveLock"]);
    expect(modes("ALTER TABLE events DETACH PARTITION e2")).toEqual(["events=AccessExclusiveLock", "e2=AccessExclusiveLock"]);
    const concurrently = locksOf("ALTER TABLE events DETACH PARTITION e2 CONCURRENTLY");
    expect(concurrently.locks.map((l) => l.mode)).toEqual(["ShareUpdateExclusiveLock", "ShareUpdateExclusiveLock"]);
    expect(concurrently.transactional).toBe(false);
  });

  it("says what it cannot know about relations the statement does not name", () => {
    const dropFk = locksOf("ALTER TABLE orders DROP CONSTRAINT orders_account_id_fkey");
    expect(dropFk.locks).toEqual([{ relation: "orders", mode: "AccessExclusiveLock" }]);
    expect(dropFk.notes?.join(" ")).toMatch(/table it references is locked ACCESS EXCLUSIVE/);
    const dropIndex = locksOf("DROP INDEX orders_account_idx");
    expect(dropIndex.locks).toEqual([{ relation: "orders_account_idx", mode: "AccessExclusiveLock" }]);
    expect(dropIndex.notes?.join(" ")).toMatch(/table of orders_account_idx is locked ACCESS EXCLUSIVE/);
    expect(locksOf("DROP TABLE orders").notes?.join(" ")).toMatch(/foreign keys/);
    const truncate = locksOf("TRUNCATE accounts CASCADE");
    expect(truncate.locks).toHaveLength(1);
    expect(truncate.locks[0]?.reason).toMatch(/every table with a foreign key to it is truncated/);
    expect(locksOf("ALTER TABLE orders ALTER COLUMN note TYPE varchar(100)").rewrites).toBe(true); // old type unknown
  });

  it("marks rewrites", () => {
    const rewrites = (sql: string): boolean => locksOf(sql).rewrites;
    expect(rewrites("ALTER TABLE t ADD COLUMN c timestamptz DEFAULT clock_timestamp()")).toBe(true);
    expect(rewrites("ALTER TABLE t ADD COLUMN c uuid DEFAULT uuid_generate_v4()")).toBe(true);
    expect(rewrites("ALTER TABLE t ADD COLUMN c int DEFAULT nextval('s')")).toBe(true);
    expect(rewrites("ALTER TABLE t ADD COLUMN c smallserial")).toBe(true);
    expect(rewrites("ALTER TABLE t ADD COLUMN c int GENERATED BY DEFAULT AS IDENTITY")).toBe(true);
    expect(rewrites("ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (a + 1) STORED")).toBe(true);
    expect(rewrites("ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (a + 1) VIRTUAL")).toBe(false);
    expect(rewrites("ALTER TABLE t ADD COLUMN c timestamptz DEFAULT now()")).toBe(false);
    expect(rewrites("ALTER TABLE t ADD COLUMN c text DEFAULT lower('X')")).toBe(false);
    expect(rewrites("ALTER TABLE t ALTER COLUMN c SET DEFAULT clock_timestamp()")).toBe(false);
    expect(rewrites("ALTER TABLE t SET UNLOGGED")).toBe(true);
    expect(rewrites("ALTER TABLE t SET ACCESS METHOD heap2")).toBe(true);
    expect(rewrites("ALTER TABLE t SET TABLESPACE fast")).toBe(true);
    expect(rewrites("VACUUM FULL t")).toBe(true);
    expect(rewrites("VACUUM t")).toBe(false);
    expect(rewrites("CLUSTER t USING i")).toBe(true);
    expect(rewrites("TRUNCATE t")).toBe(false);
  });

  it("marks scans", () => {
    const scans = (sql: string): boolean => locksOf(sql).scans;
    expect(scans("ALTER TABLE t ALTER COLUMN c SET NOT NULL")).toBe(true);
    expect(scans("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)")).toBe(true);
    expect(scans("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID")).toBe(false);
    expect(scans("ALTER TABLE t ADD PRIMARY KEY (id)")).toBe(true);
    expect(scans("ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX i")).toBe(false);
    expect(scans("ALTER TABLE t VALIDATE CONSTRAINT c")).toBe(true);
    expect(scans("CREATE INDEX i ON t (a)")).toBe(true);
    expect(scans("UPDATE t SET a = 1")).toBe(true);
    expect(scans("UPDATE t SET a = 1 WHERE id = 2")).toBe(false);
    expect(scans("DELETE FROM t")).toBe(true);
    expect(scans("ALTER TABLE t ADD COLUMN c int")).toBe(false);
  });

  it("marks what Postgres refuses in a transaction block", () => {
    const tx = (sql: string): boolean => locksOf(sql).transactional;
    for (const sql of [
      "CREATE INDEX CONCURRENTLY i ON t (a)",
      "DROP INDEX CONCURRENTLY i",
      "REINDEX INDEX CONCURRENTLY i",
      "REINDEX (CONCURRENTLY) TABLE t",
      "VACUUM t",
      "VACUUM (ANALYZE) t",
      "CREATE DATABASE d",
      "DROP DATABASE d",
      "ALTER SYSTEM SET work_mem = '8MB'",
      "CREATE TABLESPACE ts LOCATION '/x'",
      "CLUSTER",
      "REINDEX SCHEMA public",
    ]) {
      expect(tx(sql), sql).toBe(false);
    }
    for (const sql of [
      "CREATE INDEX i ON t (a)",
      "REINDEX (CONCURRENTLY false) TABLE t",
      "ANALYZE t",
      "REFRESH MATERIALIZED VIEW CONCURRENTLY m",
      "ALTER TYPE e ADD VALUE 'x'",
    ]) {
      expect(tx(sql), sql).toBe(true);
    }
  });

  it("locks nothing for statements that touch no table", () => {
    for (const sql of [
      "SET lock_timeout = '1s'",
      "RESET ALL",
      "BEGIN",
      "COMMIT",
      "SHOW search_path",
      "CREATE EXTENSION IF NOT EXISTS pgcrypto",
      "CREATE TYPE e AS ENUM ('a')",
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
      "SELECT 1",
      "CREATE SCHEMA s",
    ]) {
      expect(locksOf(sql), sql).toEqual({ locks: [], rewrites: false, scans: false, transactional: true });
    }
    expect(locksOf("DO $$ BEGIN END $$").notes).toHaveLength(1);
  });

  it("reads DML and queries", () => {
    expect(modes("INSERT INTO orders SELECT * FROM staging")).toEqual(["orders=RowExclusiveLock", "staging=AccessShareLock"]);
    expect(modes("UPDATE orders o SET total = 0 FROM accounts a WHERE a.id = o.account_id")).toEqual(["orders=RowExclusiveLock", "accounts=AccessShareLock"]);
    expect(modes("DELETE FROM orders USING accounts WHERE accounts.id = orders.account_id")).toEqual(["orders=RowExclusiveLock", "accounts=AccessShareLock"]);
    expect(modes("SELECT * FROM orders o JOIN accounts a ON true FOR UPDATE OF o")).toEqual(["orders=RowShareLock", "accounts=AccessShareLock"]);
    expect(modes("SELECT * FROM orders FOR KEY SHARE")).toEqual(["orders=RowShareLock"]);
    expect(modes("WITH recent AS (SELECT * FROM orders) SELECT * FROM recent")).toEqual(["orders=AccessShareLock"]);
    expect(modes("WITH gone AS (DELETE FROM orders RETURNING id) SELECT * FROM gone")).toEqual(["orders=RowExclusiveLock"]);
    expect(modes("SELECT * FROM a UNION SELECT * FROM b")).toEqual(["a=AccessShareLock", "b=AccessShareLock"]);
    expect(modes("COPY orders FROM STDIN")).toEqual(["orders=RowExclusiveLock"]);
    expect(modes("COPY orders TO STDOUT")).toEqual(["orders=AccessShareLock"]);
  });

  it("merges a relation named again in a statement of many relations as in a short one (first place kept, stronger mode)", () => {
    const tables = Array.from({ length: 10 }, (_, i) => `t${i + 1}`);
    const sql = `WITH gone AS (DELETE FROM t10 RETURNING id) SELECT * FROM ${tables.join(", ")}, public.t3, other.t3, gone`;
    expect(modes(sql)).toEqual([...tables.map((t) => `${t}=${t === "t10" ? "RowExclusiveLock" : "AccessShareLock"}`), "other.t3=AccessShareLock"]);
  });

  it("takes LOCK TABLE's named mode, ACCESS EXCLUSIVE by default", () => {
    expect(modes("LOCK TABLE a")).toEqual(["a=AccessExclusiveLock"]);
    expect(modes("LOCK a, s.b IN SHARE ROW EXCLUSIVE MODE")).toEqual(["a=ShareRowExclusiveLock", "s.b=ShareRowExclusiveLock"]);
    expect(modes("LOCK TABLE a IN ACCESS SHARE MODE")).toEqual(["a=AccessShareLock"]);
    expect(modes("LOCK TABLE a IN EXCLUSIVE MODE NOWAIT")).toEqual(["a=ExclusiveLock"]);
  });

  it("covers indexes, views, sequences, comments and the rest", () => {
    expect(modes("CREATE INDEX i ON s.t (a)")).toEqual(["s.t=ShareLock", "s.i=AccessExclusiveLock"]);
    expect(modes("CREATE INDEX CONCURRENTLY i ON t (a)")).toEqual(["t=ShareUpdateExclusiveLock", "i=AccessExclusiveLock"]);
    expect(modes("REINDEX INDEX i")).toEqual(["i=AccessExclusiveLock"]);
    expect(locksOf("REINDEX TABLE t").locks).toEqual([{ relation: "t", mode: "ShareLock", indexes: "AccessExclusiveLock" }]);
    expect(modes("ALTER INDEX i RENAME TO j")).toEqual(["i=ShareUpdateExclusiveLock"]);
    expect(modes("ALTER TABLE t RENAME TO u")).toEqual(["t=AccessExclusiveLock"]);
    expect(modes("ALTER TABLE t SET SCHEMA archive")).toEqual(["t=AccessExclusiveLock"]);
    expect(modes("COMMENT ON COLUMN s.t.c IS 'x'")).toEqual(["s.t=ShareUpdateExclusiveLock"]);
    expect(modes("COMMENT ON TRIGGER tr ON t IS 'x'")).toEqual(["t=AccessShareLock"]);
    expect(modes("COMMENT ON FUNCTION f() IS 'x'")).toEqual([]);
    expect(modes("CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()")).toEqual(["t=ShareRowExclusiveLock"]);
    expect(modes("DROP TRIGGER tr ON s.t")).toEqual(["s.t=AccessExclusiveLock"]);
    expect(modes("CREATE POLICY p ON t USING (true)")).toEqual(["t=AccessExclusiveLock"]);
    expect(modes("REFRESH MATERIALIZED VIEW CONCURRENTLY m")).toEqual(["m=ExclusiveLock"]);
    expect(locksOf("REFRESH MATERIALIZED VIEW m").rewrites).toBe(true);
    expect(modes("CREATE VIEW v AS SELECT * FROM t")).toEqual(["v=AccessExclusiveLock", "t=AccessShareLock"]);
    expect(modes("ALTER SEQUENCE s RESTART")).toEqual(["s=ShareRowExclusiveLock"]);
    expect(modes("DROP SEQUENCE s, t")).toEqual(["s=AccessExclusiveLock", "t=AccessExclusiveLock"]);
    expect(modes("DROP TYPE e")).toEqual([]);
    expect(modes("GRANT SELECT ON t TO PUBLIC")).toEqual(["t=AccessShareLock"]);
    expect(modes("ANALYZE t")).toEqual(["t=ShareUpdateExclusiveLock"]);
    expect(modes("CREATE STATISTICS st ON a, b FROM t")).toEqual(["t=ShareUpdateExclusiveLock"]);
    expect(modes("EXPLAIN ANALYZE UPDATE t SET a = 1")).toEqual(["t=RowExclusiveLock"]);
  });
});

describe("statementLocks with schema facts", () => {
  it("resolves the table of an index and the referenced table of a dropped foreign key", () => {
    expect(modes("DROP INDEX orders_account_idx", SCHEMA)).toEqual(["orders_account_idx=AccessExclusiveLock", "orders=AccessExclusiveLock"]);
    expect(modes("DROP INDEX accounts_pkey", SCHEMA)).toEqual(["accounts_pkey=AccessExclusiveLock", "accounts=AccessExclusiveLock"]);
    expect(modes("REINDEX INDEX orders_account_idx", SCHEMA)).toEqual(["orders_account_idx=AccessExclusiveLock", "orders=ShareLock"]);
    expect(modes("ALTER TABLE orders DROP CONSTRAINT orders_account_id_fkey", SCHEMA)).toEqual(["orders=AccessExclusiveLock", "accounts=AccessExclusiveLock"]);
    expect(locksOf("ALTER TABLE orders DROP CONSTRAINT orders_account_id_fkey", SCHEMA).notes).toBeUndefined();
    expect(modes("DROP TABLE lines", SCHEMA)).toEqual(["lines=AccessExclusiveLock", "orders=AccessExclusiveLock"]);
    const dropIndexConcurrently = locksOf("DROP INDEX CONCURRENTLY orders_account_idx", SCHEMA);
    expect(dropIndexConcurrently.locks.map((l) => `${l.relation}=${l.mode}${l.unused ? " unused" : ""}`)).toEqual([
      "orders_account_idx=AccessExclusiveLock unused",
      "orders=ShareUpdateExclusiveLock",
    ]);
  });

  it("follows foreign keys for TRUNCATE CASCADE (transitively) and DROP CASCADE", () => {
    expect(modes("TRUNCATE accounts CASCADE", SCHEMA)).toEqual(["accounts=AccessExclusiveLock", "orders=AccessExclusiveLock", "lines=AccessExclusiveLock"]);
    expect(modes("DROP TABLE accounts CASCADE", SCHEMA)).toEqual([
      "accounts=AccessExclusiveLock",
      "orders=AccessExclusiveLock",
      "account_emails=AccessExclusiveLock",
    ]);
  });

  it("recurses to partitions and the default partition", () => {
    expect(modes("ALTER TABLE events ADD COLUMN c int", SCHEMA)).toEqual([
      "events=AccessExclusiveLock",
      "events_a=AccessExclusiveLock",
      "events_other=AccessExclusiveLock",
    ]);
    expect(modes("ALTER TABLE ONLY events ADD COLUMN c int", SCHEMA)).toEqual(["events=AccessExclusiveLock"]);
    expect(modes("ALTER TABLE events OWNER TO bob", SCHEMA)).toEqual(["events=AccessExclusiveLock"]);
    expect(modes("CREATE TABLE events_b PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')", SCHEMA)).toEqual([
      "events_b=AccessExclusiveLock",
      "events=AccessExclusiveLock",
      "events_other=AccessExclusiveLock",
    ]);
    expect(locksOf("REINDEX TABLE events", SCHEMA).transactional).toBe(false);
    expect(modes("DROP TABLE events_a", SCHEMA)).toEqual(["events_a=AccessExclusiveLock", "events=AccessExclusiveLock"]);
  });

  it("adds conditional foreign-key locks to DML", () => {
    const insert = locksOf("INSERT INTO orders (id, account_id) VALUES (1, 1)", SCHEMA);
    expect(insert.locks.map((l) => `${l.relation}=${l.mode}${l.conditional ? "?" : ""}`)).toEqual(["orders=RowExclusiveLock", "accounts=RowShareLock?"]);
    expect(modes("UPDATE orders SET note = 'x'", SCHEMA)).toEqual(["orders=RowExclusiveLock"]);
    // ON DELETE CASCADE deletes from orders, whose lines are then checked (no action).
    expect(modes("DELETE FROM accounts WHERE id = 1", SCHEMA)).toEqual(["accounts=RowExclusiveLock", "orders=RowExclusiveLock", "lines=RowShareLock"]);
  });

  it("decides type-change rewrites from the known column type", () => {
    expect(locksOf("ALTER TABLE orders ALTER COLUMN note TYPE varchar(100)", SCHEMA).rewrites).toBe(false);
    expect(locksOf("ALTER TABLE orders ALTER COLUMN note TYPE varchar(10)", SCHEMA).rewrites).toBe(true);
    expect(locksOf("ALTER TABLE orders ALTER COLUMN note TYPE varchar(100) USING note || ''", SCHEMA).rewrites).toBe(true);
    expect(locksOf("ALTER TABLE orders ALTER COLUMN total TYPE numeric(14,2)", SCHEMA).rewrites).toBe(false);
    const fkColumn = locksOf("ALTER TABLE orders ALTER COLUMN account_id TYPE bigint", SCHEMA);
    expect(fkColumn.rewrites).toBe(true);
    expect(fkColumn.locks.map((l) => l.relation)).toEqual(["orders", "accounts"]);
  });

  it("learns in order: renames, drops and later statements", () => {
    const facts = SchemaFacts.from(
      parse(`${SCHEMA}
      ALTER TABLE orders RENAME TO purchases;
      ALTER INDEX orders_account_idx RENAME TO purchases_account_idx;
      ALTER TABLE purchases ALTER COLUMN note TYPE text;
      DROP TABLE lines;`),
    );
    expect(statementLocks(one("DROP INDEX purchases_account_idx"), facts).locks.map((l) => l.relation)).toEqual(["purchases_account_idx", "purchases"]);
    expect(statementLocks(one("ALTER TABLE purchases ALTER COLUMN note TYPE varchar"), facts).rewrites).toBe(false);
    expect(statementLocks(one("TRUNCATE purchases CASCADE"), facts).locks.map((l) => l.relation)).toEqual(["purchases"]);
    expect(facts.foreignKeysFrom({ relation: "purchases" }).map((fk) => fk.references.relation)).toEqual(["accounts"]);
  });
});

describe("locksInOrder", () => {
  it("lets each statement see what the statements before it created", () => {
    const locks = locksInOrder(
      parse(
        "CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE b (id int, a_id int REFERENCES a (id));\nCREATE INDEX b_a_idx ON b (a_id);\nDROP INDEX b_a_idx;\nDROP TABLE b;",
      ),
    );
    expect(locks.map((l) => l.locks.map((lock) => `${lock.relation}=${lock.mode}`))).toEqual([
      ["a=AccessExclusiveLock"],
      ["b=AccessExclusiveLock", "a=ShareRowExclusiveLock"],
      ["b=ShareLock", "b_a_idx=AccessExclusiveLock"],
      ["b_a_idx=AccessExclusiveLock", "b=AccessExclusiveLock"],
      ["b=AccessExclusiveLock", "a=AccessExclusiveLock"],
    ]);
  });
});

describe("typeChangeRewrites", () => {
  const type = (sql: string): ReturnType<typeof columnType> => {
    const create = one(`CREATE TABLE t (c ${sql})`).node as { CreateStmt: { tableElts: Array<{ ColumnDef: { typeName: Parameters<typeof columnType>[0] } }> } };
    return columnType(create.CreateStmt.tableElts[0]?.ColumnDef.typeName);
  };
  it.each([
    ["varchar(10)", "varchar(20)", false],
    ["varchar(10)", "varchar(10)", false],
    ["varchar(20)", "varchar(10)", true],
    ["varchar(10)", "text", false],
    ["varchar(10)", "varchar", false],
    ["varchar", "varchar(10)", true],
    ["text", "varchar", false],
    ["text", "character varying(5)", true],
    ["numeric(10,2)", "numeric(12,2)", false],
    ["numeric(10,2)", "numeric(12,3)", true],
    ["numeric(10,2)", "numeric(8,2)", true],
    ["numeric(10,2)", "numeric", false],
    ["numeric", "numeric(10,2)", true],
    ["decimal(10)", "numeric(11,0)", false],
    ["bit varying(5)", "varbit(8)", false],
    ["varbit(8)", "varbit(5)", true],
    ["cidr", "inet", false],
    ["inet", "cidr", true],
    ["timestamp", "timestamptz", true],
    ["int", "bigint", true],
    ["integer", "int4", false],
    ["text", "text[]", true],
    ["char(5)", "char(10)", true],
  ])("%s → %s rewrites: %s", (from, to, expected) => {
    expect(typeChangeRewrites(type(from), type(to))).toBe(expected);
  });
});

describe("statementBlocks and describeLock", () => {
  const blocks = (sql: string, schema?: string): { reads: boolean; writes: boolean } => statementBlocks(locksOf(sql, schema));
  it("tells what ordinary traffic the strongest lock on an existing relation blocks", () => {
    expect(blocks("ALTER TABLE t ADD COLUMN c int")).toEqual({ reads: true, writes: true });
    expect(blocks("CREATE INDEX i ON t (a)")).toEqual({ reads: false, writes: true });
    expect(blocks("CREATE INDEX CONCURRENTLY i ON t (a)")).toEqual({ reads: false, writes: false });
    expect(blocks("ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id) NOT VALID")).toEqual({ reads: false, writes: true });
    expect(blocks("ALTER TABLE t VALIDATE CONSTRAINT c")).toEqual({ reads: false, writes: false });
    expect(blocks("REFRESH MATERIALIZED VIEW CONCURRENTLY m")).toEqual({ reads: false, writes: true });
    expect(blocks("UPDATE t SET a = 1")).toEqual({ reads: false, writes: false });
    expect(blocks("SET lock_timeout = '1s'")).toEqual({ reads: false, writes: false });
  });

  it("ignores created relations and counts REINDEX's index locks", () => {
    expect(blocks("CREATE TABLE t (id int)")).toEqual({ reads: false, writes: false });
    expect(blocks("CREATE TABLE t (id int REFERENCES u (id))")).toEqual({ reads: false, writes: true });
    expect(blocks("REINDEX TABLE t")).toEqual({ reads: true, writes: true });
    expect(blocks("DROP INDEX CONCURRENTLY orders_account_idx", SCHEMA)).toEqual({ reads: false, writes: false });
  });

  it("describes a lock", () => {
    expect(describeLock({ relation: "orders", mode: "AccessExclusiveLock" })).toBe("ACCESS EXCLUSIVE on orders");
    expect(describeLock({ relation: "invoices", schema: "billing", mode: "ShareUpdateExclusiveLock" })).toBe("SHARE UPDATE EXCLUSIVE on billing.invoices");
  });
});
