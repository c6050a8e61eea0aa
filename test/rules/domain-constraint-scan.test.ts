import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import rule from "../../src/rules/domain-constraint-scan.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags ALTER DOMAIN adding a validated CHECK or NOT NULL on an existing domain", () => {
    testRule(rule, {
      valid: [
        "ALTER DOMAIN positive ADD CONSTRAINT positive_check CHECK (VALUE > 0) NOT VALID;",
        "ALTER DOMAIN positive VALIDATE CONSTRAINT positive_check;",
        "ALTER DOMAIN positive DROP CONSTRAINT positive_check;",
        "ALTER DOMAIN positive SET DEFAULT 1;",
        "ALTER DOMAIN positive DROP NOT NULL;",
        // A domain created in this migration is used only by tables as new as it.
        "CREATE DOMAIN positive AS int;\nALTER DOMAIN positive ADD CONSTRAINT positive_check CHECK (VALUE > 0);",
        "SELECT 1;\n-- migrate:down\nALTER DOMAIN positive ADD CHECK (VALUE > 0);",
      ],
      invalid: [
        { sql: "ALTER DOMAIN positive ADD CONSTRAINT positive_check CHECK (VALUE > 0);", lines: [1] },
        { sql: "SELECT 1;\nALTER DOMAIN public.positive\n  ADD CHECK (VALUE > 0);", lines: [2] },
        { sql: "ALTER DOMAIN positive SET NOT NULL;", lines: [1] },
        { sql: "ALTER DOMAIN positive ADD CONSTRAINT positive_nn NOT NULL;", lines: [1] },
      ],
    });
  });

  it("offers NOT VALID for a CHECK, and says that VALIDATE still blocks writes", () => {
    const [check] = lint("ALTER DOMAIN positive ADD CHECK (VALUE > 0);", [rule]);
    expect(check?.message).toContain("SHARE lock on each table using it");
    expect(check?.help).toContain("NOT VALID");
    expect(check?.help).toContain("VALIDATE still blocks writes");
    const [notNull] = lint("ALTER DOMAIN positive SET NOT NULL;", [rule]);
    expect(notNull?.help).toContain("cannot be added NOT VALID");
  });
});

describe("in Postgres (PGlite)", () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await PGlite.create();
    await db.exec("CREATE DOMAIN positive AS int");
    await db.exec("CREATE TABLE amounts (value positive)");
    await db.exec("INSERT INTO amounts VALUES (1)");
  }, 60_000);
  afterAll(() => db.close());

  /** The locks this backend holds on amounts after `sql`, inside a transaction rolled back (or committed). */
  async function locksOn(sql: string, end: "ROLLBACK" | "COMMIT" = "ROLLBACK"): Promise<string[]> {
    await db.exec("BEGIN");
    await db.exec(sql);
    const held = await db.query<{ mode: string }>("SELECT mode FROM pg_locks WHERE pid = pg_backend_pid() AND relation = 'amounts'::regclass ORDER BY mode");
    await db.exec(end);
    return held.rows.map((r) => r.mode);
  }

  it("takes a SHARE lock on a table using the domain to check a new CHECK, SET NOT NULL and VALIDATE; none with NOT VALID", async () => {
    expect(await locksOn("ALTER DOMAIN positive ADD CONSTRAINT positive_check CHECK (VALUE > 0)")).toEqual(["ShareLock"]);
    expect(await locksOn("ALTER DOMAIN positive SET NOT NULL")).toEqual(["ShareLock"]);
    expect(await locksOn("ALTER DOMAIN positive ADD CONSTRAINT positive_check CHECK (VALUE > 0) NOT VALID", "COMMIT")).toEqual([]);
    expect(await locksOn("ALTER DOMAIN positive VALIDATE CONSTRAINT positive_check")).toEqual(["ShareLock"]);
  });

  it("checks the existing values, and refuses NOT VALID for NOT NULL", async () => {
    await db.exec("CREATE DOMAIN score AS int; CREATE TABLE scores (value score); INSERT INTO scores VALUES (-1);");
    await expect(db.exec("ALTER DOMAIN score ADD CONSTRAINT above_zero CHECK (VALUE > 0)")).rejects.toThrow(/contains values that violate the new constraint/);
    await expect(db.exec("ALTER DOMAIN score ADD CONSTRAINT score_nn NOT NULL NOT VALID")).rejects.toThrow(/NOT NULL constraints cannot be marked NOT VALID/);
  });
});
