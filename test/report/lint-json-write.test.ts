import { describe, expect, it } from "vitest";
import { writeLintJson, type LintJson } from "../../src/report/lint-json.js";

function finding(i: number): LintJson["findings"][number] {
  return {
    rule: "require-lock-timeout",
    severity: i % 2 === 0 ? "warning" : "error",
    category: "locking",
    path: `db/migrations/${i}_step.up.sql`,
    line: i + 1,
    endLine: i + 2,
    message: `"quoted" \u2028 line ${i}\nnext`,
    help: i % 3 === 0 ? "" : "Add `SET lock_timeout`",
    ...(i % 5 === 0 ? { fix: { title: "Add CONCURRENTLY", line: i + 1, endLine: i + 1, replacement: "CREATE INDEX CONCURRENTLY i ON t (c);\n" } } : {}),
  };
}

function written(json: LintJson): { text: string; pieces: number } {
  let text = "";
  let pieces = 0;
  writeLintJson(json, (piece) => {
    text += piece;
    pieces++;
  });
  return { text, pieces };
}

describe("writeLintJson", () => {
  const files: LintJson["files"] = [
    { path: "db/migrations/1_step.up.sql", framework: "golang-migrate", migrations: [{ version: "1", name: "step", direction: "up", inTransaction: false }] },
  ];
  const skipped = [{ path: "x.mysql.up.sql", reason: "MySQL migration" }];

  it("writes the bytes JSON.stringify gives, for no finding, one, and several pieces' worth", () => {
    for (const count of [0, 1, 499, 500, 501, 1234]) {
      const json: LintJson = { files, findings: Array.from({ length: count }, (_, i) => finding(i)), skipped };
      expect(written(json).text).toBe(JSON.stringify(json));
    }
    expect(written({ files: [], findings: [], skipped: [] }).text).toBe('{"files":[],"findings":[],"skipped":[]}');
  });

  it("never holds a large report as one string: a piece per 500 findings, plus the head and the tail", () => {
    const json: LintJson = { files, findings: Array.from({ length: 1234 }, (_, i) => finding(i)), skipped };
    expect(written(json).pieces).toBe(2 + 3);
  });
});
