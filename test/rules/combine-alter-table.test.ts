import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import rule from "../../src/rules/combine-alter-table.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { analyzeMigrations } from "../../src/rules/engine.js";
import { caseMigration, lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags a second ALTER TABLE that rewrites or scans the same existing table", () => {
    testRule(rule, {
      valid: [
        // Already one statement.
        "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid(), ALTER COLUMN ref SET NOT NULL;",
        // Neither rewrites nor scans: catalog changes.
        "ALTER TABLE orders RENAME COLUMN a TO b;\nALTER TABLE orders ALTER COLUMN b SET DEFAULT 0;\nALTER TABLE orders ADD COLUMN note text;",
        // One pass only; the other statement is a constant default (no rewrite since Postgres 11).
        "ALTER TABLE orders ALTER COLUMN ref SET NOT NULL;\nALTER TABLE orders ADD COLUMN n int DEFAULT 0;",
        // VALIDATE is kept apart on purpose (a weaker lock), and foreign keys are checked one by one anyway.
        "ALTER TABLE orders ADD CONSTRAINT c CHECK (n > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT c;\nALTER TABLE orders ALTER n SET NOT NULL;",
        "ALTER TABLE orders ADD CONSTRAINT f1 FOREIGN KEY (a) REFERENCES a;\nALTER TABLE orders ADD CONSTRAINT f2 FOREIGN KEY (b) REFERENCES b;",
        // A backfill between them: the second may depend on it.
        "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\nUPDATE orders SET ref = 0 WHERE ref IS NULL;\nALTER TABLE orders ALTER COLUMN ref SET NOT NULL;",
        // Different tables; a table created in this migration.
        "ALTER TABLE orders ALTER a SET NOT NULL;\nALTER TABLE items ALTER a SET NOT NULL;",
        "CREATE TABLE t (a int, b int);\nALTER TABLE t ALTER a SET NOT NULL;\nALTER TABLE t ALTER b SET NOT NULL;",
        // A type change of a column whose type is not known: the rewrite is only assumed.
        "ALTER TABLE orders ALTER a TYPE text;\nALTER TABLE orders ALTER b TYPE text;",
      ],
      invalid: [
        { sql: "ALTER TABLE orders ALTER COLUMN a SET NOT NULL;\nALTER TABLE orders ALTER COLUMN b SET NOT NULL;", lines: [2] },
        {
          sql: "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\nSELECT 1;\nALTER TABLE public.orders ADD COLUMN at timestamptz DEFAULT clock_timestamp();\nALTER TABLE orders ADD CONSTRAINT c CHECK (n > 0);",
          lines: [3, 4],
        },
        // A USING expression always rewrites.
        { sql: "ALTER TABLE orders ALTER a TYPE bigint USING a::bigint;\nALTER TABLE orders ALTER b TYPE bigint USING b::bigint;", lines: [2] },
        // Without a UTC session the lock model counts timestamp → timestamptz as a rewrite.
        {
          sql: "SET timezone = 'Europe/Paris';\nALTER TABLE orders ALTER a TYPE timestamptz USING a::timestamptz;\nALTER TABLE orders ALTER b TYPE timestamptz USING b::timestamptz;",
          lines: [3],
        },
      ],
    });
  });

  it("does not count timestamp → timestamptz after SET timezone = 'UTC' as a rewrite (the table's types known from an earlier migration)", () => {
    const found = (sql: string) => {
      const earlier = caseMigration("CREATE TABLE orders (a timestamp, b timestamp);");
      const later = caseMigration(sql);
      const renamed = (path: string) => path.replace("0001_", "0002_");
      const files = [...earlier.files, ...later.files.map((f) => ({ ...f, path: renamed(f.path) }))];
      const migration = {
        ...later.migration,
        version: "0002",
        files: later.migration.files.map(renamed),
        sections: later.migration.sections.map((x) => ({ ...x, path: renamed(x.path) })),
      };
      return analyzeMigrations(files, [earlier.migration, migration], { rules: [rule] }).findings.map((f) => f.line);
    };
    const changes = "ALTER TABLE orders ALTER a TYPE timestamptz USING a;\nALTER TABLE orders ALTER b TYPE timestamptz;";
    expect(found(changes)).toEqual([2]);
    expect(found(`SET timezone = 'UTC';\n${changes}`)).toEqual([]);
    expect(found(`SET TIME ZONE 'UTC';\nRESET timezone;\n${changes}`)).toEqual([4]);
  });

  it("says which passes the statements make", () => {
    const [finding] = lint("ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\nALTER TABLE orders ALTER ref SET NOT NULL;", [rule]);
    expect(finding?.message).toContain("This ALTER TABLE scans orders, which line 1 already rewrote");
    expect(finding?.help).toContain("lines 1 and 2");
    expect(finding?.severity).toBe("note");
  });
});

