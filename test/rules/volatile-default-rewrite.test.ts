import { describe, expect, it } from "vitest";
import { AnalysisConfigSchema } from "../../src/config/analysis-config.js";
import { analyzeMigrations } from "../../src/rules/engine.js";
import rule from "../../src/rules/volatile-default-rewrite.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { caseMigration, lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags ADD COLUMN with a volatile default on existing tables", () => {
    testRule(rule, {
      valid: [
        "ALTER TABLE orders ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();",
        "ALTER TABLE orders ADD COLUMN seen_at timestamptz DEFAULT CURRENT_TIMESTAMP, ADD COLUMN status text DEFAULT 'new', ADD COLUMN n int DEFAULT 1 + 2;",
        "ALTER TABLE orders ADD COLUMN token uuid;\nALTER TABLE orders ALTER COLUMN token SET DEFAULT gen_random_uuid();",
        "CREATE TABLE items (id bigint);\nALTER TABLE items ADD COLUMN token uuid DEFAULT gen_random_uuid();",
        "-- migrate:down\nALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();",
      ],
      invalid: [
        { sql: "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();", lines: [1] },
        { sql: "SELECT 1;\nALTER TABLE orders\n  ADD COLUMN seen_at timestamptz DEFAULT clock_timestamp();", lines: [2] },
        {
          sql: "ALTER TABLE orders ADD COLUMN a int DEFAULT (random() * 10)::int;\nALTER TABLE orders ADD COLUMN b uuid DEFAULT public.uuid_generate_v4();\nALTER TABLE orders ADD COLUMN c bigint DEFAULT nextval('orders_c_seq');",
          lines: [1, 2, 3],
        },
      ],
    });
  });

  it("is an error with a rewrite estimate on a configured large table", () => {
    const [finding] = lint(
      { sql: "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();", config: { tables: { orders: { rows: 50_000_000 } } } },
      [rule],
    );
    expect(finding?.severity).toBe("error");
    expect(finding?.message).toContain("gen_random_uuid");
    expect(finding?.message).toContain("about 2 min (50,000,000 rows)");
  });

  it("flags any non-null default before PostgreSQL 11 (postgresVersion: 10 in the config)", () => {
    const { files, migration } = caseMigration(
      "ALTER TABLE orders ADD COLUMN status text DEFAULT 'new';\nALTER TABLE orders ADD COLUMN note text DEFAULT NULL;",
    );
    const config = AnalysisConfigSchema.parse({ postgresVersion: 10 });
    const findings = analyzeMigrations(files, [migration], { config, rules: [rule] }).findings;
    expect(findings.map((f) => [f.rule, f.line])).toEqual([[rule.id, 1]]);
  });

  it("takes a function not known to be IMMUTABLE or STABLE as volatile, CREATE FUNCTION's default", () => {
    const stable = "CREATE FUNCTION default_status() RETURNS text LANGUAGE plpgsql STABLE AS 'BEGIN RETURN 1; END';\n";
    const plain = "CREATE FUNCTION next_code() RETURNS text LANGUAGE plpgsql AS 'BEGIN RETURN 1; END';\n";
    testRule(rule, {
      valid: [
        `${stable}ALTER TABLE orders ADD COLUMN status text DEFAULT default_status();`,
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1';\nALTER TABLE orders ADD COLUMN n int DEFAULT f() + 1;",
        `${plain}ALTER FUNCTION next_code() STABLE;\nALTER TABLE orders ADD COLUMN code text DEFAULT next_code();`,
        "ALTER TABLE orders ADD COLUMN code text DEFAULT lower('X'), ADD COLUMN tx bigint DEFAULT txid_current();",
      ],
      invalid: [
        { sql: `${plain}ALTER TABLE orders ADD COLUMN code text DEFAULT next_code();`, lines: [2] },
        { sql: "ALTER TABLE orders ADD COLUMN code text DEFAULT make_code();", lines: [1] },
        { sql: `${stable}DROP FUNCTION default_status();\nALTER TABLE orders ADD COLUMN status text DEFAULT default_status();`, lines: [3] },
      ],
    });
    const [created] = lint(`${plain}ALTER TABLE orders ADD COLUMN code text DEFAULT next_code();`, [rule]);
    expect(created?.message).toContain("next_code(), a volatile function, rewrites orders");
    const [unknown] = lint("ALTER TABLE orders ADD COLUMN code text DEFAULT make_code();", [rule]);
    expect(unknown?.message).toContain("the migrations analysed do not create make_code IMMUTABLE or STABLE");
    expect(unknown?.message).toContain("If make_code is volatile, Postgres rewrites orders");
  });
});
