import { describe, expect, it } from "vitest";
import { AnalysisConfigSchema } from "../../src/config/analysis-config.js";
import { analyzeMigrations } from "../../src/rules/engine.js";
import rule from "../../src/rules/unsafe-column-type-change.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { caseMigration, lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

const added = (type: string) => `ALTER TABLE orders ADD COLUMN ref ${type};\n`;

describe(rule.id, () => {
  it("flags type changes on existing tables, except the known no-rewrite changes", () => {
    testRule(rule, {
      valid: [
        `${added("varchar(50)")}ALTER TABLE orders ALTER COLUMN ref TYPE varchar(100);`,
        `${added("varchar(50)")}ALTER TABLE orders ALTER COLUMN ref TYPE text;`,
        `${added("character varying(50)")}ALTER TABLE orders ALTER COLUMN ref TYPE varchar;`,
        `${added("text")}ALTER TABLE orders ALTER COLUMN ref TYPE varchar;`,
        `${added("numeric(10,2)")}ALTER TABLE orders ALTER COLUMN ref TYPE numeric(12,2);`,
        `${added("numeric(10,2)")}ALTER TABLE orders ALTER COLUMN ref TYPE numeric;`,
        `${added("bit varying(8)")}ALTER TABLE orders ALTER COLUMN ref TYPE varbit(16);`,
        `${added("cidr")}ALTER TABLE orders ALTER COLUMN ref TYPE inet;`,
        `${added("varchar(50)")}ALTER TABLE orders ALTER COLUMN ref TYPE varchar(80);\nALTER TABLE orders ALTER COLUMN ref TYPE varchar(100) USING ref;`,
        "CREATE TABLE items (qty int);\nALTER TABLE items ALTER COLUMN qty TYPE bigint;",
        `${added("varchar(10)")}ALTER TABLE orders RENAME COLUMN ref TO avatar;\nALTER TABLE orders ALTER COLUMN avatar TYPE text;`,
        "-- migrate:down\nALTER TABLE orders ALTER COLUMN qty TYPE integer;",
      ],
      invalid: [
        { sql: "ALTER TABLE orders ALTER COLUMN qty TYPE bigint;", lines: [1] },
        { sql: "SELECT 1;\nALTER TABLE orders\n  ALTER COLUMN ref TYPE varchar(100);", lines: [2] },
        { sql: `${added("varchar(100)")}ALTER TABLE orders ALTER COLUMN ref TYPE varchar(50);`, lines: [2] },
        { sql: `${added("text")}ALTER TABLE orders ALTER COLUMN ref TYPE varchar(20);`, lines: [2] },
        { sql: `${added("numeric(10,2)")}ALTER TABLE orders ALTER COLUMN ref TYPE numeric(12,4);`, lines: [2] },
        { sql: `${added("varchar(50)")}ALTER TABLE orders ALTER COLUMN ref TYPE varchar(100) USING lower(ref);`, lines: [2] },
      ],
    });
  });

  it("says which old types would make it safe when the old type is unknown", () => {
    const [unknown] = lint("ALTER TABLE orders ALTER COLUMN ref TYPE varchar(100);", [rule]);
    expect(unknown?.message).toContain("if it is varchar(n) with n ≤ 100, Postgres only changes the catalog; if it is anything else, it rewrites");
    const [bigint] = lint("ALTER TABLE orders ALTER COLUMN qty TYPE bigint;", [rule]);
    expect(bigint?.message).toContain("if it is bigint, Postgres only changes the catalog");
    const [known] = lint(`${added("integer")}ALTER TABLE orders ALTER COLUMN ref TYPE bigint;`, [rule]);
    expect(known?.message).toContain("(from integer)");
    expect(known?.message).not.toContain("unless");
    expect(known?.message).toContain("rebuilds its indexes");
  });

  it("is an error with a rewrite estimate on a configured large table", () => {
    const [finding] = lint({ sql: "ALTER TABLE orders ALTER COLUMN qty TYPE bigint;", config: { tables: { orders: { rows: 1_000_000 } } } }, [rule]);
    expect(finding?.severity).toBe("error");
    expect(finding?.message).toContain("1,000,000 rows");
  });

  it("knows the old type from CREATE TABLE or ADD COLUMN in an earlier migration", () => {
    /** Two migrations analysed together: the first sets the column types, the second changes them. */
    const lintAfter = (earlier: string, later: string, config: Record<string, unknown> = {}) => {
      const first = caseMigration({ sql: earlier, noDown: true });
      const second = caseMigration({ sql: later, noDown: true });
      const path = "db/migrations/0002_later.up.sql";
      const files = [...first.files, { path, text: second.files[0]?.text ?? "" }];
      const migration = { ...second.migration, version: "0002", files: [path], sections: second.migration.sections.map((s) => ({ ...s, path })) };
      const options = { config: AnalysisConfigSchema.parse(config), rules: [rule] };
      return analyzeMigrations(files, [first.migration, migration], options).findings.map((f) => `${f.line} ${f.message}`);
    };
    const created = "CREATE TABLE posts (id serial PRIMARY KEY, title varchar(100), body text, score numeric(5,2), ip cidr, published timestamp, n int);";
    expect(lintAfter(created, "ALTER TABLE posts ALTER COLUMN title TYPE text;")).toEqual([]);
    expect(lintAfter(created, "ALTER TABLE posts ALTER COLUMN title TYPE varchar(200);")).toEqual([]);
    expect(lintAfter(created, "ALTER TABLE posts ALTER COLUMN title TYPE varchar;")).toEqual([]);
    expect(lintAfter(created, "ALTER TABLE posts ALTER COLUMN title TYPE character varying(100);")).toEqual([]);
    expect(lintAfter(created, "ALTER TABLE posts ALTER COLUMN n TYPE integer;\nALTER TABLE posts ALTER COLUMN id TYPE int;")).toEqual([]);
    expect(lintAfter(created, "ALTER TABLE posts ALTER COLUMN score TYPE numeric(8,2);")).toEqual([]);
    expect(lintAfter(created, "ALTER TABLE posts ALTER COLUMN ip TYPE inet;")).toEqual([]);
    expect(lintAfter("ALTER TABLE posts ADD COLUMN tag varchar(10);", "ALTER TABLE posts ALTER COLUMN tag TYPE varchar(20);")).toEqual([]);
    expect(lintAfter(created, "ALTER TABLE posts ALTER COLUMN title TYPE varchar(50);")).toEqual([
      expect.stringContaining("1 ALTER COLUMN title TYPE varchar(50) (from varchar(100))"),
    ]);
    expect(lintAfter(created, "ALTER TABLE posts ALTER COLUMN body TYPE varchar(50);")).toEqual([expect.stringContaining("(from text)")]);
    expect(lintAfter(created, "ALTER TABLE posts ALTER COLUMN n TYPE bigint;")).toEqual([expect.stringContaining("(from integer)")]);
  });

  it("takes timestamp → timestamptz as catalog-only after SET timezone = 'UTC' in the same migration (Postgres 12+)", () => {
    const table = "CREATE TABLE IF NOT EXISTS x (id int);\n";
    const earlier = "ALTER TABLE posts ADD COLUMN published timestamp;\n";
    testRule(rule, {
      valid: [
        `${table}${earlier}COMMIT;\nSET timezone = 'UTC';\nALTER TABLE posts ALTER COLUMN published TYPE timestamptz USING published;`,
        `${earlier}SET TIME ZONE 'Etc/UTC';\nALTER TABLE posts ALTER COLUMN published TYPE timestamptz;\nALTER TABLE posts ALTER COLUMN published TYPE timestamp;`,
      ],
      invalid: [
        { sql: `${earlier}ALTER TABLE posts ALTER COLUMN published TYPE timestamptz;`, lines: [2] },
        { sql: `${earlier}SET timezone = 'Europe/Paris';\nALTER TABLE posts ALTER COLUMN published TYPE timestamptz;`, lines: [3] },
        { sql: `${earlier}SET timezone = 'UTC';\nRESET timezone;\nALTER TABLE posts ALTER COLUMN published TYPE timestamptz;`, lines: [4] },
        { sql: `${earlier}SET timezone = 'UTC';\nALTER TABLE posts ALTER COLUMN published TYPE timestamptz USING published + interval '1 hour';`, lines: [3] },
        { sql: `${earlier}SET timezone = 'UTC';\nALTER TABLE posts ALTER COLUMN published TYPE timestamptz;`, config: { postgresVersion: 11 }, lines: [3] },
      ],
    });
    const [finding] = lint(`${earlier}ALTER TABLE posts ALTER COLUMN published TYPE timestamptz;`, [rule]);
    expect(finding?.message).toContain("(from timestamp)");
    expect(finding?.message).toContain("unless the session TimeZone is UTC");
  });
});
