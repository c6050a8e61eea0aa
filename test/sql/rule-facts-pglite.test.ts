import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The Postgres facts behind set-not-null-scan, ban-add-primary-key (USING INDEX), require-lock-timeout
 * (SET LOCAL outside a transaction) and require-if-not-exists (ADD CONSTRAINT), run in PGlite
 * (Postgres 18). A scan is seen two ways: pg_stat_get_xact_numscans of the table, and behaviour: with
 * a NULL row hidden behind a check the catalogue is told is validated, a statement that scans fails
 * ("contains null values") and one that trusts the check succeeds.
 */

interface Outcome {
  /** Sequential scans of `t` the statement made. */
  scans: number;
  /** The statement's error, if Postgres refused it. */
  error?: string;
  /** Strongest lock the transaction holds on `t` after the statement. */
  lock?: string;
}

describe("rule facts against PGlite (Postgres 18)", () => {
  let db: PGlite;

  beforeAll(async () => {
    db = await PGlite.create();
  }, 120_000);

  afterAll(async () => {
    await db?.close();
  });

  const scansOfT = async (): Promise<number> => (await db.query<{ n: number }>("SELECT pg_stat_get_xact_numscans('t'::regclass)::int AS n")).rows[0]?.n ?? 0;

  /** A fresh table t (id, a, b) of 100 rows, `setup` committed, then `statement` in a transaction rolled back. */
  const run = async (setup: string, statement: string): Promise<Outcome> => {
    await db.exec(`DROP TABLE IF EXISTS t; CREATE TABLE t (id int, a int, b int); INSERT INTO t SELECT g, g, g FROM generate_series(1, 100) g; ${setup}`);
    await db.exec("BEGIN");
    try {
      const before = await scansOfT();
      try {
        await db.exec(statement);
      } catch (error) {
        return { scans: -1, error: (error as Error).message };
      }
      const scans = (await scansOfT()) - before;
      const lock = (
        await db.query<{ mode: string }>(
          "SELECT mode FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation' AND relation = 't'::regclass ORDER BY mode = 'AccessExclusiveLock' DESC LIMIT 1",
        )
      ).rows[0]?.mode;
      return { scans, ...(lock ? { lock } : {}) };
    } finally {
      await db.exec("ROLLBACK");
    }
  };

  /** A NULL in `a` behind a CHECK (a IS NOT NULL) the catalogue is told is validated: a scan would find it. */
  const hiddenNull = (column: string) =>
    `UPDATE t SET a = NULL WHERE id = 1; ALTER TABLE t ADD CONSTRAINT t_check CHECK (${column} IS NOT NULL) NOT VALID; UPDATE pg_constraint SET convalidated = true WHERE conname = 't_check';`;

  describe("SET NOT NULL", () => {
    const setNotNull = "ALTER TABLE t ALTER COLUMN a SET NOT NULL";

    it("scans the table under ACCESS EXCLUSIVE", async () => {
      expect(await run("", setNotNull)).toEqual({ scans: 1, lock: "AccessExclusiveLock" });
      expect((await run("UPDATE t SET a = NULL WHERE id = 1;", setNotNull)).error).toContain("contains null values");
    });

    it("skips the scan when a validated CHECK (col IS NOT NULL) on that column exists, validated in an earlier transaction", async () => {
      const validated = "ALTER TABLE t ADD CONSTRAINT t_check CHECK (a IS NOT NULL) NOT VALID; ALTER TABLE t VALIDATE CONSTRAINT t_check;";
      expect(await run(validated, setNotNull)).toEqual({ scans: 0, lock: "AccessExclusiveLock" });
      // It trusts the check: the hidden NULL goes unnoticed.
      expect(await run(hiddenNull("a"), setNotNull)).toEqual({ scans: 0, lock: "AccessExclusiveLock" });
    });

    it("scans when the check is on another column or not validated", async () => {
      const otherColumn = "ALTER TABLE t ADD CONSTRAINT t_check CHECK (b IS NOT NULL) NOT VALID; ALTER TABLE t VALIDATE CONSTRAINT t_check;";
      expect(await run(otherColumn, setNotNull)).toEqual({ scans: 1, lock: "AccessExclusiveLock" });
      expect((await run(`UPDATE t SET a = NULL WHERE id = 1; ${otherColumn}`, setNotNull)).error).toContain("contains null values");
      expect(await run("ALTER TABLE t ADD CONSTRAINT t_check CHECK (a IS NOT NULL) NOT VALID;", setNotNull)).toEqual({
        scans: 1,
        lock: "AccessExclusiveLock",
      });
    });

    it("does nothing on a column already NOT NULL, or whose NOT NULL constraint was added NOT VALID and validated (Postgres 18)", async () => {
      expect(await run("ALTER TABLE t ALTER COLUMN a SET NOT NULL;", setNotNull)).toMatchObject({ scans: 0 });
      expect(
        await run("ALTER TABLE t ADD CONSTRAINT t_a_not_null NOT NULL a NOT VALID; ALTER TABLE t VALIDATE CONSTRAINT t_a_not_null;", setNotNull),
      ).toMatchObject({
        scans: 0,
      });
    });
  });

  describe("ADD PRIMARY KEY USING INDEX", () => {
    const addKey = "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_a_idx";
    const index = "CREATE UNIQUE INDEX t_a_idx ON t (a);";

    it("makes nullable key columns NOT NULL with a scan under ACCESS EXCLUSIVE", async () => {
      expect(await run(index, addKey)).toEqual({ scans: 1, lock: "AccessExclusiveLock" });
      expect((await run(`UPDATE t SET a = NULL WHERE id = 1; ${index}`, addKey)).error).toContain("contains null values");
      await db.exec(`DROP TABLE IF EXISTS t; CREATE TABLE t (id int, a int); ${index} ${addKey}`);
      const notNull = await db.query<{ attnotnull: boolean }>("SELECT attnotnull FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'a'");
      expect(notNull.rows[0]?.attnotnull).toBe(true);
    });

    it("does not scan when the columns are NOT NULL already or proven by a validated check", async () => {
      expect(await run(`ALTER TABLE t ALTER COLUMN a SET NOT NULL; ${index}`, addKey)).toEqual({ scans: 0, lock: "AccessExclusiveLock" });
      expect(await run(`ALTER TABLE t ADD CONSTRAINT t_check CHECK (a IS NOT NULL); ${index}`, addKey)).toEqual({ scans: 0, lock: "AccessExclusiveLock" });
      expect(await run(`${hiddenNull("a")} ${index}`, addKey)).toEqual({ scans: 0, lock: "AccessExclusiveLock" });
    });
  });

  it("ignores SET LOCAL outside a transaction block, with a warning", async () => {
    const notices: string[] = [];
    await db.query("SET LOCAL lock_timeout = '5s'", [], { onNotice: (notice) => notices.push(notice.message ?? "") });
    expect(notices).toEqual(["SET LOCAL can only be used in transaction blocks"]);
    expect((await db.query<{ lock_timeout: string }>("SHOW lock_timeout")).rows[0]?.lock_timeout).toBe("0");
    // Inside one it holds until the transaction ends.
    await db.exec("BEGIN; SET LOCAL lock_timeout = '5s';");
    expect((await db.query<{ lock_timeout: string }>("SHOW lock_timeout")).rows[0]?.lock_timeout).toBe("5s");
    await db.exec("COMMIT");
    expect((await db.query<{ lock_timeout: string }>("SHOW lock_timeout")).rows[0]?.lock_timeout).toBe("0");
  });

  it("fails a re-run of a named ADD CONSTRAINT or a primary key, and duplicates an unnamed one", async () => {
    await db.exec("DROP TABLE IF EXISTS t; CREATE TABLE t (id int, a int)");
    const twice = async (sql: string): Promise<string | undefined> => {
      await db.exec(sql);
      try {
        await db.exec(sql);
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(await twice("ALTER TABLE t ADD CONSTRAINT t_a_positive CHECK (a > 0)")).toBe('constraint "t_a_positive" for relation "t" already exists');
    expect(await twice("ALTER TABLE t ADD PRIMARY KEY (id)")).toBe('multiple primary keys for table "t" are not allowed');
    expect(await twice("ALTER TABLE t ADD CHECK (a < 1000)")).toBeUndefined();
    expect(await twice("ALTER TABLE t ADD UNIQUE (a)")).toBeUndefined();
    const names = await db.query<{ conname: string }>(
      "SELECT conname FROM pg_constraint WHERE conrelid = 't'::regclass AND contype IN ('c', 'u') ORDER BY conname",
    );
    expect(names.rows.map((r) => r.conname)).toEqual(["t_a_check", "t_a_check1", "t_a_key", "t_a_key1", "t_a_positive"]);
  });
});
