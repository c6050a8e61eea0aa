import { describe, expect, it } from "vitest";
import { syntaxError, unusedIgnore } from "../../src/rules/builtin.js";
import requireConcurrentIndex from "../../src/rules/require-concurrent-index.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

const rules = [requireConcurrentIndex, syntaxError, unusedIgnore];
const found = (sql: string) => lint(sql, rules).map((f) => [f.rule, f.line]);

describe(syntaxError.id, () => {
  it("reports a syntax error at its line and still analyses the rest of the file", () => {
    const findings = lint("CREATE INDEX a_idx ON a (x);\n\nCREATE TABLEE broken (id bigint);\nCREATE INDEX b_idx ON b (y);", rules);
    expect(findings.map((f) => [f.rule, f.line])).toEqual([
      ["require-concurrent-index", 1],
      ["syntax-error", 3],
      ["require-concurrent-index", 4],
    ]);
    expect(findings.find((f) => f.rule === "syntax-error")?.severity).toBe("error");
  });

  it("reports errors in a down file too", () => {
    const findings = lint("SELECT 1;\n-- migrate:down\nSELECT 1;\nDROP TABLEE items;", rules);
    expect(findings.map((f) => [f.rule, f.path, f.line])).toEqual([["syntax-error", "db/migrations/0001_case.down.sql", 2]]);
  });
});

describe("ignore comments", () => {
  it("suppresses the next statement's finding with data-engineer-ignore", () => {
    expect(found("-- data-engineer-ignore require-concurrent-index\nCREATE INDEX a_idx ON a (x);\nCREATE INDEX b_idx ON b (y);")).toEqual([
      ["require-concurrent-index", 3],
    ]);
  });

  it("covers a statement over several lines, and a list of rules", () => {
    expect(found("-- data-engineer-ignore ban-drop-table, require-concurrent-index\nCREATE INDEX a_idx\n  ON a (x);")).toEqual([]);
  });

  it("suppresses the whole file with data-engineer-ignore-file", () => {
    expect(found("-- data-engineer-ignore-file\nCREATE INDEX a_idx ON a (x);\n\nCREATE INDEX b_idx ON b (y);")).toEqual([]);
    expect(found("-- data-engineer-ignore-file require-concurrent-index\nCREATE INDEX a_idx ON a (x);\nCREATE INDEX b_idx ON b (y);")).toEqual([]);
  });

  it("maps squawk's rule names to ours", () => {
    expect(found("-- squawk-ignore require-concurrent-index-creation\nCREATE INDEX a_idx ON a (x);")).toEqual([]);
    expect(found("-- squawk-ignore-file require-concurrent-index-creation\nCREATE INDEX a_idx ON a (x);")).toEqual([]);
  });

  it("does not suppress other rules", () => {
    expect(found("-- data-engineer-ignore ban-drop-table\nCREATE INDEX a_idx ON a (x);")).toEqual([
      ["unused-ignore", 1],
      ["require-concurrent-index", 2],
    ]);
  });
});

describe(unusedIgnore.id, () => {
  it("reports an ignore that suppresses nothing, as a note", () => {
    const findings = lint("-- data-engineer-ignore require-concurrent-index\nCREATE INDEX CONCURRENTLY a_idx ON a (x);", rules);
    expect(findings.map((f) => [f.rule, f.line, f.severity])).toEqual([["unused-ignore", 1, "note"]]);
    expect(findings[0]?.message).toContain("require-concurrent-index");
  });

  it("reports an unused file-level ignore", () => {
    expect(found("-- data-engineer-ignore-file\nCREATE INDEX CONCURRENTLY a_idx ON a (x);")).toEqual([["unused-ignore", 1]]);
  });

  it("does not report an ignore that was used", () => {
    expect(found("-- squawk-ignore require-concurrent-index-creation\nCREATE INDEX a_idx ON a (x);")).toEqual([]);
  });
});
