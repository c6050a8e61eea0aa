import { describe, it } from "vitest";
import rule from "../../src/rules/prefer-bigint-id.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags 4- and 2-byte integer ids, foreign keys and primary keys", () => {
    testRule(rule, {
      valid: [
        "CREATE TABLE items (id bigint PRIMARY KEY, user_id bigint, quantity integer);",
        "CREATE TABLE items (id bigserial PRIMARY KEY, position smallint);",
        "ALTER TABLE orders ADD COLUMN retries int;",
        "ALTER TABLE orders ADD COLUMN tag_ids int[];",
      ],
      invalid: [
        { sql: "CREATE TABLE items (\n  id serial PRIMARY KEY,\n  user_id integer,\n  quantity integer\n);", lines: [2, 3] },
        { sql: "CREATE TABLE pairs (\n  a int4,\n  b smallint,\n  PRIMARY KEY (a, b)\n);", lines: [2, 3] },
        { sql: "ALTER TABLE orders ADD COLUMN Shop_ID int2;", lines: [1] },
      ],
    });
  });
});
