import { describe, it } from "vitest";
import rule from "../../src/rules/ban-drop-table.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags DROP TABLE of tables that existed before the migration", () => {
    testRule(rule, {
      valid: [
        "CREATE TABLE tmp_import (id bigint);\nDROP TABLE tmp_import;",
        // A down that drops what the up created is not a forward finding.
        "CREATE TABLE items (id bigint);\n-- migrate:down\nDROP TABLE items;",
        "DROP VIEW report;",
      ],
      invalid: [
        { sql: "DROP TABLE orders;", lines: [1] },
        { sql: "CREATE TABLE tmp (id bigint);\n\nDROP TABLE IF EXISTS tmp, public.legacy;", lines: [3] },
      ],
    });
  });
});
