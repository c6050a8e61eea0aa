import { describe, expect, it } from "vitest";
import rule from "../../src/rules/rewriting-storage-change.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags SET LOGGED / UNLOGGED / ACCESS METHOD / TABLESPACE on an existing table", () => {
    testRule(rule, {
      valid: [
        "CREATE TABLE events (id bigint);\nALTER TABLE events SET UNLOGGED;",
        "ALTER TABLE events SET (fillfactor = 70);",
        "-- migrate:down\nALTER TABLE events SET LOGGED;",
      ],
      invalid: [
        { sql: "ALTER TABLE events SET LOGGED;", lines: [1] },
        { sql: "SELECT 1;\nALTER TABLE events\n  SET UNLOGGED;", lines: [2] },
        { sql: "ALTER TABLE events SET ACCESS METHOD heap;\nALTER TABLE events SET TABLESPACE fast_disk;", lines: [1, 2] },
      ],
    });
  });

  it("says what the change does and that it is a no-op when the storage is already so", () => {
    const [space] = lint("ALTER TABLE events SET TABLESPACE fast_disk;", [rule]);
    expect(space?.message).toContain("copies every file of the table into fast_disk");
    expect(space?.message).toContain("ACCESS EXCLUSIVE on events");
    const [method] = lint("ALTER TABLE events SET ACCESS METHOD heap;", [rule]);
    expect(method?.message).toContain("nothing happens if it already uses heap");
  });

  it("is an error with an estimate on a configured large table", () => {
    const [finding] = lint({ sql: "ALTER TABLE events SET UNLOGGED;", config: { tables: { events: { rows: 10_000_000 } } } }, [rule]);
    expect(finding?.severity).toBe("error");
    expect(finding?.message).toContain("10,000,000 rows");
  });
});
