import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import rule, { hasRunOf16, identifierTokens, truncatedIdentifier } from "../../src/rules/identifier-too-long.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

const long = (prefix: string, bytes = 70) => prefix + "x".repeat(bytes - prefix.length);

describe(rule.id, () => {
  it("flags created names over 63 bytes, on the line of the name", () => {
    const index = long("orders_customer_");
    testRule(rule, {
      valid: [
        `CREATE TABLE ${"t".repeat(63)} (${"c".repeat(63)} int);`,
        // A long name only referred to was created (and flagged) earlier; it is cut the same way here.
        `ALTER TABLE ${long("orders_")} ADD COLUMN note text;`,
        `DROP INDEX ${index};`,
        // Strings, comments and function bodies are not names.
        `COMMENT ON TABLE orders IS '${long("a string ")}';`,
        `CREATE TABLE t (a int); -- ${long("comment_")}`,
        `CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 AS ${long("inner_")} $$;`,
        // 21 three-byte characters are 63 bytes.
        `CREATE TABLE t ("${"é".repeat(31)}" int, "${"€".repeat(21)}" int);`,
      ],
      invalid: [
        { sql: `CREATE TABLE ${long("orders_")} (id int);`, lines: [1] },
        { sql: `CREATE TABLE orders (\n  id int,\n  ${long("customer_")} int\n);`, lines: [3] },
        { sql: `CREATE INDEX ${index}\n  ON orders (customer_id);`, lines: [1] },
        { sql: `ALTER TABLE orders ADD CONSTRAINT ${long("orders_check_")} CHECK (id > 0);`, lines: [1] },
        { sql: `ALTER TABLE orders RENAME COLUMN a TO "${long("Quoted_")}";`, lines: [1] },
        { sql: `CREATE TYPE ${long("status_")} AS ENUM ('a');`, lines: [1] },
        { sql: `CREATE TRIGGER ${long("trg_")} BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION f();`, lines: [1] },
        // 32 two-byte characters: 64 bytes, though 32 characters.
        { sql: `CREATE TABLE t ("${"é".repeat(32)}" int);`, lines: [1] },
      ],
    });
  });

  it("says the byte length and the name Postgres stores", () => {
    const [finding] = lint(`CREATE TABLE ${long("orders_")} (id int);`, [rule]);
    expect(finding?.message).toContain(`${long("orders_")} is 70 bytes`);
    expect(finding?.message).toContain(`stores it as ${long("orders_", 63)}`);
  });

  it("reads identifiers as Postgres does: quotes removed, unquoted ones in lower case, strings skipped", () => {
    expect(identifierTokens(`SELECT "A""b", Cd, E'it\\'s', $x$ body $x$, 'q''s' FROM t`).map((t) => t.name)).toEqual(["select", 'A"b', "cd", "from", "t"]);
    expect(truncatedIdentifier("é".repeat(40))).toBe("é".repeat(31));
  });
});

describe("hasRunOf16", () => {
  const RUN = /[^\s,.;()'"=]{16}/;

  it("answers as the regular expression does, runs at any offset and of any length", () => {
    // Runs of 14 to 18 units at every offset of a 40-unit text, between each kind of break, non-ASCII units included.
    for (const unit of ["x", "é", "\u2026"]) {
      for (const brk of [" ", "\n", ",", ".", ";", "(", ")", "'", '"', "=", "\u00a0"]) {
        for (let length = 14; length <= 18; length++) {
          for (let at = 0; at + length <= 40; at++) {
            const text = brk.repeat(at) + unit.repeat(length) + brk.repeat(40 - at - length);
            expect(hasRunOf16(text)).toBe(RUN.test(text));
          }
        }
      }
    }
  });

  it("answers as the regular expression does on mixed texts", () => {
    // A fixed pseudo-random sequence: runs of every length, cut by every kind of break.
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    const units = ["a", "b", "_", "1", "é", " ", ",", "(", "'", "\n", "="];
    for (let sample = 0; sample < 2000; sample++) {
      let text = "";
      const length = next() % 120;
      for (let i = 0; i < length; i++) text += units[next() % 4 === 0 ? 5 + (next() % 6) : next() % 5];
      expect(hasRunOf16(text)).toBe(RUN.test(text));
    }
  });
});

describe("in Postgres (PGlite)", () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await PGlite.create();
  }, 60_000);
  afterAll(() => db.close());

  it("truncates a 70-byte name to 63 bytes with a notice, so that two names sharing 63 bytes collide", async () => {
    const notices: string[] = [];
    await db.query(`CREATE TABLE ${long("orders_")} (id int)`, [], { onNotice: (notice) => notices.push(notice.message ?? "") });
    expect(notices.join("\n")).toMatch(/identifier .* will be truncated/);
    const stored = await db.query<{ relname: string }>("SELECT relname FROM pg_class WHERE relname LIKE 'orders_x%'");
    expect(stored.rows).toEqual([{ relname: long("orders_", 63) }]);
    // The full name still finds it in SQL (it is cut the same way, as a literal cast to name is);
    // compared as text, what the catalog holds is not the name that was written.
    await expect(db.query(`SELECT count(*) FROM ${long("orders_")}`)).resolves.toBeDefined();
    const asName = await db.query(`SELECT 1 FROM pg_class WHERE relname = '${long("orders_")}'`);
    expect(asName.rows).toHaveLength(1);
    const asText = await db.query(`SELECT 1 FROM pg_class WHERE relname::text = '${long("orders_")}'`);
    expect(asText.rows).toEqual([]);
    await expect(db.query(`CREATE TABLE ${long("orders_", 63)}_other (id int)`)).rejects.toThrow(/already exists/);
  });

  it("cuts multi-byte names at a character boundary, to at most 63 bytes", async () => {
    await db.query(`CREATE TABLE t ("${"é".repeat(40)}" int)`);
    const column = await db.query<{ attname: string; bytes: number }>(
      "SELECT attname, octet_length(attname::text) AS bytes FROM pg_attribute WHERE attrelid = 't'::regclass AND attnum > 0",
    );
    expect(column.rows).toEqual([{ attname: "é".repeat(31), bytes: 62 }]);
  });
});
