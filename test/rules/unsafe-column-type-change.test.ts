import { beforeAll, describe, expect, it } from "vitest";
import rule from "../../src/rules/unsafe-column-type-change.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

beforeAll(() => loadSqlParser());

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
    expect(unknown?.message).toContain("unless the old type is varchar(n) with n ≤ 100");
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
});
