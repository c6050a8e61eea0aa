import { beforeAll, describe, it } from "vitest";
import rule from "../../src/rules/add-required-column.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { testRule } from "../helpers/rule-tester.js";

beforeAll(() => loadSqlParser());

describe(rule.id, () => {
  it("flags NOT NULL columns without a default added to existing tables", () => {
    testRule(rule, {
      valid: [
        "ALTER TABLE orders ADD COLUMN note text;",
        "ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';",
        "ALTER TABLE orders ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;",
        "ALTER TABLE orders ADD COLUMN total_cents bigint NOT NULL GENERATED ALWAYS AS (total * 100) STORED;",
        "CREATE TABLE items (id bigint NOT NULL);",
        "CREATE TABLE items (id bigint);\nALTER TABLE items ADD COLUMN name text NOT NULL;",
      ],
      invalid: [
        { sql: "ALTER TABLE orders ADD COLUMN status text NOT NULL;", lines: [1] },
        { sql: "ALTER TABLE orders\n  ADD COLUMN note text,\n  ADD COLUMN code bigint PRIMARY KEY;", lines: [3] },
      ],
    });
  });
});
