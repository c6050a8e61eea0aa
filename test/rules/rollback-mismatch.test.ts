import { describe, expect, it } from "vitest";
import rule from "../../src/rules/rollback-mismatch.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

const UP = "db/migrations/0001_case.up.sql";
const DOWN = "db/migrations/0001_case.down.sql";

describe(rule.id, () => {
  it("accepts downs that undo the up", () => {
    testRule(rule, {
      valid: [
        "CREATE TABLE items (id bigint PRIMARY KEY);\nCREATE INDEX items_id_idx ON items (id);\n-- migrate:down\nDROP TABLE IF EXISTS public.Items;",
        "ALTER TABLE orders ADD COLUMN note text;\n-- migrate:down\nALTER TABLE orders DROP COLUMN IF EXISTS note;",
        "CREATE INDEX CONCURRENTLY orders_created_idx ON orders (created_at);\n-- migrate:down\nDROP INDEX CONCURRENTLY IF EXISTS public.orders_created_idx;",
        "CREATE TYPE mood AS ENUM ('ok');\nCREATE VIEW v AS SELECT 1;\nCREATE SEQUENCE s;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n-- migrate:down\nDROP FUNCTION f();\nDROP SEQUENCE s;\nDROP VIEW v;\nDROP TYPE mood;",
        "ALTER TABLE orders RENAME COLUMN note TO remark;\n-- migrate:down\nALTER TABLE orders RENAME COLUMN remark TO note;",
        "ALTER TABLE orders RENAME TO purchases;\n-- migrate:down\nALTER TABLE purchases RENAME TO orders;",
        "ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;\n-- migrate:down\nALTER TABLE orders DROP CONSTRAINT orders_total_check;",
        // Dropping the column takes its index and foreign key with it.
        "ALTER TABLE orders ADD COLUMN user_id bigint REFERENCES users (id);\nCREATE INDEX orders_user_idx ON orders (user_id);\n-- migrate:down\nALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;\nALTER TABLE orders DROP COLUMN user_id;",
        // The constraint took the index over: dropping the constraint drops the index.
        "CREATE UNIQUE INDEX CONCURRENTLY orders_ref_idx ON orders (ref);\nALTER TABLE orders ADD CONSTRAINT orders_ref_key UNIQUE USING INDEX orders_ref_idx;\n-- migrate:down\nALTER TABLE orders DROP CONSTRAINT orders_ref_key;",
        // A schema dropped with everything in it.
        "CREATE SCHEMA app;\nCREATE TABLE app.items (id bigint);\nCREATE INDEX items_id_idx ON app.items (id);\n-- migrate:down\nDROP SCHEMA app CASCADE;",
        // CREATE OR REPLACE: restoring the old definition undoes it.
        "CREATE OR REPLACE VIEW active AS SELECT * FROM users WHERE active;\n-- migrate:down\nCREATE OR REPLACE VIEW active AS SELECT * FROM users;",
        // Dropped and re-created in the up: a redefinition, which the down may undo by restoring.
        "DROP VIEW report;\nCREATE VIEW report AS SELECT id, total FROM orders;\n-- migrate:down\nCREATE OR REPLACE VIEW report AS SELECT id FROM orders;",
        // A table created and renamed in the up, dropped under its final name.
        "CREATE TABLE items_new (id bigint);\nALTER TABLE items_new RENAME TO items;\n-- migrate:down\nDROP TABLE items;",
        // A view dropped and re-created around a type change.
        "DROP VIEW report;\nALTER TABLE orders ALTER COLUMN total TYPE numeric;\nCREATE VIEW report AS SELECT total FROM orders;\n-- migrate:down\nDROP VIEW report;\nALTER TABLE orders ALTER COLUMN total TYPE int;\nCREATE VIEW report AS SELECT total FROM orders;",
        // Empty and raising downs are other rules' findings.
        "CREATE TABLE items (id bigint);\n-- migrate:down\n-- nothing",
        "CREATE TABLE items (id bigint);\n-- migrate:down\nDO $$ BEGIN RAISE EXCEPTION 'no'; END $$;",
        // The down runs code we cannot read.
        "CREATE TABLE items (id bigint);\n-- migrate:down\nDO $$ BEGIN EXECUTE 'DROP TABLE items'; END $$;",
      ],
      invalid: [
        { sql: "CREATE TABLE items (id bigint);\nCREATE TABLE tags (id bigint);\n-- migrate:down\nDROP TABLE items;", lines: [2] },
        { sql: "CREATE INDEX orders_created_idx ON orders (created_at);\n-- migrate:down\nDROP INDEX orders_updated_idx;", lines: [1, 1] },
        { sql: "ALTER TABLE orders RENAME COLUMN note TO remark;\n-- migrate:down\nSELECT 1;", lines: [1] },
        { sql: "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n-- migrate:down\nDROP FUNCTION g();", lines: [1, 1] },
      ],
    });
  });

  it("reports both sides when the up adds column a and the down drops column b", () => {
    const findings = lint(
      "SET lock_timeout = '1s';\nALTER TABLE orders ADD COLUMN a text;\n-- migrate:down\nSET lock_timeout = '1s';\n\nALTER TABLE orders DROP COLUMN b;",
      [rule],
    );
    expect(findings.map((f) => [f.rule, f.path, f.line])).toEqual([
      [rule.id, DOWN, 3],
      [rule.id, UP, 2],
    ]);
    expect(findings.find((f) => f.path === UP)?.help).toContain("ALTER TABLE orders DROP COLUMN IF EXISTS a;");
  });

  it("reports a down that drops a table the up did not create", () => {
    const findings = lint("ALTER TABLE orders ADD COLUMN note text;\n-- migrate:down\nALTER TABLE orders DROP COLUMN note;\nDROP TABLE orders;", [rule]);
    expect(findings.map((f) => [f.path, f.line])).toEqual([[DOWN, 2]]);
  });

  it("leaves a down that does not parse to syntax-error", () => {
    const findings = lint("CREATE TABLE items (id bigint);\n-- migrate:down\nDROP TABLEE items;", [rule]);
    expect(findings.map((f) => f.rule)).toEqual(["syntax-error"]);
  });

  it("does not ask an acknowledged irreversible migration to undo everything", () => {
    const findings = lint(
      {
        sql: "CREATE TABLE archive AS SELECT * FROM orders;\nALTER TABLE orders DROP COLUMN legacy;\n-- migrate:down\nALTER TABLE orders ADD COLUMN legacy text;",
        irreversible: { reason: "legacy values are in archive", path: UP, line: 1 },
      },
      [rule],
    );
    expect(findings).toEqual([]);
  });

  describe("a down that drops a misspelt name gets a fix when the up created exactly one close name", () => {
    const fixOf = (sql: string) => lint(sql, [rule]).find((f) => f.path === DOWN)?.fix;

    it("fixes the column the down drops (state for status, as in the demo), and the fixed down matches the up", () => {
      const up = "ALTER TABLE orders ADD COLUMN status text NOT NULL;\nCREATE INDEX orders_status_idx ON orders (status);";
      const fix = fixOf(`${up}\n-- migrate:down\nDROP INDEX IF EXISTS orders_status_idx;\nALTER TABLE orders DROP COLUMN state;`);
      expect(fix).toMatchObject({ line: 2, endLine: 2, replacement: "ALTER TABLE orders DROP COLUMN status;" });
      expect(lint(`${up}\n-- migrate:down\nDROP INDEX IF EXISTS orders_status_idx;\n${fix?.replacement ?? ""}`, [rule])).toEqual([]);
    });

    it("fixes an index name with two letters swapped, on its own line of a longer statement", () => {
      const fix = fixOf("CREATE INDEX orders_status_idx ON orders (status);\n-- migrate:down\nDROP INDEX\n  IF EXISTS orders_stauts_idx;");
      expect(fix).toMatchObject({ line: 2, endLine: 2, replacement: "  IF EXISTS orders_status_idx;" });
    });

    it("offers none when two names the up created are as close, or none is", () => {
      expect(
        fixOf("ALTER TABLE orders ADD COLUMN state_a text, ADD COLUMN state_b text;\n-- migrate:down\nALTER TABLE orders DROP COLUMN state_c;"),
      ).toBeUndefined();
      expect(fixOf("ALTER TABLE orders ADD COLUMN note text;\n-- migrate:down\nALTER TABLE orders DROP COLUMN total;")).toBeUndefined();
      // Short names are all close to each other: b is no typo of a.
      expect(fixOf("ALTER TABLE orders ADD COLUMN a text;\n-- migrate:down\nALTER TABLE orders DROP COLUMN b;")).toBeUndefined();
    });

    it("offers none for a column of another table", () => {
      expect(fixOf("ALTER TABLE orders ADD COLUMN status text;\n-- migrate:down\nALTER TABLE invoices DROP COLUMN state;")).toBeUndefined();
    });
  });
});
