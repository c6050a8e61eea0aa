import { describe, expect, it } from "vitest";
import rule from "../../src/rules/ban-add-primary-key.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags primary keys that build their index on an existing table", () => {
    testRule(rule, {
      valid: [
        // USING INDEX over columns known NOT NULL, or proven by a validated check: no build, no scan.
        "CREATE UNIQUE INDEX CONCURRENTLY orders_id_idx ON orders (id);\nALTER TABLE orders ALTER COLUMN id SET NOT NULL;\nALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_id_idx;",
        "CREATE UNIQUE INDEX CONCURRENTLY orders_id_idx ON orders (id);\nALTER TABLE orders ADD CONSTRAINT orders_id_present CHECK (id IS NOT NULL) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_id_present;\nALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_id_idx;",
        "CREATE TABLE items (id bigint);\nALTER TABLE items ADD PRIMARY KEY (id);",
        "ALTER TABLE orders ADD COLUMN note text;",
        "-- migrate:down\nALTER TABLE orders ADD PRIMARY KEY (id);",
      ],
      invalid: [
        { sql: "ALTER TABLE orders ADD PRIMARY KEY (id);", lines: [1] },
        { sql: "SELECT 1;\nALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);", lines: [2] },
        { sql: "ALTER TABLE orders ADD COLUMN id bigint PRIMARY KEY;", lines: [1] },
        // USING INDEX still makes the key columns NOT NULL: a scan under ACCESS EXCLUSIVE unless they are known NOT NULL.
        {
          sql: "CREATE UNIQUE INDEX CONCURRENTLY orders_id_idx ON orders (id);\nALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_id_idx;",
          lines: [2],
        },
        { sql: "ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_id_idx;", lines: [1] },
        // A check still NOT VALID proves nothing.
        {
          sql: "CREATE UNIQUE INDEX CONCURRENTLY orders_id_idx ON orders (id);\nALTER TABLE orders ADD CONSTRAINT orders_id_present CHECK (id IS NOT NULL) NOT VALID;\nALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_id_idx;",
          lines: [3],
        },
      ],
    });
  });

  it("names the columns USING INDEX makes NOT NULL, as an error (a scan under ACCESS EXCLUSIVE on an existing table)", () => {
    const [finding] = lint(
      "CREATE UNIQUE INDEX CONCURRENTLY orders_key_idx ON orders (tenant_id, id);\nALTER TABLE orders ALTER COLUMN tenant_id SET NOT NULL;\nALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_key_idx;",
      [rule],
    );
    expect(finding?.severity).toBe("error");
    expect(finding?.message).toContain("USING INDEX orders_key_idx makes id NOT NULL");
    expect(finding?.help).toContain("VALIDATE CONSTRAINT");
    const [unknown] = lint("ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_id_idx;", [rule]);
    expect(unknown?.message).toContain("no migration in view says so");
  });

  it("names the lock and the way around it", () => {
    const [finding] = lint("ALTER TABLE orders ADD PRIMARY KEY (id);", [rule]);
    expect(finding?.message).toContain("ACCESS EXCLUSIVE");
    expect(finding?.help).toContain("PRIMARY KEY USING INDEX");
  });
});