describe("in Postgres (PGlite)", () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await PGlite.create();
    // A table_rewrite event trigger counts the rewrites.
    await db.exec(`
      CREATE TABLE rewrites (relation text);
      CREATE FUNCTION count_rewrite() RETURNS event_trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO rewrites VALUES (pg_event_trigger_table_rewrite_oid()::regclass::text); END $$;
      CREATE EVENT TRIGGER count_rewrites ON table_rewrite EXECUTE FUNCTION count_rewrite();
      CREATE TABLE once (a int, b int);
      CREATE TABLE twice (a int, b int);
      INSERT INTO once VALUES (1, 2);
      INSERT INTO twice VALUES (1, 2);`);
  }, 60_000);
  afterAll(() => db.close());

  const rewritesOf = async (table: string) => (await db.query("SELECT * FROM rewrites WHERE relation = $1", [table])).rows.length;
  const storage = async (table: string) => (await db.query<{ f: number }>("SELECT relfilenode::int AS f FROM pg_class WHERE relname = $1", [table])).rows[0]?.f;

  it("rewrites once for two rewriting subcommands in one ALTER TABLE, twice for two statements", async () => {
    const before = { once: await storage("once"), twice: await storage("twice") };
    await db.exec("ALTER TABLE once ALTER a TYPE bigint, ALTER b TYPE bigint");
    await db.exec("ALTER TABLE twice ALTER a TYPE bigint");
    const between = await storage("twice");
    await db.exec("ALTER TABLE twice ALTER b TYPE bigint");
    expect(await rewritesOf("once")).toBe(1);
    expect(await rewritesOf("twice")).toBe(2);
    // The storage changed once, against twice.
    expect(await storage("once")).not.toBe(before.once);
    expect(new Set([before.twice, between, await storage("twice")]).size).toBe(3);
  });

  it("changes timestamp to timestamptz without a rewrite when the session time zone is UTC, with one otherwise", async () => {
    await db.exec("CREATE TABLE stamps (a timestamp, b timestamp); INSERT INTO stamps VALUES (now(), now());");
    await db.exec("SET timezone = 'UTC'; ALTER TABLE stamps ALTER a TYPE timestamptz USING a;");
    expect(await rewritesOf("stamps")).toBe(0);
    await db.exec("SET timezone = 'Europe/Paris'; ALTER TABLE stamps ALTER b TYPE timestamptz;");
    expect(await rewritesOf("stamps")).toBe(1);
  });

  it("scans once for two SET NOT NULL in one ALTER TABLE, twice for two statements", async () => {
    const scans = async (table: string) => (await db.query<{ n: number }>("SELECT pg_stat_get_xact_numscans($1::regclass)::int AS n", [table])).rows[0]?.n ?? 0;
    await db.exec("BEGIN");
    await db.exec("ALTER TABLE once ALTER a SET NOT NULL, ALTER b SET NOT NULL");
    await db.exec("ALTER TABLE twice ALTER a SET NOT NULL");
    await db.exec("ALTER TABLE twice ALTER b SET NOT NULL");
    const counted = { once: await scans("once"), twice: await scans("twice") };
    await db.exec("ROLLBACK");
    // Whatever one statement's pass counts, two statements count it twice.
    expect(counted.once).toBeGreaterThan(0);
    expect(counted.twice).toBe(2 * counted.once);
  });
});
