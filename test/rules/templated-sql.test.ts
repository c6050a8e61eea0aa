import { describe, expect, it } from "vitest";
import { syntaxError, templatedSql } from "../../src/rules/builtin.js";
import requireConcurrentIndex from "../../src/rules/require-concurrent-index.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

const rules = [requireConcurrentIndex, syntaxError, templatedSql];
const found = (sql: string) => lint(sql, rules).map((f) => [f.rule, f.line]);

describe(templatedSql.id, () => {
  it("analyses a templated statement at its real line", () => {
    expect(found('-- namespaced\n\nCREATE INDEX identities_nid_idx\n  ON {{ index .Options "Namespace" }}.identities (nid);')).toEqual([
      ["require-concurrent-index", 3],
    ]);
    expect(found("SELECT 1;\nCREATE INDEX i ON ${schema}.t (c);")).toEqual([["require-concurrent-index", 2]]);
    expect(found("{% if x %}\nCREATE INDEX i ON {{ schema }}.t (c);\n{% endif %}")).toEqual([["require-concurrent-index", 2]]);
    expect(found("CREATE INDEX i ON :schema.t (c);\nCREATE INDEX j ON :\"schema\".t (d) WHERE c = :'v';")).toEqual([
      ["require-concurrent-index", 1],
      ["require-concurrent-index", 2],
    ]);
  });

  it("gives one note per file for the statements that do not parse even masked, and no syntax error", () => {
    const findings = lint("CREATE TABLE {{ .T }} ({{ .Columns }});\nSELECT 1;\nINSERT INTO t VALUES {{ .Rows }};\nCREATE INDEX i ON t (c);", rules);
    expect(findings.map((f) => [f.rule, f.line, f.severity])).toEqual([
      ["templated-sql", 1, "note"],
      ["require-concurrent-index", 4, "error"],
    ]);
    expect(findings[0]?.message).toContain("2 statements");
  });

  it("still reports a real syntax error in a templated file", () => {
    expect(found("CREATE INDEX i ON {{ .T }} (c);\nCREATE TABLEE broken (id int);")).toEqual([
      ["require-concurrent-index", 1],
      ["syntax-error", 2],
    ]);
  });

  it("offers the fix on the template's own text", () => {
    const [finding] = lint("CREATE INDEX i ON {{ .Schema }}.t (c);", [requireConcurrentIndex]);
    expect(finding?.fix?.replacement).toContain("CREATE INDEX CONCURRENTLY i ON {{ .Schema }}.t (c)");
  });
});
