import { beforeAll, describe, expect, it } from "vitest";
import rule from "../../src/rules/ban-add-primary-key.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

beforeAll(() => loadSqlParser());

describe(rule.id, () => {
  it("flags primary keys that build their index on an existing table", () => {
    testRule(rule, {
      valid: [
        "ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_id_idx;",
        "CREATE TABLE items (id bigint);\nALTER TABLE items ADD PRIMARY KEY (id);",
        "ALTER TABLE orders ADD COLUMN note text;",
        "-- migrate:down\nALTER TABLE orders ADD PRIMARY KEY (id);",
      ],
      invalid: [
        { sql: "ALTER TABLE orders ADD PRIMARY KEY (id);", lines: [1] },
        { sql: "SELECT 1;\nALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);", lines: [2] },
        { sql: "ALTER TABLE orders ADD COLUMN id bigint PRIMARY KEY;", lines: [1] },
      ],
    });
  });

  it("names the lock and the way around it", () => {
    const [finding] = lint("ALTER TABLE orders ADD PRIMARY KEY (id);", [rule]);
    expect(finding?.message).toContain("ACCESS EXCLUSIVE");
    expect(finding?.help).toContain("PRIMARY KEY USING INDEX");
  });
});
