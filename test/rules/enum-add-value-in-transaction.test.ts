import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import rule from "../../src/rules/enum-add-value-in-transaction.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

const ADD = "ALTER TYPE mood ADD VALUE 'meh';";

describe(rule.id, () => {
  it("flags a use of the new value later in the same transaction", () => {
    testRule(rule, {
      valid: [
        // Outside a transaction each statement commits on its own.
        `${ADD}\nUPDATE people SET feeling = 'meh' WHERE feeling IS NULL;`,
        // In a transaction, but the value is not used.
        { sql: `${ADD}\nUPDATE people SET feeling = 'ok';`, inTransaction: true },
        // Committed in between.
        `BEGIN;\n${ADD}\nCOMMIT;\nUPDATE people SET feeling = 'meh';`,
        // The type is created in the same transaction: its new values are usable at once.
        { sql: `CREATE TYPE mood AS ENUM ('ok');\n${ADD}\nCREATE TABLE people (feeling mood DEFAULT 'meh');`, inTransaction: true },
        // A function body is not run by the migration.
        { sql: `${ADD}\nCREATE FUNCTION f() RETURNS mood LANGUAGE sql AS $$ SELECT 'meh'::mood $$;`, inTransaction: true },
        // RENAME VALUE adds no value.
        { sql: "ALTER TYPE mood RENAME VALUE 'meh' TO 'so-so';\nUPDATE people SET feeling = 'so-so';", inTransaction: true },
      ],
      invalid: [
        { sql: `${ADD}\nUPDATE people SET feeling = 'meh' WHERE feeling IS NULL;`, inTransaction: true, lines: [2] },
        { sql: `BEGIN;\n${ADD}\nSELECT 1;\nALTER TABLE people ALTER feeling SET DEFAULT 'meh'::mood;\nCOMMIT;`, lines: [4] },
        // Reported once per value, at its first use.
        { sql: `${ADD}\nINSERT INTO people VALUES ('meh');\nINSERT INTO people VALUES ('meh');`, inTransaction: true, lines: [2] },
      ],
    });
  });

  it("flags every ADD VALUE in a transaction when the configured Postgres is older than 12", () => {
    const sql = `${ADD}\nSELECT 1;`;
    expect(lint({ sql, inTransaction: true, config: { postgresVersion: 11 } }, [rule]).map((f) => [f.line, f.message])).toEqual([
      [1, expect.stringContaining("which Postgres 11 refuses")],
    ]);
    expect(lint({ sql, inTransaction: false, config: { postgresVersion: 11 } }, [rule])).toEqual([]);
    expect(lint({ sql, inTransaction: true, config: { postgresVersion: 12 } }, [rule])).toEqual([]);
  });

  it("names the value, the line that adds it and Postgres's error", () => {
    const [finding] = lint({ sql: `${ADD}\nINSERT INTO people VALUES ('meh');`, inTransaction: true }, [rule]);
    expect(finding?.message).toContain("uses 'meh', which line 1 adds to enum mood");
    expect(finding?.message).toContain('unsafe use of new value "meh" of enum type mood');
    expect(finding?.severity).toBe("error");
  });
});

describe("in Postgres (PGlite)", () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await PGlite.create();
    await db.exec("CREATE TYPE mood AS ENUM ('ok'); CREATE TABLE people (feeling mood);");
  }, 60_000);
  afterAll(() => db.close());

  it("refuses a value added in the same transaction, and accepts it once committed", async () => {
    await db.exec("BEGIN");
    await db.exec("ALTER TYPE mood ADD VALUE 'meh'");
    await expect(db.exec("INSERT INTO people VALUES ('meh')")).rejects.toThrow('unsafe use of new value "meh" of enum type mood');
    await db.exec("ROLLBACK");
    await db.exec("BEGIN");
    await db.exec("ALTER TYPE mood ADD VALUE 'meh'");
    await db.exec("INSERT INTO people VALUES ('ok')");
    await db.exec("COMMIT");
    await db.exec("INSERT INTO people VALUES ('meh')");
    expect((await db.query("SELECT * FROM people WHERE feeling = 'meh'")).rows).toHaveLength(1);
  });

  it("accepts the new value of a type created in the same transaction", async () => {
    await db.exec("BEGIN");
    await db.exec("CREATE TYPE fresh AS ENUM ('a'); ALTER TYPE fresh ADD VALUE 'b';");
    expect((await db.query("SELECT 'b'::fresh AS v")).rows).toEqual([{ v: "b" }]);
    await db.exec("ROLLBACK");
  });
});
